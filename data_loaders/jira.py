"""A Jira issue export ("Export Excel CSV (all fields)" or the current fields) as the RAID items
of a project.

Recognised by its columns: ``Issue key`` and ``Summary`` with ``Issue id`` or ``Issue Type``
(the English field names; an export from a Jira set to another language is not recognised
yet). Repeated columns (``Labels`` x5, issue links) are how Jira writes multi-value fields; they
are not read.

The RAID type of an issue comes from its Issue Type (``ISSUE_TYPES``): a Jira "Risk" is a RAID
risk, a bug or impediment an issue, a dependency a dependency, and work items (Epic, Story, Task,
Sub-task) are actions: work someone owns with a due date. A Jira risk carries no likelihood and
impact in standard fields, so it stays a RAID item rather than a scored register entry.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from data_loaders.read import RawSheet
from data_loaders.report import WARNING, Problem

# in every Jira export ("all fields" or "current fields"), with one of the columns after it
SIGNATURE = ("issue key", "summary")
ALSO = ("issue id", "issue type")
# word in the Issue Type (lower case) -> RAID type; the first match wins, else "action"
ISSUE_TYPES = (
    ("risk", "risk"),
    ("assumption", "assumption"),
    ("dependenc", "dependency"),
    ("decision", "decision"),
    ("bug", "issue"),
    ("defect", "issue"),
    ("incident", "issue"),
    ("problem", "issue"),
    ("impediment", "issue"),
    ("blocker", "issue"),
    ("issue", "issue"),
)
HEADER = [
    "Project ID", "Project name", "Item ID", "Type", "Description", "Owner", "Status",
    "Priority", "Raised date", "Due date",
]  # fmt: skip
SOURCE = {  # canonical header -> the Jira column it is read from (first found)
    "Item ID": ("issue key",),
    "Description": ("summary",),
    "Owner": ("assignee",),
    "Status": ("status",),
    "Priority": ("priority",),
    "Raised date": ("created",),
    "Due date": ("due date", "due"),
}
# Jira's default date format (dd/MMM/yy h:mm a), and the ISO-like one of newer exports
_JIRA_DATE = re.compile(
    r"^\s*(\d{1,2})/([A-Za-z]{3})/(\d{2}|\d{4})(?:\s+(\d{1,2}):(\d{2})\s*([AaPp][Mm])?)?\s*$"
)
_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}


def _key(h: object) -> str:
    return re.sub(r"\s+", " ", str(h or "").strip().lower())


def is_jira(header: list) -> bool:
    keys = {_key(h) for h in header}
    return all(k in keys for k in SIGNATURE) and any(k in keys for k in ALSO)


def jira_date(v: object) -> datetime | None:
    """``15/Feb/26 4:37 PM`` -> 2026-02-15 16:37; ``2026-02-15 16:37`` too; else None."""
    if isinstance(v, datetime):
        return v
    s = str(v or "").strip()
    if not s:
        return None
    m = _JIRA_DATE.match(s)
    if m:
        day, mon, year, hh, mm, ampm = m.groups()
        month = _MONTHS.get(mon.lower())
        if month is None:
            return None
        y = int(year) + (2000 if len(year) == 2 else 0)  # Jira's yy: this century
        hour = int(hh or 0)
        if ampm:
            hour = hour % 12 + (12 if ampm.lower() == "pm" else 0)
        try:
            return datetime(y, month, int(day), hour, int(mm or 0))
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(s)
    except ValueError:
        return None


def raid_type(issue_type: str) -> str:
    low = issue_type.lower()
    return next((t for w, t in ISSUE_TYPES if w in low), "action")


RISK_HEADER = [
    "Project ID", "Project name", "Report date", "Risk ID", "Title", "Owner", "Status",
    "Likelihood", "Impact", "Raised date", "Due date",
]  # fmt: skip
# custom fields a risk issue type carries (Jira Service Management and risk templates)
LIKELIHOOD = ("likelihood", "probability")
IMPACT = ("impact", "severity")


def _custom(header: list[str], names: tuple[str, ...]) -> int | None:
    """The column of a custom field named like one of ``names``: ``Custom field (Impact)``."""
    for n in names:
        for i, h in enumerate(header):
            if h in (n, f"custom field ({n})"):
                return i
    return None


def convert(raw: RawSheet, project_id: str | None, report_date: date | None) -> list[RawSheet]:
    """The export's issues as a RAID sheet, and its risk issues that carry a likelihood and an
    impact as a risk register (canonical column names; dates parsed here, since Jira's
    ``15/Feb/26`` is one format for the whole file, not a guess per cell)."""
    header = [_key(h) for h in raw.rows[0]]
    first = {}
    for i, h in enumerate(header):
        first.setdefault(h, i)  # a repeated column (Labels x5): the first one
    likelihood, impact = _custom(header, LIKELIHOOD), _custom(header, IMPACT)

    def col(row: list, names: tuple[str, ...]) -> object:
        for n in names:
            i = first.get(n)
            if i is not None and i < len(row):
                return row[i]
        return ""

    def at(row: list, i: int | None) -> str:
        return str(row[i]).strip() if i is not None and i < len(row) else ""

    rows: list[list] = [list(HEADER)]
    risk_rows: list[list] = [list(RISK_HEADER)]
    types: dict[str, int] = {}
    updated: list[datetime] = []
    for row in raw.rows[1:]:
        if not any(str(c).strip() for c in row):
            rows.append([])  # kept: every issue stays on its own line number
            risk_rows.append([])
            continue
        # a row that loads in the other sheet holds only a marker there: without a key it is
        # "not data", and unlike a blank row it never ends the table (three blank rows do)
        elsewhere = [""] * (len(HEADER) - 4) + ["(elsewhere)", "", "", ""]
        kind = str(col(row, ("issue type",))).strip()
        types[kind] = types.get(kind, 0) + 1
        out = {h: col(row, SOURCE[h]) for h in SOURCE}
        for h in ("Raised date", "Due date"):
            when = jira_date(out[h])  # another format stays text: the sheet parser reads it
            out[h] = when.date() if when else out[h]
        if (u := jira_date(col(row, ("updated",)))) is not None:
            updated.append(u)
        out["Type"] = raid_type(kind) if kind else ""
        out["Project ID"] = project_id or col(row, ("project key",))
        out["Project name"] = "" if project_id else col(row, ("project name",))
        scored = out["Type"] == "risk" and at(row, likelihood) and at(row, impact)
        if scored:  # a scored risk belongs in the register, not the RAID log
            out |= {"Risk ID": out["Item ID"], "Title": out["Description"],
                    "Likelihood": at(row, likelihood), "Impact": at(row, impact),
                    "Report date": report_date or ""}  # fmt: skip
            risk_rows.append([out[h] for h in RISK_HEADER])
            rows.append(elsewhere)
        else:
            rows.append([out[h] for h in HEADER])
            risk_rows.append(elsewhere)
    as_of = report_date or (max(updated).date() if updated else None)
    registered = sum(1 for r in risk_rows[1:] if r and r is not elsewhere and r[3])
    mapped = ", ".join(f"{n} {k or '(none)'} -> {raid_type(k) if k else '-'}"
                       for k, n in sorted(types.items(), key=lambda kv: -kv[1]))  # fmt: skip
    notes = [
        f"a Jira export: {sum(types.values()) - registered} issue(s) load as RAID items of the "
        f"project (item id = Issue key, description = Summary, owner = Assignee, raised = "
        f"Created, due = Due date); types from Issue Type: {mapped}",
    ]
    if project_id:
        notes.append(f"project {project_id} as given (--project), not the export's Project key")
    else:
        notes.append("project from the export's Project key and Project name "
                     "(override with --project)")  # fmt: skip
    if report_date:
        notes.append(f"report date {report_date} as given")
    elif as_of:
        notes.append(
            f"the export is as of {as_of}: the latest 'Updated' of its issues (RAID items keep "
            "no report date; scored risks take it as theirs; --report-date states another)"
        )
    sheets = []
    if any(r and r[2] for r in rows[1:]):  # an item id: a RAID item
        sheet = RawSheet(f"{raw.name} (Jira issues)", rows, list(raw.problems))
        sheet.problems += [Problem(sheet.name, None, None, None, n, WARNING) for n in notes]
        sheets.append(sheet)
    if registered:
        for r in risk_rows[1:]:
            if r and r[3] and not r[2]:  # a risk without the date: the export's
                r[2] = as_of or ""
        risks = RawSheet(f"{raw.name} (Jira risks)", risk_rows)
        message = (f"{registered} Risk issue(s) with a likelihood and an impact load into the "
                   "risk register")  # fmt: skip
        risks.problems.append(Problem(risks.name, None, None, None, message, WARNING))
        sheets.append(risks)
    return sheets
