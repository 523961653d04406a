"""Excel error values in an .xlsx (#N/A, #REF! …) are read as what they are: the placeholder
rule then leaves the cell empty with a warning naming the error (calamine alone reads them as
empty cells, so they vanished silently)."""

from __future__ import annotations

import io

from openpyxl import Workbook

from data_loaders.ingest import parse_file

HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete", "Planned Value"]


def _book(rows: int, error_every: int) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Status"
    ws.append(HEADER)
    for i in range(rows):
        ws.append([f"P{i}", "2026-11-20", "Green", 30, 1000])
    for i in range(0, rows, error_every):
        cell = ws.cell(row=i + 2, column=5, value="#N/A")
        cell.data_type = "e"
    cell = ws.cell(row=2, column=4, value="#DIV/0!")
    cell.data_type = "e"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _blanked(parsed) -> list[tuple]:
    return [(p.row, p.column, p.value) for p in parsed.report.all_problems
            if p.outcome == "blanked"]  # fmt: skip


def test_error_cells_are_blanked_with_a_warning_naming_them():
    known = {f"P{i}": f"P{i}" for i in range(3)}
    parsed = parse_file("errors.xlsx", _book(3, 2), known)
    assert parsed.report.status == "valid"
    assert sorted(_blanked(parsed)) == [
        (2, "% Complete", "#DIV/0!"), (2, "Planned Value", "#N/A"), (4, "Planned Value", "#N/A"),
    ]  # fmt: skip
    status = parsed.frames["status_reports"]
    assert status["planned_value"].isna().tolist() == [True, False, True]


def test_error_cells_are_found_across_the_whole_sheet_xml():
    # 20,000 rows: several MB of sheet XML, read in chunks; an error cell every 997 rows
    known = {f"P{i}": f"P{i}" for i in range(20_000)}
    parsed = parse_file("big.xlsx", _book(20_000, 997), known)
    rows = sorted(r for r, c, v in _blanked(parsed) if v == "#N/A")
    assert rows == [i + 2 for i in range(0, 20_000, 997)]
