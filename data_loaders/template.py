"""The official upload template: one sheet per kind, dropdowns for RAG and scales, examples.

Headers are the canonical names a PM reads; the loader maps them back through the synonym
table, so the template round-trips (tested).
"""

from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

RAG_LIST = '"Green,Amber/Green,Amber,Amber/Red,Red,Grey"'
SCALE_LIST = '"1,2,3,4,5,Rare,Unlikely,Possible,Likely,Almost certain"'
EXAMPLE_DATE = date(2026, 1, 9)

SHEETS: dict[str, tuple[list[str], list[list], dict[str, str]]] = {
    "Status": (
        ["Project ID", "Project Name", "Report Date", "Overall RAG", "Schedule", "Cost", "Scope",
         "Resources", "% Complete", "PV", "EV", "AC", "Forecast End", "Summary", "Next Steps",
         "Decisions Needed", "Reported By"],
        [["PRJ-EX1", "Example project", EXAMPLE_DATE, "Amber/Green", "Amber", "Green", "Green",
          "Green", 40, 100000, 90000, 95000, date(2026, 9, 30), "Design signed off",
          "Start build", "None", "A. Manager"]],
        {"D": RAG_LIST, "E": RAG_LIST, "F": RAG_LIST, "G": RAG_LIST, "H": RAG_LIST},
    ),
    "Risks": (
        ["Project ID", "Risk ID", "Risk", "Description", "Category", "Owner", "Status",
         "Likelihood", "Impact", "Residual Likelihood", "Residual Impact", "Cost Impact",
         "Response", "Raised", "Due", "Report Date"],
        [["PRJ-EX1", "R1", "Supplier delay", "Key supplier may deliver late", "Supply", "J. Doe",
          "Open", 4, 3, 2, 3, 25000, "Second supplier", EXAMPLE_DATE, date(2026, 3, 31),
          EXAMPLE_DATE]],
        {"H": SCALE_LIST, "I": SCALE_LIST, "J": SCALE_LIST, "K": SCALE_LIST},
    ),
    "Milestones": (
        ["Project ID", "Milestone ID", "Milestone", "Baseline", "Forecast", "Actual", "Status",
         "Gate?", "Report Date"],
        [["PRJ-EX1", "M1", "Design approved", date(2026, 2, 1), date(2026, 2, 15), None,
          "At risk", "Yes", EXAMPLE_DATE]],
        {"H": '"Yes,No"'},
    ),
    "Decisions": (
        ["Project ID", "Decision ID", "Forum", "Decision Date", "Decision", "Rationale",
         "Decided By"],
        [["PRJ-EX1", "D1", "Gate 2", EXAMPLE_DATE, "go", "Business case approved", "Board"]],
        {"E": '"go,hold,recycle,stop,approved,rejected,deferred"'},
    ),
    "RAID": (
        ["Project ID", "Item ID", "Type", "Description", "Owner", "Status", "Priority", "Raised",
         "Due"],
        [["PRJ-EX1", "I1", "issue", "Test environment unavailable", "Ops", "Open", "High",
          EXAMPLE_DATE, date(2026, 1, 31)]],
        {"C": '"assumption,issue,dependency,action"'},
    ),
}  # fmt: skip

INSTRUCTIONS = [
    "PMO Lens upload template",
    "",
    "Fill one row per project (Status), risk, milestone, decision or RAID item.",
    "Keep the header row; you may delete columns you do not use and sheets you do not need.",
    "Delete the example rows (project PRJ-EX1) before uploading.",
    "RAG: Green, Amber/Green, Amber, Amber/Red, Red or Grey (not rated). Colour alone is not read.",
    "Likelihood and impact: 1-5 or Rare / Unlikely / Possible / Likely / Almost certain.",
    "Dates: any Excel date; typed dates as YYYY-MM-DD are safest.",
    "Money: plain numbers in the project's currency (signs and thousands separators are fine).",
    "% Complete: 0-100 (45, 45% and 0.45 all mean 45%).",
    "Upload on the Upload page or run: python -m data_loaders ingest FILE",
]


def template_bytes() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Instructions"
    for line in INSTRUCTIONS:
        ws.append([line])
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 100
    head_fill = PatternFill("solid", fgColor="DDE3EA")
    for name, (headers, examples, lists) in SHEETS.items():
        sheet = wb.create_sheet(name)
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = head_fill
        for row in examples:
            sheet.append(row)
        for col, formula in lists.items():
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.error = "Choose a value from the list"
            sheet.add_data_validation(dv)
            dv.add(f"{col}2:{col}1000")
        for i in range(1, len(headers) + 1):
            sheet.column_dimensions[sheet.cell(1, i).column_letter].width = 16
        sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
