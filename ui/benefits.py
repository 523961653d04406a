"""Benefits tables: the register with shares and why a benefit is at risk, for the Benefits
page and, one project's, for Project detail."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import benefits
from ui.components import data_table, empty_state, project_link_column, project_links

HOW_TO_LOAD = (
    "Upload a benefits register (one row per benefit: project, benefit, owner, baseline, "
    "target, forecast, realised, due date, and a report date) on the Upload page, or map one "
    "in a SQL source. See “Registers: generated ids, likelihood marks, opportunities, "
    "benefits” in docs/uploading.md."
)
COLUMNS = {
    "link": project_link_column("ID"),
    "name": "Project",
    "title": st.column_config.TextColumn("Benefit", width="medium"),
    "owner": "Owner",
    "category": "Category",
    "measure": "Measure",
    "baseline": st.column_config.NumberColumn("Baseline", format="%,.1f"),
    "target": st.column_config.NumberColumn("Target (planned)", format="%,.1f"),
    "forecast": st.column_config.NumberColumn("Forecast", format="%,.1f"),
    "realised": st.column_config.NumberColumn("Realised", format="%,.1f"),
    "forecast_pct": st.column_config.NumberColumn(
        "Forecast % of plan", format="%.0f%%", help="(forecast − baseline) / (target − baseline)"
    ),
    "realised_pct": st.column_config.NumberColumn(
        "Realised % of plan", format="%.0f%%", help="(realised − baseline) / (target − baseline)"
    ),
    "due_date": st.column_config.DateColumn("Due"),
    "risk": st.column_config.TextColumn("At risk", help="⚠ and the reason; ✓ on track"),
    "basis": "Note",
}


def _shown(reg: pd.DataFrame) -> pd.DataFrame:
    return reg.assign(
        forecast_pct=reg["forecast_share"].astype(float) * 100,
        realised_pct=reg["realised_share"].astype(float) * 100,
        risk=["⚠ " + w if w else "✓ on track" for w in reg["why"]],
    )


def register_table(reg: pd.DataFrame, ctx, name: str, with_project: bool = True) -> None:
    """The benefits in ``reg`` (analytics.benefits.register), at-risk ones first."""
    derived = ("link", "forecast_pct", "realised_pct", "risk")  # prepare adds them
    cols = [c for c in COLUMNS if c in reg.columns or c in derived]
    if not with_project:
        cols = [c for c in cols if c not in ("link", "name")]
    if not reg["basis"].astype(bool).any():
        cols.remove("basis")

    def prepare(rows: pd.DataFrame) -> pd.DataFrame:
        rows = _shown(rows)
        if with_project:
            rows = rows.assign(link=project_links(rows["project_id"], ctx))
        return rows[cols].reset_index(drop=True)

    data_table(
        reg,
        name,
        prepare=prepare,
        hide_index=True,
        column_config=COLUMNS,
        wrap=["title"],
    )


def project_section(view, ctx) -> None:
    """Project detail's benefits: its latest register, or how to load one."""
    reg = view.benefits
    if reg.empty:
        empty_state(f"No benefits register for {view.project_id}. {HOW_TO_LOAD}")
        return
    at_risk = int(reg["at_risk"].sum())
    st.caption(
        f"{len(reg)} benefits, {at_risk} at risk · forecast {reg['forecast_share'].mean():.0%} "
        f"and realised {reg['realised_share'].mean():.0%} of the planned change (mean) · "
        f"{benefits.source_note(reg)}"
    )
    register_table(reg, ctx, f"benefits_{view.project_id}", with_project=False)
