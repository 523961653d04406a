"""Shared fixtures: real databases (SQLite file, PostgreSQL, MariaDB), the seeded sample, AppTest.

A test that needs a server skips when it is unreachable, except when PMO_REQUIRE_SERVICES=1
(CI), where the skip becomes a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import store
from sample_data import write_sample

ROOT = Path(__file__).resolve().parent.parent
REAL_SHEETS = ROOT.parent / "shared" / "real-sheets"
PG_ADMIN_URL = os.environ.get(
    "PMO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_URL = os.environ.get("PMO_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test")
CHROMIUM = "/usr/bin/chromium"


def require(reason: str) -> None:
    """Skip with ``reason``, or fail when CI demands every service-backed test runs."""
    if os.environ.get("PMO_REQUIRE_SERVICES") == "1":
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def _reachable(url: str) -> bool:
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'pmo.db'}"


@pytest.fixture
def pg_url():
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    if not _reachable(PG_ADMIN_URL):
        require(f"PostgreSQL not reachable at {PG_ADMIN_URL}")
    name = f"pmo_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    store.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def mariadb_url():
    if not _reachable(MARIADB_URL):
        require(f"MariaDB not reachable at {MARIADB_URL}")
    return MARIADB_URL


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path):
    """The app database on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pmo.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(scope="session")
def seeded_db_file(tmp_path_factory) -> Path:
    """One SQLite file with the sample portfolio, built once and copied per test."""
    path = tmp_path_factory.mktemp("seed") / "seeded.db"
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture
def seeded_url(seeded_db_file, tmp_path, monkeypatch) -> str:
    """A private copy of the seeded database, made the app's database for this test."""
    path = tmp_path / "app.db"
    shutil.copy(seeded_db_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    return url


@pytest.fixture
def empty_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    return url


@pytest.fixture
def chromium() -> str:
    if not Path(CHROMIUM).exists():
        require(f"{CHROMIUM} missing (apt-get install chromium)")
    return CHROMIUM


def app_test():
    """AppTest for app.py with a generous timeout (first run builds caches)."""
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
