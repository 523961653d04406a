"""SQL sync against real databases: a PPM schema unlike ours in SQLite, PostgreSQL and MariaDB.

The source definition under test is ``sources/example_ppm.toml`` itself, with its table prefix
``ppm_`` replaced by a unique one per test (MariaDB's shared ``test`` database). The tables are
created as postgres / root and read as a user made by the README's read-only recipe
(``tests.sources_helpers``): a sync as postgres or root is refused.
"""

from __future__ import annotations

import threading
import uuid
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    create_engine,
    func,
    select,
    text,
)
from sqlalchemy.exc import DBAPIError

import models
import store
from data_loaders.sync import read_only, source_engine, sync
from tests.sources_helpers import reader

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "sources" / "example_ppm.toml"

PROJECTS = [
    (
        "001",
        "Core banking",
        "Digital",
        "Ann Lee",
        "Bo Kim",
        "Build",
        1200000.50,
        date(2026, 1, 5),
        date(2026, 12, 18),
    ),
    (
        "002",
        "HR portal",
        "Corporate",
        "Cy Dean",
        "Di Fox",
        "Design",
        300000,
        date(2026, 2, 2),
        date(2026, 9, 30),
    ),
    (
        "010",
        "Data centre exit",
        "Digital",
        "Ann Lee",
        "Ed Gray",
        "Build",
        2500000,
        date(2025, 10, 1),
        date(2027, 3, 31),
    ),
]
STATUS = [
    ("001", date(2026, 5, 1), "On Track", "On Track", "Watch", 40, 400000, 390000, 410000, "Fine"),
    ("001", date(2026, 5, 8), "Watch", "Watch", "Watch", 45, 450000, 430000, 470000, "Slipping"),
    (
        "002",
        date(2026, 5, 1),
        "In Trouble",
        "In Trouble",
        "On Track",
        20,
        60000,
        40000,
        65000,
        None,
    ),
    ("002", date(2026, 5, 8), "In Trouble", "Watch", "On Track", 22, 70000, 50000, 80000, "Help"),
    ("010", date(2026, 5, 1), "Paused", "Paused", "Paused", 10, None, None, None, "Paused"),
    ("010", date(2026, 5, 8), "On Track", "On Track", "On Track", 12, 300000, 300000, 290000, "Ok"),
]
RISKS = [
    ("001", 1, date(2026, 5, 8), "Vendor late", "Open", 3, 2),
    ("001", 2, date(2026, 5, 8), "Key staff leave", "Open", 1, 3),
    ("002", 1, date(2026, 5, 8), "Scope creep", "Closed", 2, 2),
    ("010", 7, date(2026, 5, 8), "Power outage", "Open", 3, 3),
]
MILESTONES = [
    (
        "001",
        "M1",
        "Design signed off",
        date(2026, 3, 1),
        date(2026, 3, 10),
        date(2026, 3, 10),
        1,
        date(2026, 5, 8),
        0,
    ),
    ("001", "M2", "Go live", date(2026, 11, 1), date(2026, 12, 1), None, 0, date(2026, 5, 8), 0),
    ("002", "M1", "Gate 2", date(2026, 6, 1), date(2026, 6, 1), None, 1, date(2026, 5, 8), 0),
    ("010", "M9", "Old plan", date(2026, 6, 1), date(2026, 6, 1), None, 0, date(2026, 5, 8), 1),
]


def source_tables(prefix: str) -> tuple[MetaData, dict[str, Table]]:
    md = MetaData()
    t = {
        "project": Table(
            f"{prefix}project",
            md,
            Column("proj_code", String(10), primary_key=True),
            Column("title", String(100)),
            Column("portfolio_name", String(50)),
            Column("sponsor_name", String(50)),
            Column("pm_name", String(50)),
            Column("phase", String(20)),
            Column("bac", Numeric(14, 2)),
            Column("start_dt", Date),
            Column("finish_dt", Date),
        ),
        "weekly_status": Table(
            f"{prefix}weekly_status",
            md,
            Column("proj_code", String(10)),
            Column("week_ending", Date),
            Column("health", String(20)),
            Column("sched_health", String(20)),
            Column("cost_health", String(20)),
            Column("pct", Integer),
            Column("pv", Numeric(14, 2)),
            Column("ev", Numeric(14, 2)),
            Column("ac", Numeric(14, 2)),
            Column("commentary", String(200)),
        ),
        "risk_log": Table(
            f"{prefix}risk_log",
            md,
            Column("proj_code", String(10)),
            Column("rid", Integer),
            Column("as_of", Date),
            Column("headline", String(100)),
            Column("state", String(20)),
            Column("prob", Integer),
            Column("sev", Integer),
        ),
        "milestone_plan": Table(
            f"{prefix}milestone_plan",
            md,
            Column("proj_code", String(10)),
            Column("ms_code", String(10)),
            Column("ms_name", String(100)),
            Column("baseline", Date),
            Column("forecast", Date),
            Column("actual", Date),
            Column("gate_flag", Integer),
            Column("snapshot", Date),
            Column("deleted", Integer),
        ),
    }
    return md, t


def _rows(table: Table, rows: list[tuple]) -> list[dict]:
    return [dict(zip(table.columns.keys(), r, strict=True)) for r in rows]


def create_source(url: str, prefix: str) -> None:
    """Create and fill the foreign PPM schema under ``prefix`` in the database at ``url``."""
    md, t = source_tables(prefix)
    engine = create_engine(url)
    md.create_all(engine)
    with engine.begin() as conn:
        conn.execute(t["project"].insert(), _rows(t["project"], PROJECTS))
        conn.execute(t["weekly_status"].insert(), _rows(t["weekly_status"], STATUS))
        conn.execute(t["risk_log"].insert(), _rows(t["risk_log"], RISKS))
        conn.execute(t["milestone_plan"].insert(), _rows(t["milestone_plan"], MILESTONES))
    engine.dispose()


def source_table_names(prefix: str) -> list[str]:
    return [t.name for t in source_tables(prefix)[1].values()]


def drop_source(url: str, prefix: str) -> None:
    md, _ = source_tables(prefix)
    engine = create_engine(url)
    md.drop_all(engine)
    engine.dispose()


def write_toml(folder: Path, prefix: str, env: str = "PPM_DB_URL", extra: str = "") -> Path:
    """The example source file with a unique table prefix (and optional extra TOML)."""
    body = EXAMPLE.read_text().replace("ppm_", prefix).replace("PPM_DB_URL", env) + extra
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ppm.toml"
    path.write_text(body)
    return path


def execute(url: str, sql: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


@pytest.fixture
def prefix() -> str:
    return f"s{uuid.uuid4().hex[:8]}_"


@pytest.fixture
def sqlite_source(tmp_path, prefix, monkeypatch) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'ppm_source.db'}"
    create_source(url, prefix)
    monkeypatch.setenv("PPM_DB_URL", url)
    return url, write_toml(tmp_path / "sources", prefix)


@pytest.fixture
def app_engine(tmp_path):
    engine = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
    yield engine
    engine.dispose()


def _canonical(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Frames without upload ids, sorted by key: comparable across syncs and databases."""
    out = {}
    for name, df in frames.items():
        if name in models.KEYS:
            df = df.drop(columns=["upload_id"], errors="ignore")
            out[name] = df.sort_values(models.KEYS[name]).reset_index(drop=True)
    return out


def _assert_same(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert set(a) == set(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_dtype=True, obj=name)


def _uploads(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.uploads)).scalar()


# --- the canonical result --------------------------------------------------------------------


def test_sqlite_sync_maps_the_foreign_schema(sqlite_source, app_engine):
    _, path = sqlite_source
    result = sync(path, app_engine)
    assert result.report.status == "loaded", result.report.all_problems
    assert result.report.totals == {
        "projects": 3,
        "status_reports": 6,
        "risks": 4,
        "milestones": 3,
    }
    frames = store.read_frames(app_engine)
    projects = frames["projects"].set_index("project_id")
    assert sorted(projects.index) == ["001", "002", "010"]  # leading zeros kept
    assert projects.loc["001", "budget"] == pytest.approx(1200000.50)
    assert projects.loc["002", "manager"] == "Di Fox"
    status = frames["status_reports"].set_index(["project_id", "report_date"])
    row = status.loc[("002", pd.Timestamp("2026-05-08"))]
    assert (row["overall_rag"], row["schedule_rag"], row["cost_rag"]) == ("Red", "Amber", "Green")
    assert row["rag_label"] == "In Trouble"
    assert status.loc[("010", pd.Timestamp("2026-05-01")), "overall_rag"] == "Grey"
    risks = frames["risks"].set_index(["project_id", "risk_id"])
    assert (risks.loc[("001", "1"), "likelihood"], risks.loc[("001", "1"), "impact"]) == (5, 3)
    assert risks.loc[("010", "7"), "likelihood"] * risks.loc[("010", "7"), "impact"] == 25
    ms = frames["milestones"].set_index(["project_id", "milestone_id"])
    assert ("010", "M9") not in ms.index  # filtered out by the source query
    assert bool(ms.loc[("001", "M1"), "is_gate"]) and not bool(ms.loc[("001", "M2"), "is_gate"])
    uploads = frames["uploads"]
    assert list(uploads["source"]) == ["sql"] and list(uploads["file_name"]) == ["ppm"]


@pytest.mark.parametrize("server", ["postgres", "mariadb"])
def test_server_sources_give_the_same_canonical_result(
    server, request, sqlite_source, prefix, tmp_path, monkeypatch
):
    url = request.getfixturevalue("pg_url" if server == "postgres" else "mariadb_url")
    _, sqlite_path = sqlite_source
    expected = sync(sqlite_path, None, dry_run=True)
    assert expected.report.status == "valid", expected.report.all_problems
    create_source(url, prefix)
    try:
        with reader(server, url, source_table_names(prefix)) as reader_url:
            monkeypatch.setenv("SERVER_DB_URL", reader_url)
            path = write_toml(tmp_path / server, prefix, env="SERVER_DB_URL")
            _check_server_sync(path, sqlite_path, expected, tmp_path, server)
    finally:
        drop_source(url, prefix)


def _check_server_sync(path, sqlite_path, expected, tmp_path, server) -> None:
    app = store.get_engine(f"sqlite:///{tmp_path / f'{server}_app.db'}")
    result = sync(path, app)
    assert result.report.status == "loaded", result.report.all_problems
    _assert_same(result.frames, expected.frames)
    sqlite_app = store.get_engine(f"sqlite:///{tmp_path / 'sqlite_app.db'}")
    sync(sqlite_path, sqlite_app)
    _assert_same(_canonical(store.read_frames(app)), _canonical(store.read_frames(sqlite_app)))
    assert result.sha256 == sync(sqlite_path, None, dry_run=True).sha256


def test_a_failing_query_is_reported_beside_the_other_tables(pg_url, prefix, tmp_path, monkeypatch):
    create_source(pg_url, prefix)
    with reader("postgres", pg_url, source_table_names(prefix)) as reader_url:
        monkeypatch.setenv("PPM_DB_URL", reader_url)
        _check_failing_query(prefix, tmp_path)


def _check_failing_query(prefix, tmp_path) -> None:
    path = write_toml(tmp_path, prefix)
    # the first table fails: the savepoint keeps the transaction usable for the others
    body = path.read_text().replace(
        f'table = "{prefix}project"', f'query = "SELECT proj_code, title FROM {prefix}projekt"'
    )
    path.write_text(body)
    app = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
    result = sync(path, app)
    assert result.report.status == "rejected" and _uploads(app) == 0
    messages = [p.message for p in result.report.all_problems]
    assert len(messages) == 1 and messages[0].startswith("the query failed:")
    assert f"{prefix}projekt" in messages[0]
    assert result.report.totals == {"status_reports": 6, "risks": 4, "milestones": 3}


# --- re-sync ---------------------------------------------------------------------------------


def test_resync_is_idempotent_and_changes_become_versions(sqlite_source, prefix, app_engine):
    url, path = sqlite_source
    first = sync(path, app_engine)
    before = _canonical(store.read_frames(app_engine))
    again = sync(path, app_engine)
    assert (first.report.status, again.report.status) == ("loaded", "duplicate")
    assert _uploads(app_engine) == 1
    _assert_same(_canonical(store.read_frames(app_engine)), before)

    table = prefix
    execute(url, f"UPDATE {table}weekly_status SET health = 'In Trouble' WHERE proj_code = '001'")
    changed = sync(path, app_engine)
    assert changed.report.status == "loaded"
    assert changed.changed["status_reports"] == 2 and changed.changed["projects"] == 0
    status = store.read_frames(app_engine)["status_reports"]
    assert set(status.loc[status.project_id == "001", "overall_rag"]) == {"Red"}
    with app_engine.connect() as conn:
        history = conn.execute(select(models.replaced_rows.c.row_json)).scalars().all()
    assert len(history) == 2 and all('"001"' in h for h in history)

    # back to the original data: a real change again, not "already loaded"
    for week, word in (("2026-05-01", "On Track"), ("2026-05-08", "Watch")):
        execute(
            url,
            f"UPDATE {table}weekly_status SET health = '{word}' "
            f"WHERE week_ending = '{week}' AND proj_code = '001'",
        )
    reverted = sync(path, app_engine)
    assert reverted.report.status == "loaded"
    _assert_same(_canonical(store.read_frames(app_engine)), before)
    assert sync(path, app_engine).report.status == "duplicate"


def test_dry_run_writes_nothing(sqlite_source, app_engine):
    _, path = sqlite_source
    result = sync(path, app_engine, dry_run=True)
    assert result.report.status == "valid" and result.report.totals["status_reports"] == 6
    assert _uploads(app_engine) == 0


# --- errors: nothing written -----------------------------------------------------------------


def _rejected(path, app_engine) -> list[str]:
    result = sync(path, app_engine)
    assert result.report.status == "rejected"
    assert _uploads(app_engine) == 0
    return [p.message for p in result.report.all_problems if p.severity == "error"]


def test_unreachable_server(tmp_path, prefix, app_engine, monkeypatch):
    monkeypatch.setenv("PPM_DB_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    messages = _rejected(write_toml(tmp_path, prefix), app_engine)
    assert len(messages) == 1 and messages[0].startswith("cannot reach the database server")


def test_wrong_credentials(mariadb_url, tmp_path, prefix, app_engine, monkeypatch):
    host = mariadb_url.split("@", 1)[1]
    monkeypatch.setenv("PPM_DB_URL", f"mysql+pymysql://nobody_{prefix}:wrong@{host}")
    messages = _rejected(write_toml(tmp_path, prefix), app_engine)
    assert len(messages) == 1 and "refused the credentials" in messages[0]
    assert "wrong" not in messages[0]  # the password is never echoed


def test_missing_table_and_missing_column(sqlite_source, app_engine):
    url, path = sqlite_source
    text_ = path.read_text()
    path.write_text(
        text_.replace('risk_log"', 'risk_register"').replace('"commentary"', '"remarks"')
    )
    messages = _rejected(path, app_engine)
    assert any("risk_register" in m and "not found" in m for m in messages)
    assert any("'remarks' not found" in m for m in messages)


def test_mapping_to_a_field_that_does_not_exist(sqlite_source, app_engine):
    _, path = sqlite_source
    path.write_text(path.read_text().replace('summary = "commentary"', 'sumary = "commentary"'))
    messages = _rejected(path, app_engine)
    assert len(messages) == 1 and "'sumary' is not a field of status_reports" in messages[0]


def test_values_that_do_not_map(sqlite_source, prefix, app_engine):
    url, path = sqlite_source
    table = prefix
    execute(url, f"UPDATE {table}weekly_status SET health = 'Wobbly' WHERE proj_code = '002'")
    execute(url, f"UPDATE {table}risk_log SET prob = 4 WHERE rid = 7")
    result = sync(path, app_engine)
    assert result.report.status == "rejected" and _uploads(app_engine) == 0
    problems = {p.column: p for p in result.report.all_problems}
    assert problems["health"].value == "Wobbly" and "2 row(s)" in problems["health"].message
    assert problems["prob"].value == "4" and "scales.likelihood" in problems["prob"].message


def test_query_returning_duplicate_keys(sqlite_source, prefix, app_engine):
    url, path = sqlite_source
    table = prefix
    execute(
        url,
        f"INSERT INTO {table}milestone_plan "
        "VALUES ('001', 'M1', 'Again', NULL, NULL, NULL, 0, '2026-05-08', 0)",
    )
    messages = _rejected(path, app_engine)
    assert messages == [
        "duplicate key: the source returns project_id=001, milestone_id=M1, "
        "report_date=2026-05-08 2 times (rows 1, 4)"
    ]


def test_a_literal_password_is_refused(tmp_path, prefix, app_engine):
    path = write_toml(tmp_path, prefix)
    path.write_text(path.read_text().replace('"${PPM_DB_URL}"', '"postgresql://u:hunter2@db/ppm"'))
    messages = _rejected(path, app_engine)
    assert len(messages) == 1 and "never put secrets in this file" in messages[0]
    assert "hunter2" not in messages[0]


def test_a_missing_secret_is_named(tmp_path, prefix, app_engine, monkeypatch):
    monkeypatch.delenv("PPM_DB_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    messages = _rejected(write_toml(tmp_path, prefix), app_engine)
    assert len(messages) == 1 and "PPM_DB_URL is not set" in messages[0]


def test_secret_from_secrets_toml(sqlite_source, app_engine, tmp_path, monkeypatch):
    url, path = sqlite_source
    monkeypatch.delenv("PPM_DB_URL")
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(f'[sources]\nPPM_DB_URL = "{url}"\n')
    monkeypatch.chdir(tmp_path)
    assert sync(path, app_engine).report.status == "loaded"


def test_unknown_project_in_a_child_table(sqlite_source, prefix, app_engine):
    url, path = sqlite_source
    table = prefix
    execute(url, f"UPDATE {table}risk_log SET proj_code = '999' WHERE rid = 7")
    messages = _rejected(path, app_engine)
    assert messages == [
        "1 project id(s) are neither in the source's projects nor in the app database"
    ]


# --- read-only -------------------------------------------------------------------------------


@pytest.mark.parametrize("server", ["sqlite", "postgres", "mariadb"])
def test_the_source_connection_cannot_write(server, request, tmp_path, prefix):
    if server == "sqlite":
        url = f"sqlite:///{tmp_path / 'ro.db'}"
    else:
        url = request.getfixturevalue("pg_url" if server == "postgres" else "mariadb_url")
    create_source(url, prefix)
    try:
        engine = source_engine(url)
        with pytest.raises(DBAPIError), read_only(engine) as conn:
            conn.execute(text(f"DELETE FROM {prefix}risk_log"))
        engine.dispose()
        check = create_engine(url)
        with check.connect() as conn:
            assert conn.execute(text(f"SELECT COUNT(*) FROM {prefix}risk_log")).scalar() == 4
        check.dispose()
    finally:
        drop_source(url, prefix)


def test_a_missing_sqlite_file_is_not_created(tmp_path, prefix, app_engine, monkeypatch):
    missing = tmp_path / "nope.db"
    monkeypatch.setenv("PPM_DB_URL", f"sqlite:///{missing}")
    messages = _rejected(write_toml(tmp_path, prefix), app_engine)
    assert "not found" in messages[0] and not missing.exists()


# --- a reader during a sync --------------------------------------------------------------------


def test_a_reader_sees_before_or_after_never_a_mix(sqlite_source, prefix, app_engine):
    url, path = sqlite_source
    assert sync(path, app_engine).report.status == "loaded"

    def signature(frames) -> tuple:
        status = frames["status_reports"].sort_values(["project_id", "report_date"])
        risks = frames["risks"].sort_values(["project_id", "risk_id"])
        return tuple(status["overall_rag"]), tuple(risks["likelihood"]), len(frames["uploads"])

    before = signature(store.read_frames(app_engine))
    table = prefix
    execute(url, f"UPDATE {table}weekly_status SET health = 'In Trouble'")
    execute(url, f"UPDATE {table}risk_log SET prob = 1")

    seen: list[tuple] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def reader():
        try:  # the app's own engine: a pooled connection of its own per thread
            while not done.is_set() or len(seen) < 3:
                seen.append(signature(store.read_frames(app_engine)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        result = sync(path, app_engine)
    finally:
        done.set()
        thread.join()
    assert result.report.status == "loaded"
    after = signature(store.read_frames(app_engine))
    assert before != after and not errors
    assert set(seen) <= {before, after}
