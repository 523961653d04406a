"""A benefits register is a kind of its own (issue 26, part 10): it loads what it holds, into its
own table (migration 0007, on SQLite, PostgreSQL and MariaDB), from a sheet or a SQL source; a
load that would store nothing beyond the project id is not called valid."""

from __future__ import annotations

import uuid
from datetime import date

import pandas as pd
from sqlalchemy import create_engine, inspect, text

import models
import store
from data_loaders import registers
from data_loaders.sql_source import load_source
from data_loaders.sync import read_source
from tests.ingest_helpers import errors, load, parse, xlsx
from tests.migrations_helpers import at_revision

REPORT = date(2026, 11, 20)
NEXT = date(2026, 11, 27)
KNOWN = {"P1": "Alpha", "P2": "Beta"}
HEADER = ["Project ID", "Benefit", "Benefit Owner", "Category", "Measure", "Baseline",
          "Target", "Forecast", "Realised", "Due Date"]  # fmt: skip
ROWS = [
    ["P1", "Fewer calls to the service desk", "Ann", "Efficiency", "calls per week", 1200, 800,
     850, 1000, date(2027, 6, 30)],
    ["P2", "Licence savings", "Bob", "Cashable", "£ per year", 0, "250,000", 240_000, None,
     date(2027, 3, 31)],
]  # fmt: skip


def test_a_benefits_register_loads_what_it_holds():
    sheet = [["Benefits register"], ["Report date:", REPORT], [], HEADER, *ROWS]
    parsed = parse(xlsx({"Benefits": sheet}), known=KNOWN)
    assert parsed.report.status == "valid", errors(parsed.report)
    (rep,) = parsed.report.sheets
    assert rep.kind == "benefits" and rep.rows_loaded == 2
    got = parsed.frames["benefits"].set_index("project_id")
    assert got.loc["P1", "title"] == "Fewer calls to the service desk"
    assert got.loc["P1", ["baseline", "target", "forecast", "realised"]].tolist() == [
        1200, 800, 850, 1000,
    ]  # fmt: skip
    assert got.loc["P2", "target"] == 250_000 and pd.isna(got.loc["P2", "realised"])
    assert got.loc["P2", "measure"] == "£ per year" and got.loc["P2", "owner"] == "Bob"
    assert got.loc["P1", "report_date"] == pd.Timestamp(REPORT)
    assert got.loc["P1", "due_date"] == pd.Timestamp(2027, 6, 30)
    # no id column: ids from the project and the title
    assert got.loc["P1", "benefit_id"] == registers.generated_id(
        "benefits", "P1", "Fewer calls to the service desk"
    )


def test_a_benefits_register_without_a_report_date_asks_for_one():
    parsed = parse(xlsx({"Benefits": [HEADER, *ROWS]}), known=KNOWN)
    assert parsed.report.needs == ["report_date"] and not parsed.frames


def test_a_table_that_reads_only_the_project_id_is_not_valid():
    """The finding: columns all unknown but Project ID (and a date), in a sheet whose name made
    it a portfolio list, were "valid: 2 rows will load" and loaded nothing of what they hold."""
    header = ["Project ID", "Report Date", "Widget count", "Colour code", "Zone"]
    rows = [["P1", REPORT, 4, "C-7", "North"], ["P2", REPORT, 9, "C-2", "South"]]
    parsed = parse(xlsx({"Project register": [header, *rows]}), known=KNOWN)
    assert parsed.report.status != "valid" and not parsed.frames
    (rep,) = parsed.report.sheets
    assert rep.kind == "unsupported" and rep.rows_loaded == 0
    assert rep.reason.startswith("nothing to store: the columns we know are only the project id")
    assert set(rep.mapping) == set(header)  # listed, so the PM can map it


def test_the_rule_itself():
    assert registers.stores_nothing(["project_id", None, None])
    assert registers.stores_nothing(["project_id", "report_date"])
    assert not registers.stores_nothing(["project_id", "name"])
    assert not registers.stores_nothing([None, None])  # nothing known: another message


def test_a_chosen_kind_loads_such_a_table():
    header = ["Project ID", "Report Date", "Widget count", "Colour code"]
    rows = [["P1", REPORT, 4, "C-7"], ["P2", REPORT, 9, "C-2"]]
    parsed = parse(xlsx({"Project register": [header, *rows]}), known=KNOWN, kind="benefits",
                   columns={"Colour code": "title", "Widget count": "target"})  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    assert parsed.frames["benefits"].iloc[0][["title", "target"]].tolist() == ["C-7", 4]


def _seed(url: str) -> None:
    store.write_batch(
        store.get_engine(url),
        {"projects": pd.DataFrame({"project_id": ["P1", "P2"], "name": ["Alpha", "Beta"]})},
        store.UploadMeta("projects", uuid.uuid4().hex * 2, 0, "test", "cli"),
    )


def test_next_weeks_register_is_a_new_snapshot_and_a_reupload_replaces(sqlite_url):
    _seed(sqlite_url)
    first = [["Report date:", REPORT], HEADER, *ROWS]
    result, _ = load(sqlite_url, xlsx({"Benefits": first}))
    assert result.status == "loaded" and result.totals["benefits"] == 2
    # the same week again with a new forecast: replaces that row, keeps the old one as history
    changed = [r.copy() for r in ROWS]
    changed[0][7] = 900
    result, _ = load(sqlite_url, xlsx({"Benefits": [["Report date:", REPORT], HEADER, *changed]}))
    assert result.status == "loaded"
    with store.get_engine(sqlite_url).connect() as conn:
        kept = conn.execute(text("SELECT table_name, row_json FROM replaced_rows")).all()
    assert [t for t, _ in kept] == ["benefits"] and '"forecast": 850' in kept[0][1]
    # next week: the same benefits under the same ids
    result, _ = load(sqlite_url, xlsx({"Benefits": [["Report date:", NEXT], HEADER, *changed]}))
    frames = store.read_frames(store.get_engine(sqlite_url))
    ben = frames["benefits"]
    assert len(ben) == 4 and ben.groupby("benefit_id", observed=True).size().eq(2).all()
    p1 = ben[ben["project_id"] == "P1"].sort_values("report_date")
    assert p1["forecast"].tolist() == [900, 900]


def _at_0006(url: str) -> None:
    """A database at revision 0006 (the one before) holding a project and a risk scored 4 x 3."""
    with at_revision(url, "0006") as conn:
        conn.execute(text(
            "INSERT INTO uploads (upload_id, file_name, sha256, size_bytes, uploaded_by, "
            "uploaded_at, source, status) VALUES (1, 'old.xlsx', 'abc', 1, 'someone', "
            "'2026-01-01 00:00:00', 'upload', 'loaded')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO projects (project_id, name, upload_id) VALUES ('P1', 'Alpha', 1)"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO risks (project_id, risk_id, report_date, title, likelihood, impact, "
            "upload_id) VALUES ('P1', 'R1', '2026-01-02', 'Old risk', 4, 3, 1)"
        ))  # fmt: skip


def test_migration_0007_upgrades_an_existing_database(any_db):
    """At 0006 with a risk: upgrading keeps it (4 x 3, no opportunity flag), adds the benefits
    table, and then half points, opportunities and benefits load."""
    _at_0006(any_db)
    engine = store.get_engine(any_db)
    columns = {c["name"]: c for c in inspect(engine).get_columns("risks")}
    assert "opportunity" in columns
    assert set(models.FIELDS["benefits"]) <= {
        c["name"] for c in inspect(engine).get_columns("benefits")
    }
    old = store.read_frames(engine)["risks"].iloc[0]
    assert (old.likelihood, old.impact) == (4.0, 3.0) and pd.isna(old.opportunity)
    with engine.connect() as conn:
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version >= "0007"  # the head: 0007 or a later revision
    header = ["Project ID", "Risk", "Likelihood", "Impact"]
    risks = [["P1", "Old risk", 2.5, 3], ["P1", "Grant", 3, -2]]
    result, _ = load(any_db, xlsx({"Risks": [header, *risks]}), report_date=REPORT)
    assert result.status == "loaded", result
    result, _ = load(any_db, xlsx({"Benefits": [HEADER, ROWS[0]]}), report_date=REPORT)
    assert result.status == "loaded" and result.totals["benefits"] == 1
    frames = store.read_frames(engine)
    now = frames["risks"][frames["risks"]["report_date"] == pd.Timestamp(REPORT)]
    now = now.set_index("title")
    assert now.loc["Old risk", "likelihood"] == 2.5
    assert bool(now.loc["Grant", "opportunity"]) and now.loc["Grant", "impact"] == 2
    assert frames["benefits"].iloc[0]["target"] == 800


def test_migration_0007_downgrades_on_sqlite(sqlite_url):
    store.get_engine(sqlite_url)
    with at_revision(sqlite_url, "0006", downgrade=True) as conn:
        tables = inspect(conn).get_table_names()
        risks = {c["name"] for c in inspect(conn).get_columns("risks")}
    assert "benefits" not in tables
    assert "opportunity" not in risks


SOURCE = """
[source]
name = "ppm"
url = "${BENEFITS_DB_URL}"

[tables.benefits]
table = "ppm_benefit"
[tables.benefits.columns]
benefit_id = "ref"
title = "name"
"""


def test_a_sql_source_maps_a_benefits_table(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'ppm.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE ppm_benefit (project_id, ref, name, target, realised, report_date)"
        )
        conn.exec_driver_sql(
            "INSERT INTO ppm_benefit VALUES ('P1', 'B1', 'Fewer calls', 800, 950, '2026-11-20')"
        )
    engine.dispose()
    monkeypatch.setenv("BENEFITS_DB_URL", url)
    path = tmp_path / "ppm.toml"
    path.write_text(SOURCE)
    frames, report = read_source(load_source(path))
    assert not report.has_errors, report.all_problems
    row = frames["benefits"].iloc[0]
    assert (row.benefit_id, row.title, row.target, row.realised) == ("B1", "Fewer calls", 800, 950)


def test_the_sample_portfolio_has_a_benefits_register(frames):
    ben = frames["benefits"]
    assert ben["project_id"].nunique() == frames["projects"]["project_id"].nunique()
    assert ben.groupby("project_id", observed=True)["benefit_id"].nunique().eq(2).all()
    assert (ben["report_date"].nunique() >= 6) and ben["target"].notna().all()
