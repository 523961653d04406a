"""The exports of tools PMOs already use, recognised sheet by sheet and turned into sheets with
canonical column names, which the sheet parser then reads like any other (same typing, checks
and report). MS Project XML has its own reader (``mspdi``); this module looks at every sheet read
from a CSV or a workbook:

- a Jira issue export (``jira``): RAID items of the project, and a risk register of its risk
  issues that carry a likelihood and an impact;
- a ServiceNow list export (``servicenow``): milestones, risks or RAID items by record type;
- a planning tool's task list (Smartsheet, MS Project's Excel export): a task name and dates
  with an outline, from Excel row grouping (as Smartsheet exports it) or an outline level
  column (``outline``): milestones, the top groups as phases.

A sheet that is none of these is returned unchanged. What was recognised and inferred is said
in the sheet's first problems (warnings the PM sees in the preview and the command line).
"""

from __future__ import annotations

from config import Config
from data_loaders import jira, outline, servicenow
from data_loaders.read import RawSheet


def _first_row(raw: RawSheet) -> list:
    return next((list(r) for r in raw.rows[:5] if any(str(c).strip() for c in r)), [])


def adapt_one(raw: RawSheet, data: bytes, fmt: str, options) -> list[RawSheet]:
    if not raw.rows:
        return [raw]
    if raw.rows[0] and jira.is_jira(list(raw.rows[0])):
        return jira.convert(raw, options.project_id, options.report_date) or [raw]
    if (sheet := servicenow.convert(raw, options.project_id, options.report_date)) is not None:
        return [sheet]
    if (sheet := outline.to_milestones(raw, data, None, None)) is not None:
        return [sheet]  # project and report date: from the PM, asked like any other sheet's
    return [raw]


def adapt(sheets: list[RawSheet], data: bytes, fmt: str, config: Config, options) -> list[RawSheet]:
    """Each sheet as the tool export it is, or unchanged."""
    if fmt == "xml":
        return sheets
    return [out for raw in sheets for out in adapt_one(raw, data, fmt, options)]
