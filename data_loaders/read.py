"""Read every sheet of a workbook (python-calamine, cached formula values) or a CSV into rows.

A sheet is a list of rows, each a list of cell values (str, float, int, bool, date, datetime,
or "" for empty). Merged ranges are filled with their top-left value so merged titles and
two-row headers read like unmerged ones. Macros never run: calamine only reads cell values.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from python_calamine import CalamineWorkbook

from data_loaders.guard import Refused

MAX_COLS = 300  # stray cells far to the right (form layouts) are not part of any table


@dataclass
class RawSheet:
    name: str
    rows: list[list]


def read_workbook(data: bytes) -> list[RawSheet]:
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken files
        message = str(exc).lower()
        if "password" in message or "encrypt" in message:
            raise Refused("the workbook is encrypted or password-protected") from None
        raise Refused(f"the workbook cannot be read ({str(exc)[:120]})") from None
    sheets = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            rows = [list(r[:MAX_COLS]) for r in sheet.to_python(skip_empty_area=False)]
            merged = getattr(sheet, "merged_cell_ranges", None) or []
        except Exception as exc:
            raise Refused(f"sheet '{name}' cannot be read ({str(exc)[:120]})") from None
        _fill_merged(rows, merged)
        sheets.append(RawSheet(name, rows))
    return sheets


def _fill_merged(rows: list[list], merged) -> None:
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= MAX_COLS:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        # Fill across (headers spanning columns) but only the first column downwards: a
        # vertically merged label would otherwise repeat as fake data rows.
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, MAX_COLS - 1) + 1):
                while len(row) <= c:
                    row.append("")
                if row[c] == "" and (r == r0 or c == c0):
                    row[c] = value


def decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise Refused("unknown text encoding")  # latin-1 never fails; kept for clarity


def read_csv(name: str, data: bytes) -> list[RawSheet]:
    body = decode(data)
    sample = body[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get)
    rows = [list(r) for r in csv.reader(io.StringIO(body), delimiter=delimiter)]
    return [RawSheet(name.rsplit("/", 1)[-1], rows)]
