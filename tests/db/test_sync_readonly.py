"""A SQL source can never write: the query check, the read-only connection, missing drivers.

Run against real SQLite, PostgreSQL and MariaDB with privileged users (postgres, root), so only
our own checks and the read-only transaction stand between a hostile query and the data.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import DBAPIError

import store
from data_loaders.sql_source import SourceError, check_query, load_source
from data_loaders.sync import read_only, source_engine, sync
from tests.conftest import app_test
from tests.db.test_sync_db import create_source, drop_source

ROOT = Path(__file__).resolve().parents[2]
SERVERS = ["sqlite", "postgres", "mariadb"]


@pytest.fixture
def victim(request, tmp_path):
    """A source database (one per backend) with a table ``<victim>`` holding three rows."""
    server = request.param
    if server == "sqlite":
        url = f"sqlite:///{tmp_path / 'source.db'}"
    else:
        url = request.getfixturevalue("pg_url" if server == "postgres" else "mariadb_url")
    name = f"victim_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE {name} (proj_code VARCHAR(10), title VARCHAR(50))"))
        conn.execute(text(f"INSERT INTO {name} VALUES ('001', 'a'), ('002', 'b'), ('003', 'c')"))
    yield server, url, name
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


def survives(url: str, name: str) -> int:
    """The victim's row count; fails when the table is gone."""
    engine = create_engine(url)
    try:
        assert inspect(engine).has_table(name), f"{name} was dropped"
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()
    finally:
        engine.dispose()


def source_file(folder: Path, query: str, env: str = "VICTIM_URL") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "evil.toml"
    path.write_text(
        f'[source]\nname = "evil"\nurl = "${{{env}}}"\n\n'
        f"[tables.projects]\nquery = '''{query}'''\n"
        '[tables.projects.columns]\nproject_id = "proj_code"\nname = "title"\n'
    )
    return path


WRITES = {
    "drop": ("DROP TABLE {t}", "must be a SELECT, not DROP"),
    "two statements": ("SELECT proj_code, title FROM {t}; DROP TABLE {t}", "not 2 statements"),
    "select into": ("SELECT proj_code, title INTO {t}_copy FROM {t}", "SELECT ... INTO"),
    "delete": ("DELETE FROM {t}", "must be a SELECT, not DELETE"),
    "for update": ("SELECT proj_code, title FROM {t} FOR UPDATE", "locking clause"),
}


@pytest.mark.parametrize("victim", SERVERS, indirect=True)
@pytest.mark.parametrize("dry_run", [False, True], ids=["sync", "dry-run"])
@pytest.mark.parametrize("kind", list(WRITES))
def test_a_writing_query_is_refused_before_it_runs(victim, kind, dry_run, tmp_path, monkeypatch):
    server, url, name = victim
    query, message = WRITES[kind]
    monkeypatch.setenv("VICTIM_URL", url)
    path = source_file(tmp_path, query.format(t=name))
    app = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
    result = sync(path, app, dry_run=dry_run)
    assert result.report.status == "rejected"
    problems = [p.message for p in result.report.all_problems]
    assert len(problems) == 1 and message in problems[0], problems
    assert survives(url, name) == 3
    assert store.read_frames(app)["uploads"].empty
    if kind == "select into":
        assert not inspect(create_engine(url)).has_table(f"{name}_copy")


@pytest.mark.parametrize("victim", ["mariadb"], indirect=True)
def test_drop_table_with_dry_run_on_the_command_line(victim, tmp_path):
    """The finding: `sync --dry-run` with `query = "DROP TABLE victim"` dropped it on MariaDB."""
    _, url, name = victim
    path = source_file(tmp_path, f"DROP TABLE {name}")
    env = {**os.environ, "VICTIM_URL": url}
    done = subprocess.run(
        [sys.executable, "-m", "data_loaders", "sync", str(path), "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "must be a SELECT, not DROP" in done.stdout and "Traceback" not in done.stderr
    assert survives(url, name) == 3


def test_the_query_is_checked_when_the_url_is_a_secret_set_only_at_sync(tmp_path, monkeypatch):
    """load_source cannot know the dialect without the secret; the sync checks before connecting."""
    monkeypatch.delenv("VICTIM_URL", raising=False)
    path = source_file(tmp_path, "DROP TABLE t")
    unchecked = load_source(path)  # the dialect is unknown: nothing to check the query against
    monkeypatch.setenv("VICTIM_URL", "postgresql://postgres@127.0.0.1:1/unreachable")
    with pytest.raises(SourceError, match="must be a SELECT, not DROP"):
        load_source(path)
    result = sync(unchecked, None, dry_run=True)
    messages = [p.message for p in result.report.all_problems]
    assert len(messages) == 1 and "must be a SELECT, not DROP" in messages[0]  # never connected


@pytest.mark.parametrize("victim", ["postgres"], indirect=True)
def test_a_data_modifying_cte_is_refused_on_postgresql(victim, tmp_path, monkeypatch):
    _, url, name = victim
    monkeypatch.setenv("VICTIM_URL", url)
    query = f"WITH gone AS (DELETE FROM {name} RETURNING *) SELECT proj_code, title FROM gone"
    result = sync(source_file(tmp_path, query), None, dry_run=True)
    assert result.report.status == "rejected"
    assert "must only read, but it holds DELETE" in result.report.all_problems[0].message
    assert survives(url, name) == 3


@pytest.mark.parametrize(
    ("dialect", "query", "message"),
    [
        ("mysql", "SELECT 1 /*! , 2 INTO OUTFILE '/tmp/x' */", "executable comment"),
        ("mysql", "SELECT 1 /*M! , 2 */", "executable comment"),
        ("mysql", "SELECT * FROM t INTO OUTFILE '/tmp/x'", "could not be parsed"),
        ("postgres", "SELECT * FROM t FOR SHARE", "locking clause"),
        ("postgres", "SELECT * FROM (WITH y AS (UPDATE t SET a = 1 RETURNING *) SELECT * FROM y) z",
         "holds UPDATE"),
        ("postgres", "CALL cleanup()", "not CALL"),
        ("postgres", "COMMIT", "not COMMIT"),
        ("postgres", r"SELECT 'a\' ; DROP TABLE x; --'", "not 3 statements"),  # \ ends no string
        ("sqlite", "ATTACH DATABASE 'x.db' AS x", "not ATTACH"),
        ("sqlite", "PRAGMA query_only = OFF", "not PRAGMA"),
        ("postgres", "SELEC 1", "could not be parsed as postgres"),
        ("postgres", "", "not 0 statements"),
    ],
)  # fmt: skip
def test_only_one_plain_select_passes(dialect, query, message):
    assert message in (check_query(query, dialect) or "")


@pytest.mark.parametrize(
    ("dialect", "query"),
    [
        ("postgres", "WITH w AS (SELECT 1 AS a) SELECT a FROM w;"),
        ("postgres", "(SELECT 1) UNION ALL SELECT 2"),
        ("postgres", "SELECT $$;DROP TABLE x$$ AS s, E'\\';' AS e"),
        ("mysql", "SELECT `p`.`code` FROM `p` -- trailing; comment"),
        ("sqlite", "SELECT m.a FROM m WHERE m.deleted = 0"),
        ("tsql", "SELECT TOP 5 [code] FROM [dbo].[p]"),
        ("oracle", "SELECT code FROM p FETCH FIRST 5 ROWS ONLY"),
    ],
)
def test_ordinary_selects_pass(dialect, query):
    assert check_query(query, dialect) is None


def test_the_example_source_queries_pass(monkeypatch):
    monkeypatch.setenv("PPM_DB_URL", "mysql+pymysql://reader:pw@db/ppm")
    assert load_source(ROOT / "sources" / "example_ppm.toml").tables["milestones"].query


# --- the read-only connection ------------------------------------------------------------


@pytest.mark.parametrize("victim", SERVERS, indirect=True)
@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO {t} VALUES ('004', 'd')",
        "UPDATE {t} SET title = 'x'",
        "DROP TABLE {t}",  # MariaDB: an implicit commit would end a read-only transaction
        "CREATE TABLE {t}_new (a INTEGER)",
    ],
)
def test_the_read_only_connection_refuses_writes_that_got_through(victim, statement):
    server, url, name = victim
    engine = source_engine(url)
    with read_only(engine) as conn:
        conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()  # a read first, as a sync
        with pytest.raises(DBAPIError, match="(?i)read.only|readonly|query_only"):
            conn.exec_driver_sql(statement.format(t=name))
    engine.dispose()
    assert survives(url, name) == 3
    check = create_engine(url)
    assert not inspect(check).has_table(f"{name}_new")
    with check.connect() as conn:
        assert conn.execute(text(f"SELECT COUNT(*) FROM {name} WHERE title = 'x'")).scalar() == 0
    check.dispose()


def test_a_sqlite_source_file_is_opened_read_only(tmp_path):
    path = tmp_path / "source.db"
    create_source(f"sqlite:///{path}", "p_")
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    engine = source_engine(f"sqlite:///{path}")
    raw = engine.raw_connection()  # no read_only(), no PRAGMA: the file itself is read-only
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly database"):
            raw.cursor().execute("DELETE FROM p_project")
        with pytest.raises(sqlite3.OperationalError, match="readonly database"):
            raw.cursor().execute("CREATE TABLE intruder (a INTEGER)")
    finally:
        raw.close()
        engine.dispose()
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["source.db"]  # no journal, no WAL
    drop_source(f"sqlite:///{path}", "p_")


# --- a driver that is not installed --------------------------------------------------------

DRIVERS = {
    "oracle": ("oracle+oracledb://reader:pw@ppm-db:1521/?service_name=ppm", "oracledb"),
    "mssql": ("mssql+pyodbc://reader:pw@ppm-db/ppm?driver=ODBC+Driver+18", "pyodbc"),
}


@pytest.mark.parametrize("backend", list(DRIVERS))
@pytest.mark.slow
def test_a_missing_driver_names_the_package(backend, tmp_path, monkeypatch):
    url, package = DRIVERS[backend]
    assert importlib.util.find_spec(package) is None, f"{package} is installed here"
    monkeypatch.setenv("VICTIM_URL", url)
    path = source_file(tmp_path, "SELECT proj_code, title FROM p")
    result = sync(path, None, dry_run=True)
    assert [p.message for p in result.report.all_problems] == [
        f"this source needs the Python package {package} (pip install {package})"
    ]
    done = subprocess.run(
        [sys.executable, "-m", "data_loaders", "sync", str(path), "--dry-run"],
        cwd=ROOT,
        env={**os.environ, "VICTIM_URL": url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and done.stderr == ""
    assert f"ERROR: this source needs the Python package {package} (pip install {package})" in (
        done.stdout
    )


def test_the_page_names_the_missing_driver_and_refuses_a_drop(tmp_path, empty_url, monkeypatch):
    folder = tmp_path / "sources"
    source_file(folder, "SELECT proj_code, title FROM p").rename(folder / "ora.toml")
    source_file(folder, "DROP TABLE victim", env="PG_SOURCE_URL")
    monkeypatch.setenv("VICTIM_URL", DRIVERS["oracle"][0])
    monkeypatch.setenv("PG_SOURCE_URL", "postgresql://reader:pw@ppm-db/ppm")
    monkeypatch.setenv("PMO_SOURCES_DIR", str(folder))
    at = app_test().run()
    at.switch_page("pages/data/sources.py").run()
    assert not at.exception
    errors = "\n".join(str(e.value) for e in at.error)
    assert "cannot be used" in errors and "must be a SELECT, not DROP" in errors
    at.button(key="sync_ora").click().run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["message"]) == [
        "this source needs the Python package oracledb (pip install oracledb)"
    ]
