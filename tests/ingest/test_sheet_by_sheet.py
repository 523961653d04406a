"""A workbook is judged sheet by sheet: a register beside a dated status sheet takes the
file's report date (and says so) instead of refusing the whole file."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.conftest import REAL_SHEETS
from tests.ingest_helpers import parse, xlsx

DAY = date(2026, 11, 27)
STATUS = [["Project ID", "Report Date", "Overall RAG", "% Complete"],
          ["P-1", DAY, "Green", 40], ["P-2", DAY, "Red", 10]]  # fmt: skip
RISKS = [["Project ID", "Risk ID", "Title", "Likelihood", "Impact"],
         ["P-1", "R1", "Supplier late", 3, 4], ["P-2", "R2", "Budget cut", 2, 5]]  # fmt: skip


def test_a_register_without_a_date_takes_the_status_sheets():
    parsed = parse(xlsx({"Status": STATUS, "Risks": RISKS}), new_projects="create")
    assert parsed.report.status == "valid", [p.message for p in parsed.report.all_problems]
    risks = parsed.frames["risks"]
    assert set(risks["report_date"]) == {pd.Timestamp("2026-11-27")}
    said = [p.message for p in parsed.report.sheets[1].problems]
    assert any("took 2026-11-27, the report date the file's other sheets state" in m
               for m in said)  # fmt: skip


def test_two_dates_in_the_file_still_ask():
    status = [*STATUS, ["P-3", date(2026, 11, 20), "Amber", 5]]
    parsed = parse(xlsx({"Status": status, "Risks": RISKS}), new_projects="create")
    assert parsed.report.needs == ["report_date"]
    assert parsed.report.status == "rejected"


def test_a_date_given_by_the_user_wins():
    parsed = parse(xlsx({"Status": STATUS, "Risks": RISKS}), new_projects="create",
                   report_date=date(2026, 12, 4))  # fmt: skip
    assert set(parsed.frames["risks"]["report_date"]) == {pd.Timestamp("2026-12-04")}


def test_a_sheet_whose_columns_mostly_load_nowhere_says_so_first():
    header = ["Project ID", "Overall RAG", "Kxa", "Vorb", "Plinth", "Quell"]
    rows = [header, ["P-1", "Green", 1, 2, 3, 4], ["P-2", "Red", 5, 6, 7, 8]]
    parsed = parse(xlsx({"Status": rows}), new_projects="create", report_date=date(2026, 11, 27))
    first = parsed.report.sheets[0].problems[0]
    assert first.message.startswith("most columns are not loaded: 4 of 6 map to no field")
    assert "Kxa, Vorb, Plinth, Quell" in first.message


def _budget_of(header: list[str], values: list) -> tuple[float, list[str]]:
    rows = [["Project ID", "Project Name", *header], ["P-1", "Alpha", *values]]
    parsed = parse(xlsx({"Portfolio": rows}), new_projects="create", report_date=DAY)
    said = [p.message for p in parsed.report.all_problems if p.column == "budget"]
    return parsed.frames["projects"]["budget"].iloc[0], said


def test_the_whole_life_cost_is_the_budget_over_a_yearly_or_total_one():
    header = ["Budget 2023/24", "Total baseline (£m)", "Whole life cost (£m)"]
    budget, said = _budget_of(header, [12, 80, 950])
    assert budget == 950e6
    assert (
        said and "'Whole life cost (£m)' (a whole-life cost) is the budget at completion" in said[0]
    )
    assert "'Total baseline (£m)'" in said[0] and "'Budget 2023/24'" in said[0]


def test_a_total_beats_a_yearly_budget_and_an_estimate_is_never_the_budget():
    budget, _ = _budget_of(["Annual budget", "Approved budget", "Estimated cost at completion"],
                           [10, 100, 130])  # fmt: skip
    assert budget == 100


def test_one_budget_column_is_no_choice():
    budget, said = _budget_of(["Budget", "Actual cost"], [100, 40])
    assert budget == 100 and not said


@pytest.mark.skipif(not (REAL_SHEETS / "wbs_schedule_rag.xlsx").exists(), reason="no real sheets")
def test_a_pivot_table_sheet_is_skipped_and_named_and_the_data_sheet_loads():
    data = (REAL_SHEETS / "wbs_schedule_rag.xlsx").read_bytes()
    parsed = parse(data, name="wbs.xlsx", project_id="W-1", report_date=DAY,
                   new_projects="create")  # fmt: skip
    kinds = {s.sheet: (s.kind, s.reason) for s in parsed.report.sheets}
    assert kinds["Sheet2"][0] == "unsupported" and kinds["Sheet2"][1].startswith("a pivot table")
    assert kinds["Sheet1"][0] == "milestones"
    assert parsed.report.status == "valid" and len(parsed.frames["milestones"]) == 27


def test_a_project_list_with_a_summary_asks_for_its_report_date():
    rows = [["Project ID", "Project Name", "Summary"], ["P-1", "Alpha", "On track"]]
    parsed = parse(xlsx({"Portfolio": rows}), new_projects="create")
    assert parsed.report.needs == ["report_date"]
    dated = parse(xlsx({"Portfolio": rows}), new_projects="create", report_date=DAY)
    assert dated.report.status == "valid"
    assert dated.frames["status_reports"]["summary"].tolist() == ["On track"]


def test_words_under_date_columns_make_a_form_not_a_table():
    rows = [["Milestone", "Baseline Date", "Forecast Date"],
            ["Gate 1", "Please add the baseline date", "Please add the forecast"],
            ["Gate 2", "Please add the baseline date", "Please add the forecast"],
            ["Gate 3", "TBC", "see note"]]  # fmt: skip
    parsed = parse(xlsx({"Plan": rows}), project_id="P-1", report_date=DAY)
    sheet = parsed.report.sheets[0]
    assert sheet.kind == "unsupported"
    assert sheet.reason.startswith("a form, not a table: the cells under 'Baseline Date'")
    assert not parsed.frames


def test_month_first_dates_are_dates_not_words():
    rows = [["Milestone", "Baseline Date", "Forecast Date"],
            ["Build 1", "1/16/2026", "2/22/2026"], ["Build 2", "3/1/2026", "3/30/2026"],
            ["Build 3", "4/2/2026", "4/28/2026"]]  # fmt: skip
    parsed = parse(xlsx({"Plan": rows}), project_id="P-1", report_date=DAY, new_projects="create")
    assert parsed.report.sheets[0].kind == "milestones", parsed.report.sheets[0].reason
    assert len(parsed.frames["milestones"]) == 3


def test_a_hidden_sheet_that_holds_data_is_read():
    from io import BytesIO

    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Instructions"
    wb.active.append(["Fill in the risks; the data sheet is hidden by the export."])
    data = wb.create_sheet("Risks")
    data.sheet_state = "hidden"
    data.append(["Risk ID", "Title", "Likelihood", "Impact"])
    data.append(["R1", "Supplier late", 3, 4])
    buf = BytesIO()
    wb.save(buf)
    parsed = parse(buf.getvalue(), project_id="P-1", report_date=DAY, new_projects="create")
    kinds = {s.sheet: (s.kind, s.rows_loaded) for s in parsed.report.sheets}
    assert kinds["Risks"] == ("risks", 1)
    assert kinds["Instructions"][0] == "unsupported"
