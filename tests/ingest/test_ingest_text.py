"""Text limits and clean text, the same on SQLite and PostgreSQL: long ids, names and free text,
control characters and NUL, non-finite numbers, line breaks in ids."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import func, select

import models
import store
from config import Config
from data_loaders.ingest import Options, parse_file
from data_loaders.limits import check_frame
from tests.ingest_helpers import errors, load, xlsx

STATUS = ["Project ID", "Project Name", "Report Date", "Overall RAG", "% Complete", "Summary"]


def status(*rows) -> bytes:
    return xlsx({"Status": [STATUS, *rows]})


def with_controls(data: bytes) -> bytes:
    """Excel writes control characters as ``_xHHHH_``; openpyxl refuses them, so patch the XML."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(
                info, src.read(info).replace(b"NUL", b"_x0000_").replace(b"BEL", b"_x0007_")
            )
    return out.getvalue()


def count(url: str, table) -> int:
    with store.get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar()


def problems(report, severity="error") -> list[tuple]:
    return [(p.row, p.column, p.message) for p in report.all_problems if p.severity == severity]


@pytest.mark.slow
def test_long_id_and_name_are_errors_and_nothing_is_written(db_url):
    # Both crashed PostgreSQL with a DataError traceback; SQLite stored the 5,000-character id.
    data = status(
        ["P" * 5000, "Long id", "2026-11-20", "Green", 10, "ok"],
        ["P2", "N" * 301, "2026-11-20", "Green", 10, "ok"],
    )
    report, _ = load(db_url, data, new_projects="create")
    assert report.status == "rejected"  # every row skipped: nothing to load
    assert [p for p in problems(report) if p[0] is not None] == [
        (2, "Project ID", "project_id: 5,000 characters; the limit is 64 (ingest.max_id_chars)"),
        (3, "Project Name", "name: 301 characters; the limit is 300 (ingest.max_name_chars)"),
    ]
    assert count(db_url, models.uploads) == 0 and count(db_url, models.projects) == 0


def test_nul_and_control_characters_are_removed_with_a_warning(db_url):
    data = with_controls(status(["P1", "OneNUL", "2026-11-20", "Green", 10, "onBEL track NUL"]))
    report, parsed = load(db_url, data, new_projects="create")
    assert report.status == "loaded", errors(report)
    assert problems(report, "warning")[:2] == [
        (2, "Project Name", "1 control character(s) removed"),
        (2, "Summary", "2 control character(s) removed"),
    ]
    shown = [p.value for p in report.all_problems if p.severity == "warning"][:2]
    assert shown == ["One\\x00", "on\\x07 track \\x00"]  # visible in the report, not raw
    with store.get_engine(db_url).connect() as conn:
        row = conn.execute(select(models.status_reports.c.summary)).one()
        name = conn.execute(select(models.projects.c.name)).scalar()
    assert row.summary == "on track" and name == "One"


def test_free_text_limit_and_column_size_are_enforced(db_url):
    # portfolio is 200 characters in the schema: PostgreSQL refused 250, SQLite kept them.
    data = xlsx({"Projects": [
        ["Project ID", "Project Name", "Portfolio", "Budget", "Start Date"],
        ["P1", "One", "x" * 250, 100, "2026-01-01"],
    ], "Status": [STATUS, ["P1", "One", "2026-11-20", "Green", 10, "s" * 10_001]]})  # fmt: skip
    report, _ = load(db_url, data, new_projects="create")
    assert report.status == "rejected"  # both rows skipped: nothing to load
    assert {p for p in problems(report) if p[0] is not None} == {
        (2, "Portfolio", "portfolio: 250 characters; the limit is 200 (the column's size)"),
        (2, "Summary", "summary: 10,001 characters; the limit is 10,000 (ingest.max_text_chars)"),
    }
    assert count(db_url, models.uploads) == 0


def test_text_limits_are_configurable():
    cfg = replace(Config(), ingest=replace(Config().ingest, max_text_chars=50, max_id_chars=5))
    parsed = parse_file("s.xlsx", status(["P-123456", "One", "2026-11-20", "Green", 10, "s" * 51]),
                        {}, cfg, Options(new_projects="create"))  # fmt: skip
    assert sorted(m for r, _, m in problems(parsed.report) if r is not None) == [
        "project_id: 8 characters; the limit is 5 (ingest.max_id_chars)",
        "summary: 51 characters; the limit is 50 (ingest.max_text_chars)",
    ]


def test_non_finite_numbers_are_blanked_and_line_breaks_in_ids_skip_the_row():
    text = (
        "Project ID,Report Date,Overall RAG,% Complete,Budget,Planned Value\n"
        "P1,2026-11-20,Green,10,1e309,5\n"
        "P2,2026-11-20,Green,nan,100,-inf\n"
        '"P3\nx",2026-11-20,Green,10,100,5\n'
    )
    parsed = parse_file("s.csv", text.encode(), {"P1": "1", "P2": "2", "P3\nx": "3"})
    assert parsed.report.status == "valid"  # the good rows load; infinity is never stored
    blanked = [(p.row, p.column, p.message) for p in parsed.report.all_problems
               if p.outcome == "blanked"]  # fmt: skip
    assert sorted(blanked) == [
        (2, "Budget", "not a finite number"),
        (3, "% Complete", "not a finite number"),
        (3, "Planned Value", "not a finite number"),
    ]
    assert problems(parsed.report) == [
        (4, "Project ID", "project_id: an id must be one line (no line breaks or tabs)")
    ]
    status = parsed.frames["status_reports"]
    assert list(status["project_id"]) == ["P1", "P2"]
    assert status["planned_value"].isna().tolist() == [False, True]


def test_check_frame_serves_any_loader():
    """The SQL sync hands over frames as read from a database: same rules, its row numbers."""
    frame = pd.DataFrame({
        "project_id": ["P1", "P\x002", "P3"],
        "report_date": pd.to_datetime(["2026-11-20"] * 3),
        "summary": ["fine", "ok", "x" * 10_001],
        "planned_value": [1.0, np.inf, None],
    })  # fmt: skip
    clean, found = check_frame("status_reports", frame, Config(), rows=[10, 11, 12])
    assert list(clean["project_id"]) == ["P1", "P2", "P3"]
    assert list(frame["project_id"]) == ["P1", "P\x002", "P3"]  # the caller's frame is untouched
    assert [(p.sheet, p.row, p.column, p.severity, p.message) for p in found] == [
        ("status_reports", 11, "project_id", "warning", "1 control character(s) removed"),
        ("status_reports", 12, "summary", "error",
         "summary: 10,001 characters; the limit is 10,000 (ingest.max_text_chars)"),
        ("status_reports", 11, "planned_value", "error", "planned_value: not a finite number"),
    ]  # fmt: skip
    _, unnumbered = check_frame("status_reports", frame, Config())  # no row numbers: positions
    assert [p.row for p in unnumbered] == [2, 3, 2]
    assert all(type(p.row) is int for p in unnumbered)  # the report is stored as JSON
