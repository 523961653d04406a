"""The weekly workbooks PMs would send for the sample projects (latest week, one per programme).

They look like real returns, not our canonical tables: a title block, human headers, the
delivery-confidence label as written. Used to demonstrate and test the upload flow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook

from sample_data.generator import SEED, generate

STATUS_HEADERS = {
    "project_id": "Project ID", "report_date": "Report Date", "rag_label": "Overall RAG",
    "schedule_rag": "Schedule", "cost_rag": "Cost", "scope_rag": "Scope",
    "resource_rag": "Resources", "percent_complete": "% Complete", "planned_value": "PV",
    "earned_value": "EV", "actual_cost": "AC", "forecast_end_date": "Forecast End",
    "summary": "Summary", "next_steps": "Next Steps", "decisions_needed": "Decisions Needed",
    "reported_by": "Reported By",
}  # fmt: skip
RISK_HEADERS = {
    "project_id": "Project ID", "risk_id": "Risk ID", "title": "Risk", "category": "Category",
    "owner": "Owner", "status": "Status", "likelihood": "Likelihood", "impact": "Impact",
    "residual_likelihood": "Residual Likelihood", "residual_impact": "Residual Impact",
    "cost_impact": "Cost Impact", "response": "Response", "raised_date": "Raised",
    "due_date": "Due",
}  # fmt: skip
MILESTONE_HEADERS = {
    "project_id": "Project ID", "milestone_id": "Milestone ID", "name": "Milestone",
    "baseline_date": "Baseline", "forecast_date": "Forecast", "actual_date": "Actual",
    "status": "Status", "is_gate": "Gate?",
}  # fmt: skip

BENEFIT_HEADERS = {
    "project_id": "Project ID", "benefit_id": "Benefit ID", "title": "Benefit",
    "owner": "Benefit Owner", "category": "Category", "measure": "Measure",
    "baseline": "Baseline", "target": "Target", "forecast": "Forecast", "realised": "Realised",
    "due_date": "Due Date",
}  # fmt: skip


def _sheet(wb: Workbook, title: str, heading: str, report_date, df: pd.DataFrame, headers):
    ws = wb.create_sheet(title)
    ws.append([heading])
    ws.append(["Report date:", report_date.date()])
    ws.append([])
    ws.append(list(headers.values()))
    for row in df[list(headers)].itertuples(index=False):
        ws.append(
            [v.date() if isinstance(v, pd.Timestamp) else (None if pd.isna(v) else v) for v in row]
        )


def write_pm_workbooks(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    sample = generate(seed)
    last = sample.status_reports["report_date"].max()
    paths = []
    for programme, projs in sample.projects.groupby("programme"):
        ids = set(projs["project_id"])

        def rows(df, ids=ids):
            return df[df["project_id"].isin(ids) & (df["report_date"] == last)]

        wb = Workbook()
        wb.remove(wb.active)
        _sheet(
            wb,
            "Status",
            f"{programme}: weekly status",
            last,
            rows(sample.status_reports),
            STATUS_HEADERS,
        )
        _sheet(wb, "Risks", f"{programme}: risk register", last, rows(sample.risks), RISK_HEADERS)
        _sheet(
            wb,
            "Milestones",
            f"{programme}: milestones",
            last,
            rows(sample.milestones),
            MILESTONE_HEADERS,
        )
        _sheet(
            wb,
            "Benefits",
            f"{programme}: benefits register",
            last,
            rows(sample.benefits),
            BENEFIT_HEADERS,
        )
        path = out / f"{programme.lower().replace(' ', '_')}_{last.date()}.xlsx"
        wb.save(path)
        paths.append(path)
    return paths
