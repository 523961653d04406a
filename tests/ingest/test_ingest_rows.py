"""Outcome per row: a bad row is skipped and listed, every other row loads in one transaction;
placeholders, plausible dates, duplicate keys, unknown RAG words and strict mode."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import func, select

import models
import store
from config import Config, Ingest, parse_config
from data_loaders.report import load_summary, warning_summary
from tests.ingest_helpers import db_hash, errors, load, parse, xlsx

PORTFOLIO = ["Project ID", "Project Name", "Budget", "Start Date", "End Date"]
STATUS = ["Project ID", "Report Date", "Overall RAG", "% Complete", "Summary"]
KNOWN = {"P1": "Alpha", "P2": "Beta", "P3": "Gamma"}


def _book() -> bytes:
    """Three new projects, one with its end before its start; a status line for each, one with
    a percent complete over 100."""
    return xlsx(
        {
            "Portfolio": [
                PORTFOLIO,
                ["N1", "One", 100, "2025-01-01", "2026-12-31"],
                ["N2", "Two", 200, "2026-01-01", "2025-01-01"],  # end before start
                ["N3", "Three", 300, "2025-06-01", "2027-06-30"],
                ["N4", "Four", 400, "2025-06-01", "2027-06-30"],
            ],
            "Status": [
                STATUS,
                ["N1", "2026-11-27", "Green", 40, "fine"],
                ["N2", "2026-11-27", "Amber", 50, "depends on a skipped project row"],
                ["N3", "2026-11-27", "Red", 140, "percent over 100"],
                ["N4", "2026-11-27", "Amber", 20, "fine"],
            ],
        }
    )


def _count(url: str, table) -> int:
    with store.get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def test_bad_rows_are_skipped_and_the_rest_loads_in_one_transaction(db_url):
    report, parsed = load(db_url, _book(), new_projects="create")
    assert report.status == "loaded", errors(report)
    portfolio, status = report.sheets
    assert (portfolio.rows_loaded, portfolio.rows_skipped) == (3, 1)
    assert (status.rows_loaded, status.rows_skipped) == (2, 2)
    skipped = {(p.sheet, p.row): p for p in report.all_problems if p.outcome == "skipped"}
    assert skipped[("Portfolio", 3)].message == "end date before start date"
    assert skipped[("Status", 4)].message.startswith("percent_complete: value out of range")
    assert skipped[("Status", 4)].value == "140"
    # the status line of the skipped project is skipped too, with the reason
    dependent = skipped[("Status", 3)]
    assert dependent.column == "project" and dependent.value == "N2"
    assert "its own row was skipped: sheet Portfolio row 3" in dependent.message
    assert load_summary(report) == "5 rows loaded, 3 were skipped"
    # one upload holds every row that loaded, and keeps the skipped rows in its report
    assert _count(db_url, models.uploads) == 1
    engine = store.get_engine(db_url)
    frames = store.read_frames(engine)
    assert sorted(frames["projects"]["project_id"]) == ["N1", "N3", "N4"]
    assert sorted(frames["status_reports"]["project_id"]) == ["N1", "N4"]
    assert set(frames["status_reports"]["upload_id"]) == {report.upload_id}
    kept = store.upload_report(engine, report.upload_id)
    rows = [
        (p["sheet"], p["row"]) for s in kept["sheets"] for p in s["problems"]
        if p["outcome"] == "skipped"
    ]  # fmt: skip
    assert sorted(rows) == [("Portfolio", 3), ("Status", 3), ("Status", 4)]
    assert kept["rows_loaded"] == 5 and kept["rows_skipped"] == 3


def test_a_file_whose_every_row_is_skipped_writes_nothing(seeded_url):
    rows = [STATUS, ["PRJ-0001", "2026-11-27", "Green", 140, "x"]]
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, xlsx({"Status": rows}))
    assert report.status == "rejected" and report.upload_id is None
    assert "nothing to load: every row was skipped (1 row)" in errors(report)
    assert db_hash(seeded_url) == before


def test_unreadable_optional_cell_is_left_empty_with_a_warning():
    rows = [STATUS, ["P1", "2026-11-27", "Green", "about half", "x"]]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN)
    assert parsed.report.status == "valid" and not errors(parsed.report)
    assert pd.isna(parsed.frames["status_reports"]["percent_complete"].iloc[0])
    (p,) = parsed.report.all_problems
    assert (p.row, p.column, p.value) == (2, "% Complete", "about half")
    assert (p.severity, p.outcome) == ("warning", "blanked")
    assert warning_summary(parsed.report) == ["1 cell left empty"]


def test_placeholders_mean_no_value_in_any_field_with_a_warning_naming_them():
    header = ["Project ID", "Report Date", "Overall RAG", "% Complete", "Actual Cost",
              "Forecast End Date", "Summary"]  # fmt: skip
    rows = [
        header,
        ["P1", "2026-11-27", "Green", "TBC", "Not provided", "n/a", "#N/A"],
        ["P2", "2026-11-27", "N/A", "-", "Withheld", "—", "?"],
        ["P3", "2026-11-27", "Amber", 10, "Exempt under Section 43 of the FOI Act", "TBD", "ok"],
        ["unknown", "2026-11-27", "Red", 10, 5, "2027-01-01", "no project: skipped"],
    ]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN)
    assert parsed.report.status == "valid", errors(parsed.report)
    status = parsed.frames["status_reports"].set_index("project_id")
    assert list(status.index) == ["P1", "P2", "P3"]
    assert status.loc["P1", ["percent_complete", "actual_cost"]].isna().all()
    assert pd.isna(status.loc["P1", "summary"]) and pd.isna(status.loc["P2", "summary"])
    assert status.loc["P2", "overall_rag"] == "Grey"  # "N/A" is in the RAG table: not rated
    named = {p.value for p in parsed.report.all_problems if p.message.startswith("placeholder")}
    assert {"TBC", "Not provided", "n/a", "-", "Withheld", "—", "?", "TBD"} <= named
    assert "Exempt under Section 43 of the FOI Act" in named  # "exempt*" is a prefix
    placeholder_outcomes = {
        (p.severity, p.outcome) for p in parsed.report.all_problems if p.value in named
    }
    assert placeholder_outcomes == {("warning", "blanked")}
    # in a required field (the project) a placeholder skips the row
    (skipped,) = [p for p in parsed.report.all_problems if p.outcome == "skipped"]
    assert skipped.row == 5 and skipped.message == "project_id: required value is empty"


def test_excel_error_texts_are_placeholders():
    text = "Project ID,Report Date,Overall RAG,Budget,Actual Cost,Summary\n"
    text += "P1,2026-11-27,Green,#REF!,#DIV/0!,#N/A\n"
    parsed = parse(text.encode(), "errors.csv", known=KNOWN)
    assert parsed.report.status == "valid", errors(parsed.report)
    named = [p.value for p in parsed.report.all_problems if p.outcome == "blanked"]
    assert named == ["#REF!", "#DIV/0!", "#N/A"]


def test_placeholder_list_is_configurable():
    rows = [STATUS[:4], ["P1", "2026-11-27", "Green", "pending"]]
    default = parse(xlsx({"Status": rows}), known=KNOWN)
    assert [p.message for p in default.report.all_problems] == ["text in a number column"]
    config = parse_config({"ingest": {"placeholders": ["Pending", "tbc*"]}})
    assert config.ingest.placeholders == ("pending", "tbc*")
    from data_loaders.ingest import parse_file

    custom = parse_file("b.xlsx", xlsx({"Status": rows}), KNOWN, config)
    assert [p.message for p in custom.report.all_problems] == ["placeholder 'pending': no value"]


def test_dates_plausible_from_1950_to_2100_with_warnings_outside_1990_to_2060():
    rows = [
        PORTFOLIO,
        ["N1", "Old programme", 1, "1975-04-01", "2030-03-31"],
        ["N2", "Long decommissioning", 1, "2001-01-01", "2070-12-31"],
        ["N3", "Typo", 1, "1899-12-30", "2030-01-01"],
        ["N4", "Far typo", 1, "2020-01-01", "2999-01-01"],
    ]
    parsed = parse(xlsx({"Portfolio": rows}))
    projects = parsed.frames["projects"].set_index("project_id")
    assert list(projects.index) == ["N1", "N2"]
    assert projects.loc["N1", "start_date"] == pd.Timestamp("1975-04-01")
    by_row = {(p.row, p.outcome): p.message for p in parsed.report.all_problems}
    assert by_row[(2, "warned")] == "date before 1990: check it"
    assert by_row[(3, "warned")] == "date after 2060: check it"
    assert by_row[(4, "skipped")] == "date outside 1950-2100: implausible"
    assert by_row[(5, "skipped")] == "date outside 1950-2100: implausible"
    narrow = Config(ingest=Ingest(min_year=1980, warn_before_year=1985))
    from data_loaders.ingest import parse_file

    strict_years = parse_file("p.xlsx", xlsx({"Portfolio": rows}), {}, narrow)
    assert list(strict_years.frames["projects"]["project_id"]) == ["N2"]


def test_duplicate_keys_identical_rows_load_once_conflicting_rows_are_all_skipped():
    rows = [
        STATUS,
        ["P1", "2026-11-27", "Green", 10, "same"],
        ["P1", "2026-11-27", "Green", 10, "same"],
        ["P2", "2026-11-27", "Green", 10, "first"],
        ["P3", "2026-11-27", "Amber", 30, "unique"],
        ["P2", "2026-11-27", "Red", 10, "second"],
    ]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN)
    assert parsed.report.status == "valid"
    status = parsed.frames["status_reports"]
    assert list(status["project_id"]) == ["P1", "P3"]
    problems = {p.row: p for p in parsed.report.all_problems}
    assert problems[3].severity == "warning" and "same values; loaded once" in problems[3].message
    assert problems[4].outcome == problems[6].outcome == "skipped"
    assert problems[4].message == (
        "duplicate key: row 4, row 6 have the same project and report date with different "
        "values; none of them is loaded"
    )
    assert problems[4].value == "P2 / 2026-11-27"


def test_duplicate_key_across_two_sheets_skips_both_rows():
    sheet = [STATUS, ["P1", "2026-11-27", "Green", 10, "a"], ["P2", "2026-11-27", "Red", 5, "b"]]
    other = [STATUS, ["P1", "2026-11-27", "Red", 90, "c"]]
    parsed = parse(xlsx({"North": sheet, "South": other}), known=KNOWN)
    assert list(parsed.frames["status_reports"]["project_id"]) == ["P2"]
    skipped = [(p.sheet, p.row) for p in parsed.report.all_problems if p.outcome == "skipped"]
    assert sorted(skipped) == [("North", 2), ("South", 2)]
    assert "sheet North row 2, sheet South row 2" in parsed.report.sheets[0].problems[0].message


def test_status_words_that_are_not_ratings_are_counted_as_no_rag():
    rows = [
        ["Project", "Status", "Notes"],
        ["Alpha", "In Progress", "a"],
        ["Beta", "Not Started", "b"],
        ["Gamma", "Completed", "c"],
    ]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN, report_date=date(2026, 11, 27))
    no_rag = [p for p in parsed.report.all_problems if p.message.startswith("no RAG")]
    assert [(p.row, p.value, p.severity) for p in no_rag] == [
        (2, "In Progress", "warning"),
        (3, "Not Started", "warning"),
    ]
    assert warning_summary(parsed.report) == ["2 rows have no RAG"]
    assert parsed.report.rows_loaded == 3  # they still load, with their label


def test_everything_a_sheet_lacks_is_listed_at_once_without_command_line_words():
    rows = [["Risk ID", "Risk", "Likelihood", "Impact"], ["R1", "Supplier late", 3, 4]]
    parsed = parse(xlsx({"Risks": rows}))
    assert parsed.report.status == "rejected"
    assert parsed.report.needs == ["project", "report_date"]
    messages = errors(parsed.report)
    assert [m.split(":")[0] for m in messages] == ["no project", "no report date"]
    assert not any("--" in m or "pass " in m for m in messages)
    chosen = parse(xlsx({"Risks": rows}), known=KNOWN, project_id="P1",
                   report_date=date(2013, 5, 31))  # fmt: skip
    assert chosen.report.status == "valid" and chosen.report.needs == []


@pytest.mark.parametrize("how", ["option", "setting"])
def test_strict_mode_refuses_the_whole_file(how, seeded_url):
    before = db_hash(seeded_url)
    if how == "option":
        report, _ = load(seeded_url, _book(), strict=True, new_projects="create")
    else:
        from data_loaders.ingest import Options, commit, known_projects, parse_file

        engine = store.get_engine(seeded_url)
        config = parse_config({"ingest": {"strict": True}})
        parsed = parse_file(
            "book.xlsx", _book(), known_projects(engine), config, Options(new_projects="create")
        )
        report = commit(engine, parsed, "test")
    assert report.status == "rejected" and report.upload_id is None
    assert any("3 row(s) have errors and loading is all-or-nothing" in m for m in errors(report))
    assert {p.outcome for p in report.all_problems if p.severity == "error"} == {"refused"}
    assert report.rows_loaded == 0
    assert db_hash(seeded_url) == before
