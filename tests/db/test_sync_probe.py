"""Issue 24's probe of "read-only" SQL sources, replayed on real PostgreSQL (dblink) and MariaDB.

Each finding is a test: dblink_exec deleting through a read-only sync, pg_terminate_backend ending
another session, pg_read_file / LOAD_FILE loading server files, pg_sleep running on after the
client, an unbounded row count, a privileged database user, and "Sync now" reading inside the web
server. Tables and views are created by the test as postgres / root (the owner); the source reads
as postgres / root where the finding did, else as the README recipe's read-only user.
"""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import store
from config import get_config
from data_loaders.source_role import grant_problems
from data_loaders.sql_source import SourceError, check_query, load_source
from data_loaders.sync import sync
from tests.conftest import PG_ADMIN_URL, app_test, require
from tests.sources_helpers import mariadb_reader, pg_reader, run

README = 'docs/security.md, "SQL sources: run them with a read-only user"'
# A projects table without start and end dates is refused today (KeyError 'end_date' in the
# projects schema check), so every projects source here has them, empty.
DATES = "start_date DATE, end_date DATE"
ROWS = "('001', 'a'), ('002', 'b'), ('003', 'c')"
PG_DATES = "NULL::date AS start_date, NULL::date AS end_date"


def source_file(folder: Path, what: str, extra: str = "", env: str = "PROBE_URL") -> Path:
    """A source reading canonical projects from ``what`` (``table = ...`` or ``query = ...``)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "probe.toml"
    path.write_text(
        f'[source]\nname = "probe"\nurl = "${{{env}}}"\n{extra}\n\n'
        f"[tables.projects]\n{what}\n"
        '[tables.projects.columns]\nproject_id = "proj_code"\nname = "title"\n'
    )
    return path


def query(sql: str) -> str:
    return f"query = '''{sql}'''"


def count(url: str, table: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar()
    finally:
        engine.dispose()


def messages(result, severity: str = "error") -> list[str]:
    return [p.message for p in result.report.all_problems if p.severity == severity]


@pytest.fixture
def pg(pg_url):
    """A PostgreSQL source database with dblink installed and a victim table of three rows."""
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        available = conn.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'dblink'")
        ).first()
    engine.dispose()
    if available is None:  # Debian: part of postgresql-NN; elsewhere postgresql-contrib
        require("the dblink extension is not installed (apt-get install postgresql-contrib)")
    run(
        pg_url,
        [
            "CREATE EXTENSION dblink",
            "CREATE TABLE victim (proj_code VARCHAR(10), title VARCHAR(200), " + DATES + ")",
            f"INSERT INTO victim (proj_code, title) VALUES {ROWS}",
        ],
    )
    return pg_url


@pytest.fixture
def maria(mariadb_url):
    """The MariaDB test database with a victim table of three rows (unique name)."""
    name = f"victim_{uuid.uuid4().hex[:8]}"
    try:  # the shared test database: dropped whatever happens
        run(
            mariadb_url,
            [
                f"CREATE TABLE {name} (proj_code VARCHAR(10), title VARCHAR(200), {DATES})",
                f"INSERT INTO {name} (proj_code, title) VALUES {ROWS}",
            ],
        )
        yield mariadb_url, name
    finally:
        run(mariadb_url, [f"DROP TABLE IF EXISTS {name}", f"DROP VIEW IF EXISTS {name}_v"])


def database(url: str) -> str:
    return make_url(url).database


# --- dblink_exec wrote through a read-only sync ------------------------------------------------


@pytest.mark.parametrize("allow", [False, True], ids=["default", "allow_privileged_user"])
def test_dblink_exec_in_a_query_deletes_nothing(pg, tmp_path, monkeypatch, allow):
    """The finding: SELECT ..., dblink_exec('dbname=src', 'DELETE FROM victim') emptied victim,
    --dry-run included. The query check refuses it whatever the user (allowed or not)."""
    monkeypatch.setenv("PROBE_URL", pg)  # postgres, a superuser, as in the probe
    sql = f"SELECT *, dblink_exec('dbname={database(pg)}', 'DELETE FROM victim') "
    path = source_file(tmp_path, query(sql + "AS gone FROM victim"),
                       "allow_privileged_user = true" if allow else "")  # fmt: skip
    result = sync(path, None, dry_run=True)
    assert count(pg, "victim") == 3
    assert result.report.status == "rejected"
    assert any("dblink_exec()" in m for m in messages(result)), messages(result)


def test_dblink_exec_in_a_view_is_stopped_by_the_role_check(pg, tmp_path, monkeypatch):
    """A view hides the call from the query check: the database user stops it. As postgres the
    sync is refused before reading; as a reader without the recipe's dblink step too; as the
    recipe's reader the server refuses to run dblink_exec. The victim keeps its rows each time."""
    db = database(pg)
    run(pg, [f"CREATE VIEW evil AS SELECT *, dblink_exec('dbname={db}', "
             "'DELETE FROM victim') AS gone FROM victim"])  # fmt: skip
    path = source_file(tmp_path, 'table = "evil"')

    monkeypatch.setenv("PROBE_URL", pg)
    result = sync(path, None, dry_run=True)
    assert count(pg, "victim") == 3
    assert "is a superuser" in messages(result)[0] and README in messages(result)[0]

    with pg_reader(pg, ["victim", "evil"], revoke_dblink=False) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        result = sync(path, None, dry_run=True)
        assert "may run the dblink extension's functions" in messages(result)[0]
    with pg_reader(pg, ["victim", "evil"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        result = sync(path, None, dry_run=True)
        assert "permission denied for function dblink_exec" in messages(result)[0]
    assert count(pg, "victim") == 3


# --- pg_terminate_backend ended another session ------------------------------------------------


def test_pg_terminate_backend_ends_no_other_session(pg, tmp_path, monkeypatch):
    other = create_engine(PG_ADMIN_URL)  # a session on another database
    try:
        with other.connect() as conn:
            pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
            monkeypatch.setenv("PROBE_URL", pg)
            sql = ("SELECT pg_terminate_backend(pid)::text AS proj_code, datname AS title, "
                   f"{PG_DATES} FROM pg_stat_activity WHERE pid = {pid}")  # fmt: skip
            result = sync(source_file(tmp_path, query(sql)), None, dry_run=True)
            assert conn.execute(text("SELECT 1")).scalar() == 1  # still alive
            assert result.report.status == "rejected"
            assert "pg_terminate_backend()" in messages(result)[0]
    finally:
        other.dispose()


# --- pg_read_file / LOAD_FILE loaded server files ----------------------------------------------

# the dates: see DATES
MARIA_DATES = "CAST(NULL AS DATE) AS start_date, CAST(NULL AS DATE) AS end_date"
SERVER_FILES = {
    "pg_read_file": ("postgres", "SELECT '001' AS proj_code, pg_read_file('/etc/hostname') "
                                 f"AS title, {PG_DATES}"),
    "load_file": ("mariadb", "SELECT '001' AS proj_code, LOAD_FILE('/etc/hostname') AS title, "
                             f"{MARIA_DATES}"),
    "pg_user": ("postgres", f"SELECT usename AS proj_code, passwd AS title, {PG_DATES} "
                            "FROM pg_user"),
    "mysql.user": ("mariadb", f"SELECT CONCAT(User, '@', Host) AS proj_code, Password AS title, "
                              f"{MARIA_DATES} FROM mysql.user"),
}  # fmt: skip


@pytest.mark.parametrize("finding", list(SERVER_FILES))
def test_server_files_and_catalogs_are_not_read(finding, request, tmp_path, monkeypatch):
    server, sql = SERVER_FILES[finding]
    url = request.getfixturevalue("pg_url" if server == "postgres" else "mariadb_url")
    monkeypatch.setenv("PROBE_URL", url)  # postgres / root, as in the probe
    result = sync(source_file(tmp_path, query(sql)), None, dry_run=True)
    assert result.report.status == "rejected" and not result.frames
    assert finding in messages(result)[0], messages(result)


def test_a_catalog_table_is_refused_in_the_source_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PROBE_URL", "postgresql://reader@127.0.0.1:1/ppm")
    for name in ("pg_catalog.pg_authid", "information_schema.tables", "pg_stat_activity"):
        with pytest.raises(SourceError, match=f"the table is {name}, a system catalog"):
            load_source(source_file(tmp_path, f'table = "{name}"'))


@pytest.mark.parametrize(
    ("dialect", "sql", "named"),
    [
        ("postgres", "SELECT pg_sleep(600)", "pg_sleep()"),
        ("postgres", "SELECT set_config('role', 'postgres', true)", "set_config()"),
        ("postgres", "SELECT current_setting('data_directory')", "current_setting()"),
        ("postgres", "SELECT lo_import('/etc/passwd')", "lo_import()"),
        ("postgres", "SELECT a FROM dblink('dbname=x', 'SELECT 1') AS t(a int)", "dblink()"),
        ("postgres", "SELECT pg_catalog.pg_read_file('/etc/hostname')",
         "pg_catalog.pg_read_file()"),
        ("postgres", "SELECT evil.age(d) FROM t", "evil.age()"),
        ("postgres", "SELECT * FROM pg_catalog.pg_roles", "pg_catalog.pg_roles, a system catalog"),
        ("postgres", "SELECT a FROM t WHERE a IN (SELECT query FROM pg_stat_activity)",
         "pg_stat_activity, a system catalog"),
        ("mysql", "SELECT SLEEP(600)", "sleep()"),
        ("mysql", "SELECT BENCHMARK(100000000, MD5('a'))", "benchmark()"),
        ("mysql", "SELECT GET_LOCK('x', 10)", "get_lock()"),
        ("mysql", "SELECT @@secure_file_priv", "server variable"),
        ("mysql", "SELECT * FROM performance_schema.threads", "performance_schema.threads"),
        ("mysql", "SELECT * FROM sys.processlist", "sys.processlist"),
        ("mysql", "SELECT * FROM information_schema.processlist", "information_schema.processlist"),
        ("sqlite", "SELECT load_extension('x.so')", "load_extension()"),
        ("sqlite", "SELECT sql FROM sqlite_master", "sqlite_master, a system catalog"),
    ],
)  # fmt: skip
def test_server_functions_and_catalogs_are_refused_by_name(dialect, sql, named):
    problem = check_query(sql, dialect) or ""
    assert named in problem, problem


@pytest.mark.parametrize(
    ("dialect", "sql"),
    [
        ("postgres", "SELECT upper(trim(a)), coalesce(b, ''), nullif(c, 0), a::date, "
                     "CASE WHEN d > now() - INTERVAL '7 days' THEN 'new' END, age(d), "
                     "date_trunc('week', d), round(e::numeric, 2), string_agg(f, ', '), "
                     "count(DISTINCT g), row_number() OVER (PARTITION BY a ORDER BY d) "
                     "FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.a = t.a) GROUP BY 1"),
        ("mysql", "SELECT IFNULL(a, b), DATE_FORMAT(d, '%Y-%m-%d'), STR_TO_DATE(c, '%d/%m/%Y'), "
                  "CONCAT_WS('-', a, b), GROUP_CONCAT(a), YEAR(d), NOW() FROM t"),
        ("sqlite", "SELECT date('now'), strftime('%Y', d), ifnull(a, b), substr(a, 1, 2) FROM t"),
        ("tsql", "SELECT ISNULL(a, b), DATEADD(day, 1, d), LEN(a), GETDATE() FROM t"),
    ],
)  # fmt: skip
def test_ordinary_functions_pass(dialect, sql):
    assert check_query(sql, dialect) is None


# --- pg_sleep / SLEEP ran on after the client ----------------------------------------------


def pg_running(url: str, needle: str) -> list[str]:
    """Queries still running on the server whose text holds ``needle``."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return list(
                conn.execute(
                    text("SELECT query FROM pg_stat_activity WHERE state = 'active' "
                         "AND query LIKE :needle AND pid <> pg_backend_pid()"),
                    {"needle": f"%{needle}%"},
                ).scalars()
            )  # fmt: skip
    finally:
        engine.dispose()


@pytest.mark.parametrize("what", ['table = "slow"', query("SELECT proj_code, title FROM slow")])
def test_a_slow_postgresql_query_is_cancelled_on_the_server(pg, tmp_path, monkeypatch, what):
    run(pg, ["CREATE VIEW slow AS SELECT '001'::text AS proj_code, 'x'::text AS title "
             "FROM (SELECT pg_sleep(30)) AS s"])  # fmt: skip
    with pg_reader(pg, ["slow"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        path = source_file(tmp_path, what, "statement_timeout_seconds = 1")
        started = time.monotonic()
        result = sync(path, store.get_engine(f"sqlite:///{tmp_path / 'app.db'}"))
        assert time.monotonic() - started < 15
    assert result.report.status == "rejected"
    assert messages(result) == [
        "the source query ran longer than 1 s (statement_timeout_seconds) and was cancelled on "
        "the server: nothing written. Make the query faster (an index, a view), or raise "
        "statement_timeout_seconds in [source] of probe.toml"
    ]
    assert pg_running(pg, "slow") == []
    assert store.read_frames(store.get_engine(f"sqlite:///{tmp_path / 'app.db'}"))["uploads"].empty


def test_a_killed_worker_leaves_no_query_running(pg, tmp_path, monkeypatch):
    """The finding: pg_sleep(600) kept running on the server after the client was killed. The
    worker is killed at its wall time (3 s); the server cancels the query at 5 s by itself."""
    run(pg, ["CREATE VIEW slow AS SELECT '001'::text AS proj_code, 'x'::text AS title "
             "FROM (SELECT pg_sleep(60)) AS s"])  # fmt: skip
    config = get_config()
    config = replace(config, ingest=replace(config.ingest, sync_timeout_seconds=3))
    with pg_reader(pg, ["slow"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        path = source_file(tmp_path, 'table = "slow"', "statement_timeout_seconds = 5")
        result = sync(path, None, dry_run=True, config=config, isolated=True)
        assert "ingest.sync_timeout_seconds" in messages(result)[0]
        deadline = time.monotonic() + 15
        while pg_running(pg, "slow") and time.monotonic() < deadline:
            time.sleep(0.5)
        assert pg_running(pg, "slow") == []


def test_a_slow_mariadb_query_is_cancelled_on_the_server(maria, tmp_path, monkeypatch):
    url, name = maria
    run(url, [f"CREATE VIEW {name}_v AS SELECT '001' AS proj_code, "
              "IF(SLEEP(30) = 0, 'x', 'y') AS title"])  # fmt: skip
    with mariadb_reader(url, [f"{name}_v"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        path = source_file(tmp_path, f'table = "{name}_v"', "statement_timeout_seconds = 1")
        started = time.monotonic()
        result = sync(path, None, dry_run=True)
        assert time.monotonic() - started < 15
        assert "ran longer than 1 s (statement_timeout_seconds)" in messages(result)[0]
    engine = create_engine(url)
    with engine.connect() as conn:
        running = conn.execute(
            text(
                "SELECT COUNT(*) FROM information_schema.processlist WHERE info LIKE :v "
                "AND id <> CONNECTION_ID()"
            ),
            {"v": f"%{name}_v%"},
        ).scalar()
    engine.dispose()
    assert running == 0


# --- rows are capped and read in chunks ----------------------------------------------------


@pytest.mark.parametrize("what", ['table = "many"', query("SELECT proj_code, title FROM many")])
def test_rows_over_the_cap_are_refused_before_the_rest_is_read(pg, tmp_path, monkeypatch, what):
    """100,000 rows, capped at 20,000: refused, nothing written. Row 45,001 on divides by zero,
    so a read that fetched the whole result first would fail with that instead."""
    run(pg, ["CREATE VIEW many AS SELECT lpad(i::text, 7, '0') AS proj_code, "
             "CASE WHEN i > 45000 THEN (i / 0)::text ELSE 'p' || i END AS title "
             "FROM generate_series(1, 100000) AS i"])  # fmt: skip
    app = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with pg_reader(pg, ["many"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        path = source_file(tmp_path, what, "max_rows_per_table = 20000")
        result = sync(path, app)
    assert result.report.status == "rejected"
    assert len(messages(result)) == 1 and "more than 20,000 rows" in messages(result)[0]
    assert "max_rows_per_table" in messages(result)[0]
    assert store.read_frames(app)["uploads"].empty


def test_rows_over_the_cap_on_mariadb(maria, tmp_path, monkeypatch):
    url, name = maria
    run(url, [f"CREATE VIEW {name}_v AS SELECT LPAD(seq, 7, '0') AS proj_code, "
              f"CONCAT('p', seq) AS title, {MARIA_DATES} FROM seq_1_to_50000"])  # fmt: skip
    with mariadb_reader(url, [f"{name}_v"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        path = source_file(tmp_path, f'table = "{name}_v"', "max_rows_per_table = 20000")
        result = sync(path, None, dry_run=True)
        assert "more than 20,000 rows" in messages(result)[0]
        ok = sync(source_file(tmp_path, f'table = "{name}_v"', "max_rows_per_table = 50000"),
                  None, dry_run=True)  # fmt: skip
        assert ok.report.status == "valid" and ok.report.totals == {"projects": 50000}


# --- the database user ---------------------------------------------------------------------


def test_a_superuser_is_refused_a_reader_accepted_and_allowed_with_a_warning(
    pg, tmp_path, monkeypatch
):
    path = source_file(tmp_path, 'table = "victim"')
    monkeypatch.setenv("PROBE_URL", pg)
    refused = sync(path, None, dry_run=True)
    assert refused.report.status == "rejected" and not refused.frames
    assert messages(refused) == [
        "the database user 'postgres' can do more than read: it is a superuser (can do "
        "anything, also outside the database). Nothing was read: give the source a read-only "
        f"user (see {README}), or set allow_privileged_user = true in [source] of "
        "probe.toml to sync with this user anyway"
    ]
    allowed = sync(source_file(tmp_path, 'table = "victim"', "allow_privileged_user = true"),
                   None, dry_run=True)  # fmt: skip
    assert allowed.report.status == "valid", allowed.report.all_problems
    assert "is a superuser" in messages(allowed, "warning")[0]
    assert "allow_privileged_user = true" in messages(allowed, "warning")[0]
    with pg_reader(pg, ["victim"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        accepted = sync(source_file(tmp_path, 'table = "victim"'), None, dry_run=True)
    assert accepted.report.status == "valid" and accepted.report.all_problems == []


PG_EXTRA = {
    "INSERT": ("GRANT INSERT ON victim TO {role}", "may INSERT, UPDATE, DELETE or TRUNCATE"),
    "column UPDATE": ("GRANT UPDATE (title) ON victim TO {role}", "public.victim"),
    "pg_read_server_files": ("GRANT pg_read_server_files TO {role}", "reads the server's files"),
    "pg_signal_backend": ("GRANT pg_signal_backend TO {role}", "other sessions"),
    "pg_execute_server_program": ("GRANT pg_execute_server_program TO {role}", "runs programs"),
    "pg_read_file": ("GRANT EXECUTE ON FUNCTION pg_read_file(text) TO {role}", "pg_read_file()"),
    "CREATE on schema": ("GRANT CREATE ON SCHEMA public TO {role}", "CREATE on schema public"),
    "member of a writer": ("CREATE ROLE writer_{role} NOLOGIN; "
                           "GRANT INSERT ON victim TO writer_{role}; "
                           "GRANT writer_{role} TO {role}; ALTER ROLE {role} NOINHERIT",
                           "is a member of writer_"),
    "not read-only": ("ALTER ROLE {role} RESET default_transaction_read_only",
                      "default_transaction_read_only"),
}  # fmt: skip


@pytest.mark.parametrize("extra", list(PG_EXTRA))
def test_a_postgresql_user_that_can_do_more_than_read_is_refused(pg, tmp_path, monkeypatch, extra):
    grant, expected = PG_EXTRA[extra]
    with pg_reader(pg, ["victim"]) as reader_url:
        role = make_url(reader_url).username
        run(pg, grant.format(role=role).split("; "))
        try:
            monkeypatch.setenv("PROBE_URL", reader_url)
            result = sync(source_file(tmp_path, 'table = "victim"'), None, dry_run=True)
        finally:  # roles outlive the test's database: drop the one this case made
            if "writer_" in grant:
                run(pg, [f"DROP OWNED BY writer_{role}", f"DROP ROLE writer_{role}"])
    assert result.report.status == "rejected" and not result.frames
    problem = messages(result)[0]
    assert expected in problem and f"'{role}' can do more than read" in problem


def test_mariadb_root_is_refused_and_a_reader_accepted(maria, tmp_path, monkeypatch):
    url, name = maria
    path = source_file(tmp_path, f'table = "{name}"')
    monkeypatch.setenv("PROBE_URL", url)
    refused = sync(path, None, dry_run=True)
    assert refused.report.status == "rejected"
    assert "has ALL PRIVILEGES on *.*" in messages(refused)[0]
    with mariadb_reader(url, [name]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        accepted = sync(path, None, dry_run=True)
        assert accepted.report.status == "valid" and accepted.report.all_problems == []
        user = make_url(reader_url).username
        run(url, [f"GRANT INSERT ON `{make_url(url).database}`.`{name}` TO '{user}'@'%'",
                  f"GRANT FILE ON *.* TO '{user}'@'%'"])  # fmt: skip
        refused = sync(path, None, dry_run=True)
    assert "has FILE on *.*" in messages(refused)[0] and "has INSERT on" in messages(refused)[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("GRANT USAGE ON *.* TO `r`@`%` IDENTIFIED BY PASSWORD '*AB'", []),
        ("GRANT SELECT, SHOW VIEW ON `ppm`.* TO `r`@`%`", []),
        ("GRANT SELECT (`a`, `b`) ON `ppm`.`t` TO `r`@`%`", []),
        ("GRANT SELECT, INSERT ON `ppm`.* TO `r`@`%`", ["has INSERT on `ppm`.*"]),
        ("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION",
         ["has ALL PRIVILEGES on *.*", "may grant its privileges to others (WITH GRANT OPTION)"]),
        ("GRANT PROXY ON ''@'%' TO 'root'@'localhost'", ["has PROXY on ''@'%'"]),
        ("GRANT `writer` TO `r`@`%`",
         ["is granted the role `writer` (grant SELECT to the user itself)"]),
        ("GRANT BACKUP_ADMIN,FILE ON *.* TO `r`@`%`", ["has BACKUP_ADMIN, FILE on *.*"]),
    ],
)  # fmt: skip
def test_show_grants_lines(line, expected):
    assert grant_problems(line) == expected


# --- "Sync now" reads in a worker, not in the web server -----------------------------------


def test_sync_now_reads_in_a_worker_process(pg, tmp_path, empty_url, monkeypatch):
    """The source returns the application_name of the connection that reads it, which names
    the reading process: the page's process (this test's, under AppTest) never reads."""
    run(pg, ["CREATE VIEW who AS SELECT '001'::text AS proj_code, "
             f"current_setting('application_name') AS title, {PG_DATES}"])  # fmt: skip
    folder = tmp_path / "sources"
    with pg_reader(pg, ["who"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        source_file(folder, 'table = "who"')
        monkeypatch.setenv("PMO_SOURCES_DIR", str(folder))
        at = app_test().run()
        at.switch_page("pages/data/sources.py").run()
        at.button(key="sync_probe").click().run()
    assert not at.exception
    assert [str(s.value) for s in at.success][-1].startswith("Synced: new or changed 1 projects")
    name = store.read_frames(store.get_engine(empty_url))["projects"]["name"].iloc[0]
    assert name.startswith("PMO Lens sync (pid ") and name != f"PMO Lens sync (pid {os.getpid()})"


def test_a_source_too_big_for_the_worker_is_refused_naming_the_limit(pg, tmp_path, monkeypatch):
    """The finding: a huge source grew the web server to 1.8 GB. In the worker, with a 700 MB
    memory limit, 300,000 rows of 2 KB are refused with a message naming the limit."""
    run(pg, ["CREATE VIEW huge AS SELECT lpad(i::text, 7, '0') AS proj_code, "
             "repeat('x', 2000) || i AS title FROM generate_series(1, 300000) AS i"])  # fmt: skip
    config = get_config()
    config = replace(config, ingest=replace(config.ingest, sync_memory_mb=700))
    app = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with pg_reader(pg, ["huge"]) as reader_url:
        monkeypatch.setenv("PROBE_URL", reader_url)
        result = sync(source_file(tmp_path, 'table = "huge"'), app, config=config, isolated=True)
    assert result.report.status == "rejected"
    assert messages(result)[0].startswith(
        "reading the source needs more than 700 MB of memory (memory limit, ingest.sync_memory_mb)"
    )
    assert store.read_frames(app)["uploads"].empty
