"""store.read_frames reads compact, columnar frames that hold exactly the stored values, on
SQLite and PostgreSQL (ADBC, Arrow from the driver) and MariaDB (driver cursor in chunks); long
text the frames leave out is read per project; bulk writes (COPY, executemany) store what they
are given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, text

import models
import store
from analytics.snapshot import latest_snapshot
from sample_data import write_sample
from tests.conftest import MARIADB_URL, ROOT, _reachable, app_test, require


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def app_url(request, tmp_path):
    """An empty app database on each backend the store supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'pmo.db'}"
        return
    if request.param == "postgres":
        yield request.getfixturevalue("pg_url")
        return
    if not _reachable(MARIADB_URL):
        require(f"MariaDB not reachable at {MARIADB_URL}")
    name = f"pmo_store_{uuid.uuid4().hex[:12]}"
    admin = create_engine(MARIADB_URL)
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield MARIADB_URL.rsplit("/", 1)[0] + f"/{name}"
    store.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


def _plain(series: pd.Series) -> list:
    """Values as plain Python: missing -> None, timestamps -> dates, numpy scalars unwrapped."""
    out = []
    for v in series.astype(object):
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.date())
        elif hasattr(v, "item"):
            out.append(v.item())
        else:
            out.append(v)
    return out


def test_frames_hold_the_stored_values_compactly(app_url):
    engine = store.get_engine(app_url)
    write_sample(engine, n_projects=12)
    frames = store.read_frames(engine)
    with engine.connect() as conn:
        for name, table in models.FACT_TABLES.items():
            cols = store.frame_columns(name)
            keys = models.KEYS[name]
            # The reference: SQLAlchemy rows, one Python object per value.
            want = pd.read_sql(select(*[table.c[c] for c in cols]), conn)
            got = frames[name]
            assert list(got.columns) == cols
            assert len(got) == len(want) > 0, name
            got = got.astype(dict.fromkeys(keys, str)).sort_values(keys, ignore_index=True)
            want = want.astype(dict.fromkeys(keys, str)).sort_values(keys, ignore_index=True)
            for col in cols:
                assert _plain(got[col]) == _plain(want[col]), f"{name}.{col}"
            assert not [c for c in cols if got[c].dtype == object], name
        # the uploads come from the same read transaction, with the same values
        want = store.read_uploads(conn)
        assert list(frames["uploads"].columns) == list(want.columns)
        for col in want:
            assert _plain(frames["uploads"][col]) == _plain(want[col]), f"uploads.{col}"
    status = frames["status_reports"]
    assert isinstance(status["project_id"].dtype, pd.CategoricalDtype)
    assert str(status["summary"].dtype) == "str"
    assert str(status["report_date"].dtype) == "datetime64[s]"
    assert str(frames["milestones"]["is_gate"].dtype) == "boolean"
    assert "description" not in frames["risks"] and "description" not in frames["raid_items"]
    # a register's item text is held once per distinct value; one snapshot of it is plain text
    # again, so it takes a value outside those (a placeholder)
    assert models.REGISTER_TEXT["risks"] == [
        "title", "description", "category", "owner", "status", "response",
    ]  # fmt: skip
    for col in ("title", "owner", "status"):
        assert isinstance(frames["risks"][col].dtype, pd.CategoricalDtype), col
    assert isinstance(frames["milestones"]["name"].dtype, pd.CategoricalDtype)
    assert isinstance(frames["benefits"]["measure"].dtype, pd.CategoricalDtype)
    latest = latest_snapshot(frames["risks"], frames["risks"]["report_date"].max())
    assert str(latest["owner"].dtype) == "str" and len(latest) > 0
    assert isinstance(latest["risk_id"].dtype, pd.CategoricalDtype)  # ids stay categorical
    marked = latest["owner"].where(latest.index != latest.index[0], "(no owner)")
    assert marked.iloc[0] == "(no owner)"
    # sorting by an id sorts as text: the categories are in order, not in the order first met
    risks = frames["risks"]
    assert list(risks["risk_id"].cat.categories) == sorted(risks["risk_id"].astype(str).unique())
    by_id = risks.sort_values(["project_id", "risk_id"])
    assert by_id["risk_id"].astype(str).tolist() == (
        risks.astype({"project_id": str, "risk_id": str})
        .sort_values(["project_id", "risk_id"])["risk_id"]
        .tolist()
    )


def _projects(*ids: str) -> pd.DataFrame:
    return models.conform("projects", pd.DataFrame({"project_id": ids, "name": ids}))


def test_text_survives_the_columnar_path(app_url):
    """Commas, quotes, line breaks, an empty text and a missing one come back as written
    (PostgreSQL's COPY writes NULL as nothing and an empty text as "")."""
    engine = store.get_engine(app_url)
    summaries = ['a, "quoted"\nsecond line', "", None, "tab\there, back\\slash"]
    status = models.conform(
        "status_reports",
        pd.DataFrame(
            {
                "project_id": ["P1"] * 4,
                "report_date": pd.to_datetime(
                    ["2026-01-02", "2026-01-09", "2026-01-16", "2026-01-23"]
                ),
                "summary": summaries,
                "percent_complete": [1.5, None, 0.1, 100.0],
            }
        ),
    )
    meta = store.UploadMeta("t.xlsx", "sha-text", 0, "tester", "upload")
    store.write_batch(engine, {"projects": _projects("P1"), "status_reports": status}, meta)
    got = store.read_frames(engine)["status_reports"].sort_values("report_date")
    assert _plain(got["summary"]) == summaries
    assert _plain(got["percent_complete"]) == [1.5, None, 0.1, 100.0]
    assert _plain(got["report_date"]) == [date(2026, 1, d) for d in (2, 9, 16, 23)]


def test_empty_database_reads_typed_empty_frames(app_url):
    frames = store.read_frames(store.get_engine(app_url))
    for name in models.FACT_TABLES:
        assert frames[name].empty
        assert list(frames[name].columns) == store.frame_columns(name)
    assert str(frames["status_reports"]["report_date"].dtype) == "datetime64[s]"


def test_raid_descriptions_are_read_per_project(db_url):
    engine = store.get_engine(db_url)
    raid = models.conform(
        "raid_items",
        pd.DataFrame(
            {
                "project_id": ["P1", "P1", "P2"],
                "item_id": ["A", "B", "A"],
                "type": ["issue", "action", "issue"],
                "description": ["first, of P1", None, "of P2"],
            }
        ),
    )
    meta = store.UploadMeta("r.xlsx", "sha-raid", 0, "tester", "upload")
    store.write_batch(engine, {"projects": _projects("P1", "P2"), "raid_items": raid}, meta)
    assert "description" not in store.read_frames(engine)["raid_items"]
    got = store.read_project_text(engine, "raid_items", "P1").sort_values("item_id")
    assert list(got.columns) == ["project_id", "item_id", "description"]
    assert _plain(got["item_id"]) == ["A", "B"]
    assert _plain(got["description"]) == ["first, of P1", None]
    assert store.read_project_text(engine, "raid_items", "P'3").empty  # quoted, not injected


def test_a_failing_bulk_insert_writes_nothing(db_url):
    """New rows go in by COPY (PostgreSQL) or executemany (SQLite) on the write transaction:
    when a later table fails (here two risks with the same key), the projects and status
    reports already sent are rolled back with it, and the refusal is the usual plain one."""
    engine = store.get_engine(db_url)
    status = models.conform(
        "status_reports",
        pd.DataFrame({"project_id": ["P1"], "report_date": pd.to_datetime(["2026-01-02"])}),
    )
    risks = models.conform(
        "risks",
        pd.DataFrame(
            {
                "project_id": ["P1", "P1"],
                "risk_id": ["R1", "R1"],
                "report_date": pd.to_datetime(["2026-01-02"] * 2),
            }
        ),
    )
    frames = {"projects": _projects("P1"), "status_reports": status, "risks": risks}
    meta = store.UploadMeta("d.xlsx", "sha-dup", 0, "tester", "upload")
    with pytest.raises(store.WriteRefused, match="nothing was written"):
        store.write_batch(engine, frames, meta)
    assert store.data_version(engine) == 0
    after = store.read_frames(engine)
    assert after["projects"].empty and after["status_reports"].empty


def test_project_page_shows_raid_descriptions_read_for_that_project(seeded_url):
    engine = store.get_engine(seeded_url)
    with engine.connect() as conn:
        pid = conn.execute(
            select(models.raid_items.c.project_id)
            .where(models.raid_items.c.description.is_not(None))
            .order_by(models.raid_items.c.project_id)
        ).first()[0]
    want = store.read_project_text(engine, "raid_items", pid)
    at = app_test()
    at.query_params["project"] = pid
    at.run()
    at = at.switch_page("pages/portfolio/project.py").run()
    assert not at.exception
    shown = next(d.value for d in at.dataframe if "description" in d.value.columns)
    assert dict(zip(shown["item_id"], shown["description"], strict=True)) == dict(
        zip(want["item_id"].astype(str), want["description"], strict=True)
    )


def test_a_column_empty_in_its_first_rows_is_read(sqlite_url):
    """ADBC's SQLite driver types a column from the rows it has looked at: a summary missing
    from the first 2,000 reports and written in the last is still read, as text."""
    engine = store.get_engine(sqlite_url)
    dates = pd.date_range("2020-01-03", periods=2001, freq="7D")
    status = models.conform(
        "status_reports",
        pd.DataFrame(
            {
                "project_id": "P1",
                "report_date": dates,
                "summary": [None] * 2000 + ["written at last"],
            }
        ),
    )
    meta = store.UploadMeta("s.xlsx", "sha-late", 0, "tester", "upload")
    store.write_batch(engine, {"projects": _projects("P1"), "status_reports": status}, meta)
    got = store.read_frames(engine)["status_reports"].sort_values("report_date")
    assert _plain(got["summary"]) == [None] * 2000 + ["written at last"]
    assert got["forecast_end_date"].isna().all()
    assert str(got["forecast_end_date"].dtype) == "datetime64[s]"


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_frames_are_read_through_a_read_only_adbc_connection(backend, request):
    """SQLite files and PostgreSQL are read through ADBC (Arrow from the driver's C code), in a
    transaction that cannot write; a statement that tries is refused as a plain error."""
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "pg_url")
    engine = store.get_engine(url)
    with store._adbc(engine) as cursor:
        assert cursor is not None
        cursor.execute("SELECT COUNT(*) FROM projects")
        assert cursor.fetchone() == (0,)
    refused = pytest.raises(store.DatabaseUnavailable, match="reading the app database")
    with refused, store._adbc(engine) as cursor:
        cursor.execute("CREATE TABLE written (a INTEGER)")
    with engine.connect() as conn:
        assert "written" not in engine.dialect.get_table_names(conn)


def test_other_databases_are_read_through_the_driver_cursor():
    """Where ADBC has no driver (MariaDB, an in-memory SQLite) read_frames uses the cursor."""
    from sqlalchemy import make_url

    assert store._adbc_connect(make_url(MARIADB_URL)) is None
    assert store._adbc_connect(make_url("sqlite://")) is None


@pytest.mark.parametrize(
    "chosen, pool", [(None, "system"), ("mimalloc", "mimalloc")], ids=["default", "operator"]
)
def test_arrow_allocates_from_the_c_library_unless_the_operator_chose(chosen, pool):
    """Importing store makes Arrow allocate with malloc (the server's memory after every page),
    unless ARROW_DEFAULT_MEMORY_POOL names a pool."""
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if chosen:
        env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
    code = "import store, pyarrow as pa; print(pa.default_memory_pool().backend_name)"
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == pool
