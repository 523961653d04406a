"""A schedule from a planning tool (MS Project XML, an outlined Smartsheet / Excel task list) as
one milestones sheet: the tasks a review tracks, with their phase, under canonical column names.

The tools keep a plan as a tree of tasks. The milestones table is flat, so the tree is read as:
- the summary tasks (a task with children) are *phases*: not loaded as rows, their name is put
  before the names of the tasks under them (``Design › Sign-off``); the milestones table has
  no phase field and a name carries it to every page and export unchanged;
- MS Project's project summary task (UID 0) is the project itself, not a phase;
- every leaf task and every task flagged as a milestone is a row: finish as the forecast date,
  the baseline finish as the baseline date, the actual finish as the actual date.

The sheet is then parsed like any other (``sheet.parse_sheet``): the same typing, checks and
report, so a tool export meets the rules of a typed sheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from data_loaders.read import RawSheet
from data_loaders.report import WARNING, Problem

PHASE_MARK = " › "  # between a phase and a task name: rare in task names, plain to read
PHASE, NOT_A_TASK = "(phase)", "(not a task)"  # status of the rows that do not load
HEADER = [
    "Project ID", "Project name", "Report date", "Milestone ID", "Milestone",
    "Baseline date", "Forecast date", "Actual date", "Status",
]  # fmt: skip


@dataclass
class Task:
    row: int  # where the task is in the source (1-based row, or position in the XML)
    name: str
    level: int  # outline level; 0 = the top
    task_id: str | None = None  # outline number / WBS / the tool's id, always text
    summary: bool | None = None  # None: decided from the outline (a task with children)
    milestone: bool = False
    # dates as read: a date, or the cell as the tool wrote it (the sheet parser types text)
    start: object = None
    finish: object = None
    baseline_start: object = None
    baseline_finish: object = None
    actual_finish: object = None
    percent: float | None = None
    status: str | None = None
    project: str | None = None  # the project of this task, when an export holds several


def _mark_summaries(tasks: list[Task]) -> None:
    """A task whose next task is one level deeper has children (the outline order is the tree)."""
    for i, t in enumerate(tasks):
        if t.summary is None:
            t.summary = i + 1 < len(tasks) and tasks[i + 1].level > t.level


def phases(tasks: list[Task]) -> list[str | None]:
    """Each task's phase: the summary task at the top of its branch (None for a top task)."""
    _mark_summaries(tasks)
    top = min((t.level for t in tasks), default=0)
    out, current = [], None
    for t in tasks:
        if t.level == top:
            current = t.name if t.summary else None
        out.append(current if t.level > top else None)
    return out


def status_text(t: Task) -> str | None:
    """The tool's status, else the progress in words: the milestones table has no % complete,
    and dropping it would lose what the plan says (100 % reads as complete)."""
    if t.status and t.status.strip():
        return t.status
    if t.percent is None:
        return None
    if t.percent >= 100:
        return "Complete"
    return "Not started" if t.percent <= 0 else f"In progress ({t.percent:g}%)"


def milestone_sheet(
    title: str,
    tasks: list[Task],
    project_id: str | None,
    project_name: str | None,
    report_date: date | None,
    notes: list[str],
    header_row: int = 1,
) -> RawSheet:
    """The tasks as a milestones sheet, each on its source row (``Task.row``) so a problem
    names the row the PM sees in the tool's file; ``notes`` (what was inferred) come first."""
    names = phases(tasks)
    width = len(HEADER)
    # Rows that are not tasks (phases, skipped and blank lines) hold only a marker: a row
    # without a name is "not data" to the sheet parser, and unlike a blank row it never ends
    # the table (three blank rows do).
    filler = [""] * (width - 1) + [NOT_A_TASK]
    last = max([header_row, *(t.row for t in tasks)])
    rows: list[list] = [[] for _ in range(header_row)] + [filler] * (last - header_row)
    rows[header_row - 1] = list(HEADER)
    loaded = summaries = 0
    for t, phase in zip(tasks, names, strict=True):
        if t.summary and not t.milestone:
            # a phase: kept as a row without a name, which the parser counts as "not data"
            summaries += 1
            rows[t.row - 1] = [""] * (width - 1) + [PHASE]
            continue
        loaded += 1
        name = f"{phase}{PHASE_MARK}{t.name}" if phase else t.name
        rows[t.row - 1] = [
            project_id or "", project_name or t.project or "", report_date or "",
            t.task_id or "", name,
            t.baseline_finish or "", t.finish or "", t.actual_finish or "", status_text(t) or "",
        ]  # fmt: skip
    # a column the plan leaves empty is left out: an empty id column would make every row
    # keyless, an empty project column would hide the --project the PM gives
    body = [r for r in rows[header_row:] if r[-1] not in (PHASE, NOT_A_TASK)]
    keep = [i for i, h in enumerate(HEADER)
            if h in ("Milestone", "Forecast date") or any(r[i] != "" for r in body)]  # fmt: skip
    if width - 1 not in keep:
        keep.append(width - 1)  # the markers' column
    rows = [[r[i] for i in keep] if r else r for r in rows]
    sheet = RawSheet(title, rows)
    milestones = sum(t.milestone for t in tasks)
    notes = [
        f"{loaded} task(s) load as milestones ({milestones} flagged as milestone); "
        f"{summaries} summary task(s) are phases, written before the task name "
        f"('Phase{PHASE_MARK}Task'); a task's finish is its forecast date",
        *notes,
    ]
    sheet.problems += [Problem(title, None, None, None, n, WARNING) for n in notes]
    return sheet
