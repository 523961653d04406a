"""The validation report shared by every loader (Excel/CSV ingest and SQL sync).

A problem names where it is (file, sheet, row, column), the offending value, a message and a
severity. ``error`` blocks the commit; ``warning`` is shown but lets the data load.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd

import models

ERROR, WARNING = "error", "warning"


@dataclass
class Problem:
    sheet: str | None  # sheet name, table name for SQL sources, None for the whole file
    row: int | None  # 1-based row as the user sees it in the sheet (or source row number)
    column: str | None  # the column header as written in the source
    value: str | None
    message: str
    severity: str = ERROR


@dataclass
class SheetReport:
    sheet: str
    kind: str  # status, risks, milestones, decisions, raid, projects, unsupported
    reason: str | None = None  # why it is unsupported, or how it was recognised
    header_row: int | None = None  # 1-based
    mapping: dict[str, str] = field(default_factory=dict)  # source header -> canonical field
    rows_loaded: int = 0
    rows_skipped: int = 0
    problems: list[Problem] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # money column -> unit and currency read


@dataclass
class FileReport:
    file: str
    status: str  # loaded, rejected, unsupported, duplicate (or "valid" for a dry run / preview)
    sheets: list[SheetReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # file-level problems
    totals: dict[str, int] = field(default_factory=dict)  # rows per canonical table
    upload_id: int | None = None

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for s in self.sheets for p in s.problems]

    @property
    def has_errors(self) -> bool:
        return any(p.severity == ERROR for p in self.all_problems)

    def to_dict(self) -> dict:
        return asdict(self)


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for display (sheet / row / column / value / message / severity)."""
    cols = ["sheet", "row", "column", "value", "message", "severity"]
    return pd.DataFrame([asdict(p) for p in problems], columns=cols)


def schema_problems(
    table: str,
    frame: pd.DataFrame,
    sheet: str,
    rows: list[int] | None = None,
    headers: dict[str, str] | None = None,
) -> list[Problem]:
    """Run the pandera schema of ``table`` (lazy, all failures) and turn failures into problems.

    ``rows`` gives the source row number of each frame row (by position); ``headers`` maps
    canonical fields back to the header the user wrote, so messages speak the user's language.
    """
    import pandera.errors as pa_errors

    try:
        models.SCHEMAS[table].validate(frame, lazy=True)
        return []
    except pa_errors.SchemaErrors as exc:
        cases = exc.failure_cases
    out = []
    headers = headers or {}
    for case in cases.itertuples(index=False):
        idx = case.index
        row = None
        if idx is not None and not pd.isna(idx):
            pos = frame.index.get_loc(idx) if idx in frame.index else None
            row = (
                rows[pos]
                if rows is not None and isinstance(pos, int)
                else (int(idx) + 1 if isinstance(idx, (int,)) else None)
            )
        column = case.column if isinstance(case.column, str) else None
        out.append(
            Problem(
                sheet=sheet,
                row=row,
                column=headers.get(column, column) if column else None,
                value=None if pd.isna(case.failure_case) else str(case.failure_case),
                message=_message(case.check, column),
            )
        )
    return out


def _message(check, column) -> str:
    text = str(check)
    if text.startswith("in_range"):
        return f"{column}: value out of range {text[len('in_range') :]}"
    if text.startswith("isin"):
        return f"{column}: not an allowed value"
    if "greater_than_or_equal_to(0" in text:
        return f"{column}: must not be negative"
    if text == "field_uniqueness" or "unique" in text:
        return "duplicate key: the same row appears twice"
    if text.startswith("coerce_dtype") or "dtype" in text:
        return f"{column}: wrong type ({text})"
    if text == "column_in_dataframe":
        return "missing required column"
    if text == "not_nullable":
        return f"{column}: required value is empty"
    return text


def stored_problems(report: dict) -> list[dict]:
    """Every problem of a FileReport as stored with its upload (``FileReport.to_dict()``)."""
    return list(report.get("problems", [])) + [
        p for sheet in report.get("sheets", []) for p in sheet.get("problems", [])
    ]


def rows_written(row_counts: str | None) -> str:
    """``status_reports 12, risks 30`` from an upload's stored row counts (JSON)."""
    if not row_counts:
        return ""
    counts = json.loads(row_counts)
    return ", ".join(f"{table} {n}" for table, n in counts.items() if n) or "nothing new"
