"""Cells corrected in the preview: a PM's fix for an offending cell, applied before parsing.

A correction names a cell as the report does (sheet, 1-based row, column header) and gives the
text to read instead. It is written into the sheet's raw cells before the sheet is parsed
again, so it goes through exactly the checks a typed cell does (placeholders, units, ranges).
The file's bytes are never changed; each applied correction is recorded in the upload's
report with the original value, the new one and (at commit) who made it.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from data_loaders.read import RawSheet
from data_loaders.report import Problem

Cell = tuple[str, int, str]  # sheet, row (1-based, as in the report), column header
_SPEC = re.compile(r"^(?P<sheet>.*)!(?P<row>\d+):(?P<column>[^=]+)=(?P<value>.*)$", re.S)


def parse_spec(spec: str) -> tuple[Cell, str]:
    """``Status!3:% Complete=40`` -> (("Status", 3, "% Complete"), "40"); ValueError if not."""
    m = _SPEC.match(spec)
    if not m or not m["sheet"]:
        raise ValueError(
            f"'{spec}' is not SHEET!ROW:COLUMN=VALUE (for example Status!3:% Complete=40)"
        )
    return (m["sheet"], int(m["row"]), m["column"].strip()), m["value"].strip()


def cell_text(value: object) -> str:
    """A raw cell as the PM sees it: a date as a date, 140 rather than 140.0."""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def apply(
    raw: RawSheet, headers: list[str], header_row: int | None, fixes: dict[Cell, str]
) -> tuple[list[dict], list[Problem]]:
    """Write ``fixes`` into ``raw``'s cells (``headers`` and ``header_row`` from a first parse
    of it). Returns a record per changed cell and a file-level error per correction that names
    no data cell: a fix the PM asked for is never dropped silently."""
    done, problems = [], []
    for (sheet, row, column), text in fixes.items():
        where = f"the correction of sheet {sheet} row {row} column '{column}'"
        if header_row is None or column not in headers or not header_row < row <= len(raw.rows):
            why = (
                "the sheet has no table with a header row"
                if header_row is None
                else f"no column '{column}'"
                if column not in headers
                else f"row {row} is not a data row"
            )
            problems.append(Problem(sheet, row, column, text, f"{where} cannot be applied: {why}"))
            continue
        i = headers.index(column)
        cells = list(raw.rows[row - 1])  # CSV blank rows share one tuple: never write into it
        cells += [""] * (i + 1 - len(cells))
        original = cell_text(cells[i])
        if original == text:
            continue
        cells[i] = text
        raw.rows[row - 1] = cells
        done.append(
            {"sheet": sheet, "row": row, "column": column, "original": original, "value": text}
        )
    return done, problems


def still_bad(problems: list[Problem], done: list[dict]) -> None:
    """A corrected cell that still fails says so, naming what the file held."""
    fixed = {(d["sheet"], d["row"], d["column"]): d["original"] for d in done}
    for p in problems:
        original = fixed.get((p.sheet, p.row, p.column))
        if original is not None:
            p.message += f" (corrected value; the file has '{original}')"
