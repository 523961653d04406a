"""A task list whose hierarchy is only Excel row grouping (a Smartsheet export, an Excel plan
with "Group rows"): read the outline level of each row and load the tasks as milestones.

calamine reads cell values fast but not row properties, and openpyxl loads the whole workbook to
give them; the outline level and hidden flag are attributes of the ``<row>`` tags of the sheet
XML, so they are read here by streaming that XML, and only for a sheet whose header already
looks like a task list. Hidden rows are read like the others: hidden is a view, not "not data".
"""

from __future__ import annotations

import io
import re
import zipfile

from data_loaders.guard import CHUNK, sheet_titles
from data_loaders.read import RawSheet
from data_loaders.schedule import Task, milestone_sheet
from vocabulary.fields import norm

NAME = ("task name", "task", "activity", "activity name", "name", "task description", "summary")
FINISH = ("finish", "finish date", "end", "end date", "planned finish", "due date", "due")
START = ("start", "start date", "planned start")
BASELINE = ("baseline finish", "baseline end", "baseline finish date", "baseline end date")
ACTUAL = ("actual finish", "actual end", "actual finish date", "actual end date")
PERCENT = ("percent complete", "complete", "progress")
STATUS = ("status",)
DURATION = ("duration",)
LEVEL = ("outline level", "level")
OUTLINE_IDS = ("wbs", "outline number", "wbs id", "wbs code")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s([^>]*)>")
_ATTR = re.compile(rb'\b(r|outlineLevel|hidden)="([^"]*)"')


def _find(header: list[str], words: tuple[str, ...]) -> int | None:
    return next((i for w in words for i, h in enumerate(header) if h == w), None)


def task_header(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    """The header row (0-based) and the task columns of a sheet that looks like a task list:
    a name column and a finish or start column in one of the first ten rows."""
    for h, row in enumerate(rows[:10]):
        header = [norm(c) if isinstance(c, str) else "" for c in row]
        cols = {k: _find(header, w) for k, w in (
            ("name", NAME), ("finish", FINISH), ("start", START), ("baseline", BASELINE),
            ("actual", ACTUAL), ("percent", PERCENT), ("status", STATUS),
            ("duration", DURATION), ("level", LEVEL),
        )}  # fmt: skip
        if cols["name"] is not None and (cols["finish"] is not None or cols["start"] is not None):
            ids = [i for i, c in enumerate(header) if c in ("id", *OUTLINE_IDS)
                   or c.endswith(" id")]  # fmt: skip
            ids.sort(key=lambda i: header[i] not in OUTLINE_IDS)  # the outline number first
            cols["id"] = ids[0] if ids else None
            return h, {k: v for k, v in cols.items() if v is not None}
    return None


def row_outline(data: bytes, sheet_name: str) -> dict[int, tuple[int, bool]]:
    """1-based row -> (outline level, hidden) for the rows of ``sheet_name`` that have either."""
    out: dict[int, tuple[int, bool]] = {}
    if not data.startswith(b"PK"):
        return out
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        part = next((p for p, t in sheet_titles(zf).items() if t == sheet_name), None)
        if part is None:
            return out
        n, carry = 0, b""
        with zf.open(part) as fh:
            while chunk := fh.read(CHUNK):
                buf = carry + chunk
                cut = buf.rfind(b"<")
                carry = buf[cut:] if cut > buf.rfind(b">") else b""
                for attrs in _ROW_TAG.findall(buf[: len(buf) - len(carry)]):
                    a = dict(_ATTR.findall(attrs))
                    n = int(a[b"r"]) if a.get(b"r", b"").isdigit() else n + 1
                    level = int(a[b"outlineLevel"]) if a.get(b"outlineLevel", b"").isdigit() else 0
                    hidden = a.get(b"hidden") in (b"1", b"true")
                    if level or hidden:
                        out[n] = (level, hidden)
    return out


def percent_number(v: object) -> tuple[float | None, bool]:
    """A % complete cell: (number, written with a % sign)."""
    if isinstance(v, bool):
        return None, False
    if isinstance(v, (int, float)):
        return float(v), False
    text = str(v or "").strip()
    try:
        return float(text.rstrip("%").strip()), text.endswith("%")
    except ValueError:
        return None, False


def _percents(values: list) -> list[float | None]:
    """% complete as 0-100: fractions (0.5, as Excel keeps a % cell) or percents (50), decided
    for the whole column from the numbers without a % sign."""
    read = [percent_number(v) for v in values]
    bare = [n for n, sign in read if n is not None and not sign]
    scale = 100.0 if bare and max(bare) <= 1 else 1.0
    return [None if n is None else n if sign else n * scale for n, sign in read]


def _id(v: object) -> str | None:
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # a numeric id column: 2, not 2.0
    return str(v).strip() or None if v is not None else None


def _zero(v: object) -> bool:
    return bool(re.fullmatch(r"\s*0+(\.0+)?\s*[a-z]*\s*", str(v))) if v not in ("", None) else False


def to_milestones(
    raw: RawSheet, data: bytes, project_id: str | None, report_date
) -> RawSheet | None:
    """The sheet as milestones when it is a planning tool's task list, else None: a task name
    and dates with an outline (Excel row grouping, or an outline level column)."""
    found = task_header(raw.rows)
    if found is None:
        return None
    h, cols = found
    outline = row_outline(data, raw.name)
    grouped = any(level for level, _ in outline.values())
    if not grouped and "level" not in cols:
        # a flat list with dates (a WBS, a duration) is a table the sheet parser reads as it is
        return None
    if not grouped and "level" in cols:  # MS Project's Excel export: an Outline_Level column
        outline = {}
        for r, row in enumerate(raw.rows[h + 1 :], h + 2):
            v = row[cols["level"]] if cols["level"] < len(row) else ""
            if isinstance(v, (int, float)) and not isinstance(v, bool) or str(v).isdigit():
                outline[r] = (int(float(v)), False)

    def cell(row: list, key: str) -> object:
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) else ""

    body = raw.rows[h + 1 :]
    pcts = _percents([cell(r, "percent") for r in body])

    tasks = []
    for r, (row, pct) in enumerate(zip(body, pcts, strict=True), h + 2):
        name = str(cell(row, "name") or "").strip()
        if not name:
            continue
        level, _ = outline.get(r, (0, False))
        tasks.append(Task(
            row=r, name=name, level=level,
            task_id=_id(cell(row, "id")),
            milestone=_zero(cell(row, "duration")),
            start=cell(row, "start") or None, finish=cell(row, "finish") or None,
            baseline_finish=cell(row, "baseline") or None,
            actual_finish=cell(row, "actual") or None,
            percent=pct,
            status=str(cell(row, "status") or "") or None,
        ))  # fmt: skip
    if not tasks:
        return None
    hidden = sum(1 for _, hid in outline.values() if hid)
    levels = sorted({level for level, _ in outline.values()} | {0})
    if grouped:
        how = (f"a task list grouped into outline levels {levels[0]}-{levels[-1]} (Excel row "
               "grouping, as a Smartsheet export writes it): the groups are read as the plan's "
               "tree")  # fmt: skip
    else:
        how = (
            f"a task list with outline levels {levels[0]}-{levels[-1]} in its outline level column"
        )
    notes = [how + "; a task with duration 0 is a milestone"]
    if hidden:
        notes.append(f"{hidden} hidden row(s) read like the others")
    if "baseline" not in cols:
        notes.append("no baseline column: baseline dates stay empty; finish dates are forecasts")
    sheet = milestone_sheet(raw.name, tasks, project_id, None, report_date, notes, h + 1)
    sheet.problems[:0] = raw.problems
    return sheet
