"""The pre-filled update sheet: a PM's projects with their latest reported values, to edit and
upload again through the normal upload path.

One workbook per PM (or per project): an instructions sheet first, then Status (one row per
project), Risks (the open risks of the latest register) and Milestones (the latest plan with its
forecasts). Each data sheet carries its report date in the title block (``Report date:``), the
line the loader reads when a sheet has no report-date column, pre-filled with the review date
the update is for. Word lists are dropdowns; the id cells of the rows written are locked (sheet
protection without a password: it guards against slips, not against intent).

The sheet is written so it reads back as it was written: headers the synonym table knows,
money as plain numbers with the currency in the header, a percentage column written so the
loader's fraction rule cannot misread it, and text that looks like a formula stored as text
(never as a formula) with Excel's quote prefix. Pure: frames in, bytes out; no database.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from analytics.portfolio import latest_reports
from analytics.risk import open_risks
from analytics.snapshot import latest_snapshot
from config import Config
from vocabulary.neutralise import FORMULA_STARTS

RAG_WORDS = "Green,Amber/Green,Amber,Amber/Red,Red,Grey"
SCALE_WORDS = "1,2,3,4,5,Rare,Unlikely,Possible,Likely,Almost certain"
BLANK_ROWS = 30  # unlocked rows below the data for new risks and milestones

# (canonical field, header) per sheet; the headers are the template's, which the loader maps.
STATUS = [
    ("project_id", "Project ID"), ("name", "Project Name"), ("rag_label", "Overall RAG"),
    ("schedule_rag", "Schedule"), ("cost_rag", "Cost"), ("scope_rag", "Scope"),
    ("resource_rag", "Resources"), ("percent_complete", "% Complete"),
    ("planned_value", "PV"), ("earned_value", "EV"), ("actual_cost", "AC"),
    ("forecast_end_date", "Forecast End"), ("summary", "Summary"), ("next_steps", "Next Steps"),
    ("decisions_needed", "Decisions Needed"), ("reported_by", "Reported By"),
]  # fmt: skip
RISKS = [
    ("project_id", "Project ID"), ("risk_id", "Risk ID"), ("title", "Risk"),
    ("description", "Description"), ("category", "Category"), ("owner", "Owner"),
    ("status", "Status"), ("likelihood", "Likelihood"), ("impact", "Impact"),
    ("residual_likelihood", "Residual Likelihood"), ("residual_impact", "Residual Impact"),
    ("cost_impact", "Cost Impact"), ("response", "Response"), ("raised_date", "Raised"),
    ("due_date", "Due"),
]  # fmt: skip
MILESTONES = [
    ("project_id", "Project ID"), ("milestone_id", "Milestone ID"), ("name", "Milestone"),
    ("baseline_date", "Baseline"), ("forecast_date", "Forecast"), ("actual_date", "Actual"),
    ("status", "Status"), ("is_gate", "Gate?"),
]  # fmt: skip
SHEETS = {"Status": STATUS, "Risks": RISKS, "Milestones": MILESTONES}
# Cells the PM must not change: the keys that tie a row to what is stored.
LOCKED = {"project_id", "risk_id", "milestone_id", "name"}
LISTS = {
    "rag_label": RAG_WORDS, "schedule_rag": RAG_WORDS, "cost_rag": RAG_WORDS,
    "scope_rag": RAG_WORDS, "resource_rag": RAG_WORDS, "likelihood": SCALE_WORDS,
    "impact": SCALE_WORDS, "residual_likelihood": SCALE_WORDS, "residual_impact": SCALE_WORDS,
    "is_gate": "Yes,No",
}  # fmt: skip
MONEY = {"planned_value", "earned_value", "actual_cost", "cost_impact"}
DATES = {"forecast_end_date", "raised_date", "due_date", "baseline_date", "forecast_date",
         "actual_date"}  # fmt: skip
HEAD_FILL = PatternFill("solid", fgColor="DDE3EA")
FILL_IN = PatternFill("solid", fgColor="FFF2CC")  # the report date: the one cell to fill in


@dataclass
class UpdateSheet:
    """One workbook: whose it is, which projects, the file name and its bytes."""

    manager: str
    recipient: str | None  # the e-mail it goes to, when known
    project_ids: list[str]
    file_name: str
    data: bytes


def latest_values(
    frames: dict[str, pd.DataFrame], project_ids: list[str], review_date, config: Config
) -> dict[str, pd.DataFrame]:
    """Per sheet, the rows to pre-fill: each project's last report on or before the review date,
    the open risks of its latest register, and its latest milestone plan. A project that never
    reported has no Status row (uploaded as it is, a row of id and name alone would record an
    empty report): it is listed under ``Unreported`` (project_id, name) for the instructions."""
    projects = frames["projects"].set_index("project_id")
    known = [p for p in project_ids if p in projects.index]
    reports = latest_reports(frames["status_reports"], review_date).set_index("project_id")
    ids = [p for p in known if p in reports.index]
    never = [p for p in known if p not in reports.index]
    status = pd.DataFrame({"project_id": ids, "name": [projects.at[p, "name"] for p in ids]})
    for fld, _ in STATUS[2:]:
        src = "overall_rag" if fld == "rag_label" else fld
        status[fld] = [reports.at[p, fld] if p in reports.index else None for p in ids]
        if fld == "rag_label":  # the label as the PM wrote it, else the canonical value
            canonical = [reports.at[p, src] if p in reports.index else None for p in ids]
            status[fld] = status[fld].where(status[fld].notna(), pd.Series(canonical, dtype=object))
    out = {
        "Status": status,
        "Unreported": pd.DataFrame(
            {"project_id": never, "name": [projects.at[p, "name"] for p in never]}
        ),
    }
    risks = frames.get("risks")
    if risks is not None and not risks.empty:
        # the rows of the stored register itself (open_risks converts scales to float)
        idx = open_risks(risks, review_date, config.risk).index
        reg = risks.loc[idx]
        out["Risks"] = reg[reg["project_id"].isin(ids)].sort_values(["project_id", "risk_id"])
    ms = frames.get("milestones")
    if ms is not None and not ms.empty:
        plan = latest_snapshot(ms, review_date)
        plan = plan[plan["project_id"].isin(ids)]
        out["Milestones"] = plan.sort_values(["project_id", "baseline_date", "milestone_id"])
    return out


def _text(value: str) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", value)  # characters an .xlsx cannot hold at all


def _put(ws: Worksheet, row: int, col: int, value, fld: str | None = None):
    """Write one value; text that a spreadsheet would run as a formula is stored as text with
    Excel's quote prefix, so it is shown, never run, and reads back as written."""
    if (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and pd.isna(value))
    ):
        value = None
    elif isinstance(value, pd.Timestamp):
        value = value.date()
    elif fld == "is_gate":
        value = "Yes" if bool(value) else "No"
    elif hasattr(value, "item"):  # numpy scalars
        value = value.item()
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        value = _text(value)
        cell.value = value
        if value.startswith(FORMULA_STARTS):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
    if fld in DATES:
        cell.number_format = "yyyy-mm-dd"
    elif fld in MONEY:
        cell.number_format = "#,##0.00"
    return cell


def _percent_column(values: pd.Series) -> list:
    """0-100 numbers; written as ``45%`` text only when every value lies in 0..1 with one
    below 1, the one column the loader would read as fractions (0.5 = 50 %)."""
    nums = [None if pd.isna(v) else float(v) for v in values]
    plain = [v for v in nums if v is not None]
    fractions = bool(plain) and all(0 <= v <= 1 for v in plain) and any(v < 1 for v in plain)
    if not fractions:
        return nums
    return [None if v is None else f"{v:g}%" for v in nums]


def _data_sheet(
    wb: Workbook,
    title: str,
    columns: list[tuple[str, str]],
    rows: pd.DataFrame,
    heading: str,
    report_date: date,
    currency: str | None,
) -> None:
    ws = wb.create_sheet(title)
    ws["A1"] = _text(heading)
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = "Report date:"
    ws["B2"] = report_date
    ws["B2"].number_format = "yyyy-mm-dd"
    ws["B2"].fill = FILL_IN
    ws["B2"].protection = Protection(locked=False)
    head = 4
    for i, (fld, label) in enumerate(columns, start=1):
        if fld in MONEY and currency:
            label = f"{label} ({currency})"  # the currency is stated, so no unit is asked
        cell = ws.cell(row=head, column=i, value=label)
        cell.font = Font(bold=True)
        cell.fill = HEAD_FILL
        ws.column_dimensions[cell.column_letter].width = 40 if fld in (
            "summary", "next_steps", "decisions_needed", "description", "response"
        ) else 16  # fmt: skip
    n = len(rows)
    values = {fld: list(rows[fld]) if fld in rows else [None] * n for fld, _ in columns}
    if "percent_complete" in values:
        values["percent_complete"] = _percent_column(pd.Series(values["percent_complete"]))
    extra = BLANK_ROWS  # unlocked rows for what the PM adds
    for r in range(n + extra):
        for c, (fld, _) in enumerate(columns, start=1):
            cell = _put(ws, head + 1 + r, c, values[fld][r] if r < n else None, fld)
            # the ids of the rows written stay as they are; everything else may be edited
            cell.protection = Protection(locked=r < n and fld in LOCKED)
    last = head + n + extra
    for c, (fld, _) in enumerate(columns, start=1):
        if fld in LISTS and last > head:
            letter = ws.cell(row=head, column=c).column_letter
            dv = DataValidation(type="list", formula1=f'"{LISTS[fld]}"', allow_blank=True)
            # a warning, not a refusal: a label the office uses (On Hold) may stand as it is
            dv.errorStyle = "warning"
            dv.showErrorMessage = True
            dv.error = "Choose a value from the list"
            ws.add_data_validation(dv)
            dv.add(f"{letter}{head + 1}:{letter}{last}")
    ws.freeze_panes = ws.cell(row=head + 1, column=3)
    # Protected without a password: the locked id cells cannot be typed over by mistake.
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.insertRows = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def instructions(
    manager: str,
    review_date: date,
    last_report: date | None,
    app_url: str,
    unreported: pd.DataFrame | None = None,
) -> list:
    first_reports = (
        [
            "Not reported yet (add a Status row for each, with its id as written here): "
            + "; ".join(f"{r.project_id} {r.name}" for r in unreported.itertuples()),
        ]
        if unreported is not None and len(unreported)
        else []
    )
    return [
        f"PMO Lens update sheet for {manager}",
        "",
        f"This sheet is for the review of {review_date.isoformat()}. It holds your projects with "
        "the values last reported"
        + (f" (up to {last_report.isoformat()})." if last_report else "."),
        "1. Check the report date (the yellow cell at the top of each sheet): it is the date "
        "your update is for. Change it on every sheet if you report for another date.",
        "2. Change only what changed since your last report; leave the rest as it is.",
        "3. Status: RAG per dimension from the dropdowns (Green, Amber/Green, Amber, Amber/Red, "
        "Red, Grey); % complete 0-100; PV, EV and AC as plain numbers.",
        "4. Risks: the open risks. Close one by setting its status to Closed; add new ones in "
        "the empty rows below (a new risk id per risk). Likelihood and impact 1-5 or "
        "Rare ... Almost certain.",
        "5. Milestones: update the forecast and actual dates; add new ones below.",
        "The grey id columns are locked: they tie each row to what is stored.",
        "Save the file and upload it on the Upload page"
        + (f": {app_url}" if app_url else "")
        + " (sign in as usual), or run: python -m data_loaders ingest FILE",
        "An unchanged sheet uploaded as it is records that nothing changed.",
        *first_reports,
    ]


def build(
    frames: dict[str, pd.DataFrame],
    project_ids: list[str],
    review_date,
    config: Config,
    manager: str = "",
    report_date: date | None = None,
    app_url: str = "",
) -> bytes:
    """The update sheet (.xlsx bytes) for these projects, pre-filled as of the review date."""
    review = pd.Timestamp(review_date).date()
    report_date = report_date or review
    rows = latest_values(frames, project_ids, review_date, config)
    projects = frames["projects"].set_index("project_id")
    ids = [*rows["Status"]["project_id"], *rows["Unreported"]["project_id"]]
    currencies = {
        projects.at[p, "currency"] if "currency" in projects and pd.notna(
            projects.at[p, "currency"]) else config.money.currency
        for p in ids
    }  # fmt: skip
    # One currency in the headers when the projects share it; otherwise the loader takes each
    # project's own currency (the sheet states none).
    currency = next(iter(currencies)) if len(currencies) == 1 else None
    reports = latest_reports(frames["status_reports"], review_date)
    reports = reports[reports["project_id"].isin(ids)]
    last = pd.Timestamp(reports["report_date"].max()).date() if not reports.empty else None
    who = manager or ", ".join(sorted({str(projects.at[p, "manager"]) for p in ids}))
    wb = Workbook()
    ws = wb.active
    ws.title = "Instructions"
    for line in instructions(who, review, last, app_url, rows["Unreported"]):
        ws.append([_text(line)])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 110
    for title, columns in SHEETS.items():
        frame = rows.get(title, pd.DataFrame(columns=[f for f, _ in columns]))
        heading = f"{title}: {who}" if who else title
        _data_sheet(wb, title, columns, frame, heading, report_date, currency)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_name(manager: str, review_date) -> str:
    """``update-Alex-Morgan-2026-01-09.xlsx``: safe in a mail and on any file system."""
    safe = "-".join("".join(ch for ch in part if ch.isalnum()) for part in manager.split())
    return f"update-{safe or 'projects'}-{pd.Timestamp(review_date).date().isoformat()}.xlsx"


def recipient_of(projects: pd.DataFrame, pm_principals: dict[str, str]) -> pd.Series:
    """Each project's address: its ``manager_email``, else a pm assigned to it in the roles
    table (``pm_principals``: project id -> e-mail), else None. Lower-cased."""
    own = projects.get("manager_email")
    out = []
    for i, pid in enumerate(projects["project_id"]):
        email = own.iloc[i] if own is not None else None
        if email is None or pd.isna(email) or "@" not in str(email):
            email = pm_principals.get(pid)
        out.append(str(email).strip().lower() if email else None)
    return pd.Series(out, index=projects.index, dtype=object)


def by_manager(
    frames: dict[str, pd.DataFrame],
    review_date,
    config: Config,
    project_ids: list[str] | None = None,
    pm_principals: dict[str, str] | None = None,
    app_url: str = "",
) -> list[UpdateSheet]:
    """One update sheet per recipient (a manager's address; a manager's name where there is no
    address), for ``project_ids`` or every project."""
    projects = frames["projects"]
    if project_ids is not None:
        projects = projects[projects["project_id"].isin(project_ids)]
    projects = projects.assign(_to=recipient_of(projects, pm_principals or {}))
    projects = projects.assign(_key=projects["_to"].fillna(projects["manager"]).fillna(""))
    sheets = []
    for key, group in projects.groupby("_key", sort=True):
        names = sorted({str(m) for m in group["manager"].dropna()})
        manager = ", ".join(names) or str(key) or "(no manager)"
        ids = list(group["project_id"])
        data = build(frames, ids, review_date, config, manager=manager, app_url=app_url)
        recipient = group["_to"].dropna()
        sheets.append(
            UpdateSheet(
                manager=manager,
                recipient=recipient.iloc[0] if not recipient.empty else None,
                project_ids=ids,
                file_name=file_name(names[0] if names else str(key), review_date),
                data=data,
            )
        )
    return sheets
