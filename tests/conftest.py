"""Shared fixtures: real databases (SQLite file, PostgreSQL, MariaDB), the seeded sample, AppTest.

A test that needs a server skips when it is unreachable, except when PMO_REQUIRE_SERVICES=1
(CI), where the skip becomes a failure.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

import models
import store
from sample_data import generate, write_sample

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


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def any_db(request, tmp_path):
    """An empty app database on SQLite, PostgreSQL and MariaDB (a private database)."""
    if request.param != "mariadb":
        yield request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
        return
    server = request.getfixturevalue("mariadb_url")
    name = f"pmo_any_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        store.get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def _sample_file(tmp_path_factory, name: str, **options) -> Path:
    """One SQLite file with the sample portfolio (``write_sample`` options), built once."""
    path = tmp_path_factory.mktemp("seed") / name
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine, **options)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


def _app_copy(db_file: Path, tmp_path: Path, monkeypatch) -> str:
    """A private copy of ``db_file``, made the app's database for this test."""
    path = tmp_path / "app.db"
    shutil.copy(db_file, path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    return url


@pytest.fixture(scope="session")
def seeded_db_file(tmp_path_factory) -> Path:
    """One SQLite file with the sample portfolio, built once and copied per test."""
    return _sample_file(tmp_path_factory, "seeded.db")


@pytest.fixture(scope="module")
def frames(seeded_db_file):
    """The sample portfolio's frames, read once per module (tests never change them)."""
    engine = store.get_engine(f"sqlite:///{seeded_db_file}")
    try:
        yield store.read_frames(engine)
    finally:
        engine.dispose()


@pytest.fixture
def seeded_url(seeded_db_file, tmp_path, monkeypatch) -> str:
    """A private copy of the seeded database, made the app's database for this test."""
    return _app_copy(seeded_db_file, tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def long_names_db_file(tmp_path_factory) -> Path:
    """The sample with every portfolio, programme and project name over 40 characters."""
    return _sample_file(tmp_path_factory, "long_names.db", long_names=True)


@pytest.fixture
def long_names_url(long_names_db_file, tmp_path, monkeypatch) -> str:
    """A private copy of the long-names sample, made the app's database for this test."""
    return _app_copy(long_names_db_file, tmp_path, monkeypatch)


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


def open_page(page: str):
    """The app run once, then switched to ``page`` (a script under pages/), with no exception."""
    at = app_test().run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def table_with(at, column: str):
    """The first table of the page that has ``column``."""
    return next(t for t in at.dataframe if column in t.value)


# --- partial databases -----------------------------------------------------------------------

# The project every partial database keeps, with a report on the last date (see _partial_tables).
PARTIAL_PROJECT = "PRJ-0002"
PARTIAL_DBS = [
    "empty",
    "projects_only",
    "one_report",
    "no_decisions",
    "no_risks",
    "no_milestones",
    "no_baseline",
    "one_week",
    "rag_only",
    "thin_registers",
    "blank_item_text",
    "full",
]


def _partial_tables(name: str) -> dict:
    """Canonical frames of one partial database, cut from a 12-project sample (small, so each
    page renders fast); ``full`` is the seeded 60-project sample and is not built here."""
    t = generate(n_projects=12).tables()
    last = t["status_reports"]["report_date"].max()
    if name == "empty":
        return {}
    if name == "projects_only":
        return {"projects": t["projects"]}
    if name == "one_report":
        sr = t["status_reports"]
        one = sr[(sr["project_id"] == PARTIAL_PROJECT) & (sr["report_date"] == last)]
        return {"projects": t["projects"], "status_reports": one}
    if name.startswith("no_") and name[3:] in t:
        return {k: v for k, v in t.items() if k != name[3:]}
    if name == "no_baseline":  # no approved baseline anywhere: project dates and milestones
        return {
            **t,
            "projects": t["projects"].assign(start_date=pd.NaT, end_date=pd.NaT),
            "milestones": t["milestones"].assign(baseline_date=pd.NaT),
        }
    if name == "one_week":
        return {k: v[v["report_date"] == last] if "report_date" in v else v for k, v in t.items()}
    if name == "rag_only":  # the thinnest status sheet: id, name, date and an overall RAG
        return {
            "projects": models.conform("projects", t["projects"][["project_id", "name"]]),
            "status_reports": models.conform(
                "status_reports", t["status_reports"][["project_id", "report_date", "overall_rag"]]
            ),
        }
    if name == "thin_registers":  # registers with ids and titles only: no scores, no dates
        keep = {
            "projects": ["project_id", "name", "stage"],
            "status_reports": ["project_id", "report_date"],
            "risks": ["project_id", "risk_id", "report_date", "title"],
            "milestones": ["project_id", "milestone_id", "report_date", "name"],
            "decisions": ["project_id", "decision_id"],
            "raid_items": ["project_id", "item_id"],
        }
        return {k: models.conform(k, t[k][cols]) for k, cols in keep.items()}
    if name == "blank_item_text":  # every other register row without its text: held as
        # categoricals across snapshots (models.REGISTER_TEXT), blanks and values mixed
        return {
            **t,
            **{
                k: t[k].assign(**{c: t[k][c].where(t[k].index % 2 == 0) for c in cols})
                for k, cols in models.REGISTER_TEXT.items()
            },
        }
    raise ValueError(name)


@pytest.fixture(scope="session")
def partial_db_file(seeded_db_file, tmp_path_factory):
    """``partial_db_file(name)``: a SQLite file holding one of PARTIAL_DBS, written through
    ``store.write_batch`` the first time it is asked for in the session (copy it before use)."""
    built: dict[str, Path] = {"full": seeded_db_file}
    folder = tmp_path_factory.mktemp("partial")

    def get(name: str) -> Path:
        if name not in built:
            path = folder / f"{name}.db"
            engine = store.get_engine(f"sqlite:///{path}")
            frames = _partial_tables(name)
            if frames:
                meta = store.UploadMeta(
                    file_name=f"{name}.xlsx", sha256=hashlib.sha256(name.encode()).hexdigest(),
                    size_bytes=0, uploaded_by="partial database fixture", source="upload",
                )  # fmt: skip
                store.write_batch(engine, frames, meta)
            engine.dispose()
            built[name] = path
        return built[name]

    return get


@pytest.fixture
def partial_url(request, partial_db_file, tmp_path, monkeypatch) -> str:
    """A private copy of the partial database named by the test's ``db`` parameter, made the
    app's database (parametrise with ``@pytest.mark.parametrize("partial_url", [...],
    indirect=True)``)."""
    path = tmp_path / "app.db"
    shutil.copy(partial_db_file(request.param), path)
    url = f"sqlite:///{path}"
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    return url
