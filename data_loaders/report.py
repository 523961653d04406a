"""The validation report shared by every loader (Excel/CSV ingest and SQL sync).

A problem names where it is (file, sheet, row, column), the offending value, a message, a
severity (``error``: a value is wrong or missing; ``warning``: worth a look) and its outcome:
the file is refused (nothing written), the row is skipped (the other rows load), the cell is
left empty (the row loads) or the value loads with only a warning.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

import pandas as pd

import models

ERROR, WARNING = "error", "warning"
REFUSED, SKIPPED, BLANKED, WARNED = "refused", "skipped", "blanked", "warned"
OUTCOME_LABELS = {
    REFUSED: "nothing loaded",
    SKIPPED: "row skipped",
    BLANKED: "cell left empty",
    WARNED: "loaded, check it",
}
# What a sheet may lack and the PM supplies, in the PM's words (the CLI adds its option names).
NEEDS = {"project": "the project", "report_date": "the report date"}
NO_RAG = "no RAG"  # message prefix of a status row whose rating word is not a rating


@dataclass
class Problem:
    sheet: str | None  # sheet name, table name for SQL sources, None for the whole file
    row: int | None  # 1-based row as the user sees it in the sheet (or source row number)
    column: str | None  # the column header as written in the source
    value: str | None
    message: str
    severity: str = ERROR
    outcome: str = ""  # refused, skipped, blanked, warned; default: refused for an error

    def __post_init__(self) -> None:
        if not self.outcome:
            self.outcome = REFUSED if self.severity == ERROR else WARNED


@dataclass
class SheetReport:
    sheet: str
    kind: str  # status, risks, milestones, decisions, raid, projects, unsupported
    reason: str | None = None  # why it is unsupported, or how it was recognised
    header_row: int | None = None  # 1-based
    mapping: dict[str, str] = field(default_factory=dict)  # source header -> canonical field
    rows_loaded: int = 0  # data rows that load (or would load, in a preview)
    rows_skipped: int = 0  # data rows left out because of a problem (listed in problems)
    rows_ignored: int = 0  # totals, repeated headers, footers: not data
    rows_waiting: int = 0  # rows of new projects not created (yet): they load once ticked
    needs: list[str] = field(default_factory=list)  # what the sheet lacks: project, report_date
    problems: list[Problem] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)  # money column -> unit and currency read
    # what the values suggest an unrecognised table holds: kind, mapping, reasons, CLI flags
    suggestion: dict | None = None
    # how the sheet was understood, one sentence each: "'Start': dates read day first:
    # '19/04/2024' exists", "'Naziv projekta' read as name (Croatian)"
    inferences: list[str] = field(default_factory=list)


@dataclass
class FileReport:
    file: str
    status: str  # loaded, rejected, unsupported, duplicate (or "valid" for a dry run / preview)
    sheets: list[SheetReport] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # file-level problems
    totals: dict[str, int] = field(default_factory=dict)  # rows per canonical table
    upload_id: int | None = None
    # cells corrected in the preview: sheet, row, column, original, value, by (set at commit)
    corrections: list[dict] = field(default_factory=list)

    @property
    def all_problems(self) -> list[Problem]:
        return self.problems + [p for s in self.sheets for p in s.problems]

    @property
    def has_errors(self) -> bool:
        """A problem that refuses the file (a skipped row does not)."""
        return any(p.outcome == REFUSED for p in self.all_problems)

    @property
    def rows_loaded(self) -> int:
        return sum(s.rows_loaded for s in self.sheets)

    @property
    def rows_skipped(self) -> int:
        return sum(s.rows_skipped for s in self.sheets)

    @property
    def needs(self) -> list[str]:
        """What any sheet lacks (project, report date), in a stable order."""
        return [n for n in NEEDS if any(n in s.needs for s in self.sheets)]

    def to_dict(self) -> dict:
        return {**asdict(self), "rows_loaded": self.rows_loaded, "rows_skipped": self.rows_skipped}


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    """Problems as a table for display (sheet / row / column / value / message / severity /
    outcome, the outcome in words)."""
    cols = ["sheet", "row", "column", "value", "message", "severity", "outcome"]
    frame = pd.DataFrame([asdict(p) for p in problems], columns=cols)
    frame["outcome"] = frame["outcome"].map(lambda o: OUTCOME_LABELS.get(o, o))
    return frame


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def load_summary(report: FileReport) -> str:
    """``242 rows will load, 2 will be skipped`` (after a commit: ``loaded``, ``were skipped``)."""
    done = report.status == "loaded"
    text = f"{plural(report.rows_loaded, 'row')} {'loaded' if done else 'will load'}"
    if report.rows_skipped:
        text += f", {report.rows_skipped:,} {'were' if done else 'will be'} skipped"
    return text


def warning_summary(report: FileReport) -> list[str]:
    """Counts a PM should see before committing: ``15 rows have no RAG``, ``3 cells left empty``."""
    problems = report.all_problems
    out = []
    no_rag = sum(p.message.startswith(NO_RAG) for p in problems)
    if no_rag:
        out.append(f"{plural(no_rag, 'row')} {'has' if no_rag == 1 else 'have'} no RAG")
    blanked = sum(p.outcome == BLANKED for p in problems)
    if blanked:
        out.append(f"{plural(blanked, 'cell')} left empty")
    return out


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
                value=as_typed(case.failure_case),
                message=_message(case.check, column),
            )
        )
    return out


def as_typed(value) -> str | None:
    """A failing value as the user wrote it: a date as a date, 140 rather than 140.0."""
    if pd.isna(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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


CORRECTION_COLUMNS = ["upload_id", "file_name", "sheet", "row", "column", "original", "value", "by"]


def corrections_frame(
    reports: dict[int, dict], names: dict[int, str] | None = None
) -> pd.DataFrame:
    """Cells corrected in the preview, per upload (its stored report): sheet, row, column, the
    value in the file, the corrected value and who corrected it; newest upload first."""
    names = names or {}
    rows = [
        {**c, "upload_id": uid, "file_name": names.get(uid, report.get("file"))}
        for uid, report in reports.items()
        for c in report.get("corrections", [])
    ]
    frame = pd.DataFrame(rows, columns=CORRECTION_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["upload_id", "sheet", "row"], ascending=[False, True, True])
