"""Encodings and headers: UTF-16 text exports, files mixing UTF-8 and Windows-1252, a header
written twice."""

from __future__ import annotations

from datetime import date

import pytest

from data_loaders.ingest import Options, parse_file
from tests.ingest_helpers import errors, xlsx

KNOWN = {"P1": "One", "P2": "Two"}
DAY = date(2026, 11, 20)
ROWS = [
    ["Project ID", "Report Date", "Overall RAG", "% Complete", "Summary"],
    ["P1", "2026-11-20", "Green", "10", "Café opening"],
    ["P2", "2026-11-20", "Red", "20", "Naïve plan – 2€"],
]


def tab_text(rows=ROWS) -> str:
    return "\r\n".join("\t".join(r) for r in rows) + "\r\n"


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe" + tab_text().encode("utf-16-le"),  # Excel: Save as "Unicode Text"
        b"\xfe\xff" + tab_text().encode("utf-16-be"),
        tab_text().encode("utf-16-le"),  # no byte-order mark
    ],
    ids=["utf-16-le-bom", "utf-16-be-bom", "utf-16-le"],
)
def test_utf16_text_export_loads(raw):
    parsed = parse_file("export.txt.csv", raw, KNOWN)
    assert parsed.report.status == "valid", parsed.report.all_problems
    status = parsed.frames["status_reports"].set_index("project_id")
    assert status.loc["P1", "summary"] == "Café opening"
    assert status.loc["P2", "summary"] == "Naïve plan – 2€"


def test_mixed_utf8_and_cp1252_decodes_each_line_and_names_the_odd_ones():
    lines = [",".join(r) for r in ROWS]
    raw = (lines[0] + "\n" + lines[1] + "\n").encode("utf-8") + (lines[2] + "\n").encode("cp1252")
    parsed = parse_file("mixed.csv", raw, KNOWN)
    assert not errors(parsed.report)
    status = parsed.frames["status_reports"].set_index("project_id")
    assert status.loc["P1", "summary"] == "Café opening"  # was "CafÃ© opening"
    assert status.loc["P2", "summary"] == "Naïve plan – 2€"
    [warning] = [p for p in parsed.report.all_problems if p.severity == "warning"]
    assert (warning.sheet, warning.row) == ("mixed.csv", 3)
    assert warning.message == (
        "not UTF-8 like the rest of the file: read as Windows-1252; check its accents"
    )
    assert warning.value.startswith("P2,2026-11-20,Red")
    # A file that is Windows-1252 throughout is not mixed: read as such, no warning.
    legacy = parse_file("legacy.csv", "\n".join(",".join(r) for r in ROWS).encode("cp1252"), KNOWN)
    assert not legacy.report.all_problems
    assert legacy.frames["status_reports"]["summary"].tolist() == ["Café opening", ROWS[2][4]]


def test_repeated_header_names_both_columns_and_the_one_used():
    rows = [
        ["Project ID", "Project Name", "Budget", "Overall RAG", "Budget"],
        ["P1", "One", 100, "Green", 999],
        ["P2", "Two", None, "Red", 250],
    ]
    parsed = parse_file(
        "twice.xlsx",
        xlsx({"Status": rows}),
        {},
        options=Options(report_date=DAY, new_projects="create"),
    )
    assert not errors(parsed.report)
    [warning] = [p for p in parsed.report.all_problems if "both load" in p.message]
    assert warning.message == (
        "'Budget' (column C) and 'Budget' (column E) both load into budget: values come from "
        "'Budget' (column C); 'Budget' (column E) only fills its empty cells"
    )
    assert warning.column == "Budget (2)"
    budget = parsed.frames["projects"].set_index("project_id")["budget"]
    assert budget.to_dict() == {"P1": 100.0, "P2": 250.0}
