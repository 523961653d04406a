"""The one normalise-and-validate step (``data_loaders.normalise``) on its own: raw values as a
source delivers them, a mapping, canonical values and problems out. The sources' legitimate
differences are tested here by name; ``test_cross_source`` feeds real files and databases."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pandas as pd

from config import get_config
from data_loaders import normalise
from data_loaders.report import ERROR, WARNING
from tests.ingest_helpers import parse, xlsx


def _table(name: str, rows: list[tuple], columns: dict[str, str], **maps):
    raw = pd.DataFrame(rows, columns=list(columns.values()), dtype=object)
    mapping = normalise.Mapping(columns, where=f"tables.{name}", **maps)
    return normalise.table(name, raw, mapping, get_config(), "src")


def test_typed_sql_values_are_accepted_as_such():
    frame, problems = _table(
        "risks",
        [("P1", 7, datetime(2026, 5, 8), "Vendor", 4, Decimal("3"), Decimal("1200.50"))],
        {"project_id": "p", "risk_id": "rid", "report_date": "d", "title": "t",
         "likelihood": "l", "impact": "i", "cost_impact": "c"},
    )  # fmt: skip
    assert problems == []
    row = frame.iloc[0]
    assert (row["risk_id"], row["report_date"], row["likelihood"], row["impact"]) == (
        "7", pd.Timestamp("2026-05-08"), 4, 3
    )  # fmt: skip
    assert row["cost_impact"] == 1200.5


def test_a_number_in_a_sql_date_column_is_no_excel_serial():
    """46083 is 2026-03-02 in a sheet's date column; a SQL DATE column never holds a number."""
    _, problems = _table(
        "milestones",
        [("P1", "M1", date(2026, 5, 8), 46083)],
        {"project_id": "p", "milestone_id": "m", "report_date": "d", "baseline_date": "b"},
    )
    assert [(p.column, p.value, p.severity) for p in problems] == [("b", "46083", ERROR)]
    assert problems[0].message == "baseline_date: not a date"
    book = xlsx({"Milestones": [["Project ID", "Milestone ID", "Baseline Date", "Report Date"],
                                ["P1", "M1", 46083, date(2026, 5, 8)]]})  # fmt: skip
    sheet = parse(book, known={"P1": "P1"}).frames["milestones"]
    assert sheet["baseline_date"].iloc[0] == pd.Timestamp("2026-03-02")


def test_a_word_that_is_not_yes_or_no_is_reported_not_read_as_no():
    columns = {"project_id": "p", "milestone_id": "m", "report_date": "d", "is_gate": "g"}
    frame, problems = _table("milestones", [("P1", "M1", "2026-05-08", "maybe")], columns)
    assert [(p.value, p.severity) for p in problems] == [("maybe", ERROR)]  # a sync is refused
    assert "not yes or no" in problems[0].message and pd.isna(frame["is_gate"].iloc[0])
    book = xlsx({"Milestones": [["Project ID", "Milestone ID", "Gate", "Report Date"],
                                ["P1", "M1", "maybe", date(2026, 5, 8)]]})  # fmt: skip
    parsed = parse(book, known={"P1": "P1"})  # an upload leaves the cell empty with a warning
    gate = [p for p in parsed.report.all_problems if p.value == "maybe"]
    assert [(p.severity, p.outcome) for p in gate] == [(WARNING, "blanked")]
    assert pd.isna(parsed.frames["milestones"]["is_gate"].iloc[0])


def test_explicit_maps_come_before_the_word_tables():
    columns = {"project_id": "p", "report_date": "d", "overall_rag": "h"}
    values = {"overall_rag": {"Watch": "Amber", "Paused": "Grey"}}
    frame, problems = _table(
        "status_reports",
        [("P1", "2026-05-01", "Watch"), ("P1", "2026-05-08", "red"), ("P2", "2026-05-08", "Meh")],
        columns,
        values=values,
    )
    assert list(frame["overall_rag"])[:2] == ["Amber", "Red"]  # red: the shared RAG words
    assert list(frame["rag_label"]) == ["Watch", "red", "Meh"]  # the source's own word
    assert [(p.value, p.severity) for p in problems] == [("Meh", ERROR)]
    assert "add it to [tables.status_reports.values.overall_rag]" in problems[0].message
    # a scales map is exhaustive: their 3 is our 5, so an unlisted 4 is no 4 of ours
    _, problems = _table(
        "risks",
        [("P1", "R1", "2026-05-08", "t", 3), ("P1", "R2", "2026-05-08", "t", 4)],
        {"project_id": "p", "risk_id": "r", "report_date": "d", "title": "t2", "likelihood": "l"},
        scales={"likelihood": {"1": 1, "2": 3, "3": 5}},
    )
    assert [(p.row, p.value) for p in problems] == [(2, "4")]


def test_risk_scale_words_of_the_config_are_read(tmp_path):
    config = get_config()
    words = normalise.scale_words(config)
    assert all(words[w] == v for w, v in config.risk.scales.items())
    parsed, notes = normalise.column("likelihood", ["Almost certain", "n/a", 0.5, "lkely"], config)
    assert parsed["likelihood"] == [5, None, 3, 4]
    assert [(pos, msg) for pos, _, msg, _ in notes] == [
        (1, "placeholder 'n/a': no value"), (3, "read as 'likely' (4)")
    ]  # fmt: skip


def test_a_column_of_bad_values_lists_the_first_and_counts_the_rest():
    rows = [("P1", f"M{i}", "2026-05-08", "maybe") for i in range(50)]
    columns = {"project_id": "p", "milestone_id": "m", "report_date": "d", "is_gate": "g"}
    _, problems = _table("milestones", rows, columns)
    assert len(problems) == normalise.PER_COLUMN + 1
    assert problems[-1].message == "30 more row(s) like these" and problems[-1].severity == ERROR
