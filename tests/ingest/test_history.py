"""A long-format file (many rows per project, one per period) loads as one status report per
project per period, and each project's details come from its latest period."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd
import pytest

import store
from data_loaders.ingest import Options, parse_file
from tests.conftest import REAL_SHEETS
from tests.ingest_helpers import load

HEADER = ["Fiscal Year", "Project ID", "Project Name", "Budget"]


def _csv(rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([HEADER, *rows])
    return buf.getvalue().encode()


# Three projects over three years, listed newest first (as exports often are); P-3 only twice.
ROWS = [
    [2024, "P-1", "Depot upgrade (phase 2)", 300],
    [2024, "P-2", "Ring road", 900],
    [2023, "P-1", "Depot upgrade", 250],
    [2023, "P-2", "Ring road", 800],
    [2023, "P-3", "Library", 40],
    [2022, "P-1", "Depot upgrade", 200],
    [2022, "P-3", "Library works", 35],
]


def _frames(url: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    engine = store.get_engine(url)
    with engine.connect() as conn:
        projects = pd.read_sql_table("projects", conn)
        reports = pd.read_sql_table("status_reports", conn)
    return projects.set_index("project_id"), reports


def test_a_history_loads_a_report_per_period_and_the_latest_details(sqlite_url):
    report, parsed = load(sqlite_url, _csv(ROWS), "history.csv", new_projects="create")
    assert report.status == "loaded", report.to_dict()
    assert "history: 3 projects x 3 periods" in parsed.report.sheets[0].reason
    projects, reports = _frames(sqlite_url)
    assert projects.loc["P-1", "name"] == "Depot upgrade (phase 2)"
    assert projects.loc["P-1", "budget"] == 300
    assert projects.loc["P-3", "name"] == "Library"  # its latest is 2023
    assert len(reports) == 7
    by_project = reports.groupby("project_id")["report_date"].apply(
        lambda s: sorted(pd.Timestamp(d).date() for d in s)
    )
    assert by_project["P-1"] == [date(2022, 12, 31), date(2023, 12, 31), date(2024, 12, 31)]
    said = parsed.report.sheets[0].inferences
    assert any("'Fiscal Year': years read as 31 December" in line for line in said)


def test_a_project_twice_in_one_period_with_different_values_is_skipped():
    rows = [[y, f"P-{i}", f"Project {i}", 10 * i] for y in (2024, 2023, 2022, 2021)
            for i in range(1, 6)]  # fmt: skip
    rows.append([2024, "P-1", "Project 1", 999])
    parsed = parse_file("h.csv", _csv(rows), {}, options=Options(new_projects="create"))
    assert "history: 5 projects x 4 periods" in parsed.report.sheets[0].reason
    skipped = [p for p in parsed.report.all_problems if "duplicate key" in p.message]
    assert {p.row for p in skipped} == {2, 22}
    assert len(parsed.frames["status_reports"]) == 19


def test_a_plain_list_is_no_history():
    rows = [[2024, f"P-{i}", f"Project {i}", 10 * i] for i in range(1, 5)]
    parsed = parse_file("l.csv", _csv(rows), {}, options=Options(new_projects="create"))
    assert "history" not in (parsed.report.sheets[0].reason or "")
    assert "status_reports" not in parsed.frames


@pytest.mark.skipif(not (REAL_SHEETS / "baltimore_cip_budgets_fy08_fy24.csv").exists(),
                    reason="no real sheets")  # fmt: skip
@pytest.mark.slow
def test_the_baltimore_capital_budgets_load_as_a_history():
    data = (REAL_SHEETS / "baltimore_cip_budgets_fy08_fy24.csv").read_bytes()
    first = parse_file("cip.csv", data, {}, options=Options())
    sug = first.report.sheets[0].suggestion
    assert sug["mapping"]["cip_number"] == "project_id"
    assert sug["mapping"]["fiscal_year"] == "report_date"
    parsed = parse_file(
        "cip.csv", data, {}, options=Options(accept_suggestions=True, new_projects="create")
    )
    sheet = parsed.report.sheets[0]
    assert "history: 1942 projects x 17 periods" in sheet.reason
    assert len(parsed.frames["projects"]) == 1942
    assert len(parsed.frames["status_reports"]) >= 4600  # of 4,625 rows; a few skipped
    assert sheet.rows_skipped <= 5
