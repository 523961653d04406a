"""A ServiceNow list export (Excel or CSV; column labels such as ``Short description`` or field
names such as ``short_description``) as the canonical table its records belong to.

Recognised by its columns: ``Number`` and ``Short description`` with ``State`` or ``Priority``.
The table comes from the record numbers' prefix (``PRJTASK0010023`` is a project task):

- projects (``pm_project``: PRJ) -> projects (number as id, short description as name);
- project tasks (``pm_project_task``: PRJTASK, PTSK) -> milestones (planned end as forecast,
  actual end, % complete in the status); the WBS, when exported, gives the phases;
- risks (``risk``: RSK) -> risks (probability and impact read as words: ``2 - High`` is High);
- anything else (incidents, problems, issues, changes, tasks) -> RAID items: INC/PRB/ISSUE as
  issues, the rest as actions.

ServiceNow's enumerations: ``state`` as its numbers (1 Open, 2 Work in Progress, 3 Closed
Complete, 4 Closed Incomplete, 7 Closed Skipped, -5 Pending) become those words; ``priority``
``1 - Critical`` ... ``5 - Planning`` (or the bare number) becomes the word. In a numbered
choice the number is the tool's order, not our scale, so the word is what is read.
"""

from __future__ import annotations

import re
from collections import Counter

from data_loaders.outline import percent_number
from data_loaders.read import RawSheet
from data_loaders.report import WARNING, Problem
from data_loaders.schedule import Task, milestone_sheet
from vocabulary.fields import norm

ALIASES = {  # our key -> normalised ServiceNow labels and field names
    "number": ("number",),
    "title": ("short description",),
    "description": ("description",),
    "state": ("state",),
    "priority": ("priority",),
    "owner": ("assigned to", "owner", "risk owner", "project manager"),
    "raised": ("opened", "opened at", "created", "sys created on"),
    "due": ("due date", "due"),
    "project": ("project", "u project", "top task", "project name", "u project name"),
    "forecast": ("planned end date", "planned end", "end date"),
    "baseline": ("baseline end date", "baseline end", "original end date"),
    "actual": ("actual end date", "work end", "actual end"),
    "start": ("planned start date", "start date", "planned start"),
    "percent": ("percent complete", "complete"),
    "milestone": ("milestone",),
    "wbs": ("wbs",),
    "probability": ("probability", "likelihood"),
    "impact": ("impact",),
    "category": ("category",),
    "response": ("mitigation plan", "mitigation", "response", "risk response"),
}
TASK_STATES = {"-5": "Pending", "1": "Open", "2": "Work in Progress", "3": "Closed Complete",
               "4": "Closed Incomplete", "7": "Closed Skipped"}  # fmt: skip
INCIDENT_STATES = {"1": "New", "2": "In Progress", "3": "On Hold", "6": "Resolved",
                   "7": "Closed", "8": "Canceled"}  # fmt: skip
PRIORITIES = {"1": "Critical", "2": "High", "3": "Moderate", "4": "Low", "5": "Planning"}
_NUMBER = re.compile(r"^([A-Z]{2,10})\d{4,}$")
_NUMBERED = re.compile(r"^\s*(-?\d+)\s*-\s*(.+?)\s*$")  # "1 - Critical"
PROJECTS = ("PRJ",)
TASKS = ("PRJTASK", "PTSK")
RISKS = ("RSK", "RISK")
ISSUES = ("INC", "PRB", "ISSUE", "ISU", "PRBTASK")


def _columns(header: list) -> dict[str, int]:
    keys = [norm(h) if isinstance(h, str) else "" for h in header]
    out = {}
    for key, names in ALIASES.items():
        for n in names:
            if n in keys:
                out[key] = keys.index(n)
                break
    return out


def header_row(rows: list[list]) -> tuple[int, dict[str, int]] | None:
    for h, row in enumerate(rows[:5]):
        cols = _columns(list(row))
        if {"number", "title"} <= cols.keys() and ("state" in cols or "priority" in cols):
            return h, cols
    return None


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v if v is not None else "").strip()


def state(v: object, table: str) -> str:
    s = _text(v)
    states = INCIDENT_STATES if table == "issue" else TASK_STATES
    return states.get(s, s)


def word(v: object, numbers: dict[str, str] | None = None) -> str:
    """``2 - High`` -> ``High``; a bare number through ``numbers`` when given."""
    s = _text(v)
    if m := _NUMBERED.match(s):
        return m.group(2)
    return (numbers or {}).get(s, s)


def _table(prefixes: Counter, cols: dict[str, int]) -> str:
    top = prefixes.most_common(1)[0][0] if prefixes else ""
    if top in TASKS:
        return "task"
    if top in PROJECTS:
        return "project"
    if top in RISKS or not top and {"probability", "impact"} <= cols.keys():
        return "risk"
    return "issue" if top in ISSUES else "action"


def convert(raw: RawSheet, project_id: str | None, report_date) -> RawSheet | None:
    found = header_row(raw.rows)
    if found is None:
        return None
    h, cols = found
    body = raw.rows[h + 1 :]

    def cell(row, key) -> object:
        i = cols.get(key)
        return row[i] if i is not None and i < len(row) else ""

    prefixes = Counter(m.group(1) for r in body if (m := _NUMBER.match(_text(cell(r, "number")))))
    table = _table(prefixes, cols)
    note = (
        f"a ServiceNow export of {', '.join(prefixes) or 'records'}: loads as "
        + {
            "task": "milestones (project tasks)",
            "project": "projects",
            "risk": "risks",
            "issue": "RAID issues",
            "action": "RAID actions",
        }[table]  # fmt: skip
        + "; state and priority numbers read as ServiceNow's words"
    )
    if table == "task":
        tasks = []
        for r, row in enumerate(body, h + 2):
            name = _text(cell(row, "title"))
            if not name:
                continue
            wbs = _text(cell(row, "wbs"))
            pct, _ = percent_number(cell(row, "percent"))
            tasks.append(Task(
                row=r, name=name, level=wbs.count(".") if wbs else 0,
                task_id=_text(cell(row, "number")) or None,
                milestone=_text(cell(row, "milestone")).lower() in ("true", "1", "yes"),
                finish=cell(row, "forecast") or cell(row, "due") or None,
                baseline_finish=cell(row, "baseline") or None,
                actual_finish=cell(row, "actual") or None,
                percent=pct,  # ServiceNow's percent_complete is 0-100
                status=state(cell(row, "state"), table) or None,
                project=_text(cell(row, "project")) or None,
            ))  # fmt: skip
        if not tasks:
            return None
        sheet = milestone_sheet(raw.name, tasks, project_id, None, report_date, [note], h + 1)
        sheet.problems[:0] = raw.problems
        return sheet
    if table == "risk":
        header = ["Project ID", "Project name", "Report date", "Risk ID", "Title",
                  "Description", "Category", "Owner", "Status", "Likelihood", "Impact",
                  "Response", "Raised date", "Due date"]  # fmt: skip

        def line(row):
            return [
                project_id or "", "" if project_id else _text(cell(row, "project")),
                report_date or "", cell(row, "number"), cell(row, "title"),
                cell(row, "description"), cell(row, "category"), cell(row, "owner"),
                state(cell(row, "state"), table), word(cell(row, "probability")),
                word(cell(row, "impact")), cell(row, "response"), cell(row, "raised"),
                cell(row, "due"),
            ]  # fmt: skip
    elif table == "project":
        header = ["Project ID", "Project name", "Project manager", "Start date", "End date"]

        def line(row):
            return [
                cell(row, "number"), cell(row, "title"), cell(row, "owner"),
                cell(row, "start"), cell(row, "forecast") or cell(row, "due"),
            ]  # fmt: skip
    else:
        header = ["Project ID", "Project name", "Item ID", "Type", "Description", "Owner",
                  "Status", "Priority", "Raised date", "Due date"]  # fmt: skip

        def line(row):
            return [
                project_id or "", "" if project_id else _text(cell(row, "project")),
                cell(row, "number"), table, cell(row, "title"), cell(row, "owner"),
                state(cell(row, "state"), table), word(cell(row, "priority"), PRIORITIES),
                cell(row, "raised"), cell(row, "due"),
            ]  # fmt: skip

    rows: list[list] = [[] for _ in range(h)] + [header]
    rows += [line(r) if any(_text(c) for c in r) else [] for r in body]
    # columns the export did not have are left out (an empty project column would hide --project)
    keep = [
        i
        for i, name in enumerate(header)
        if any(_text(r[i]) for r in rows[h + 1 :] if r)
        or name in ("Title", "Description", "Project name")
    ]
    rows = [[r[i] for i in keep] if r else r for r in rows]
    sheet = RawSheet(raw.name, rows, list(raw.problems))
    sheet.problems.append(Problem(raw.name, None, None, None, note, WARNING))
    return sheet
