"""Roadmap: every project in view on one time axis, start to forecast end, with its baseline end,
slip, gates and milestones; grouped, sorted, and at scale one bar per group."""

import streamlit as st

from analytics import roadmap as rm
from charts.roadmap import NOTHING_DRAWN
from ui import data
from ui import roadmap as view
from ui.components import data_table, empty_state, project_link_column, project_links, rag_column
from ui.page import page_setup, stop_if_no_match

ctx = page_setup("Roadmap")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
group_by, sort_by = view.controls()
road = rv.roadmap(group_by, sort_by)
st.caption(
    f"{len(road.rows)} projects in view, by {rm.GROUPS[road.group].lower()}, sorted by "
    f"{rm.SORTS[road.sort].lower()}. Bar colour: slip of the forecast end against the baseline "
    f"end ([roadmap] slip_band_days {list(rv.config.roadmap.slip_band_days)} days)."
)
opened = view.opened(road) if road.grouped else None
if not road.rows["drawn"].any():
    empty_state(NOTHING_DRAWN)
else:
    view.draw(rv, ctx, road, opened)
    missing = int((~road.projects_of(opened)["drawn"]).sum())
    if missing:
        st.caption(f"{missing} projects without a start or forecast end date: in the table only.")

st.subheader("Projects")
shown = road.projects_of(opened) if road.grouped else road.rows
picked = view.picks(shown["project_id"].tolist())
if picked:
    shown = shown[shown["project_id"].isin(picked)]
if road.grouped and opened is None:
    empty_state(f"Open a {rm.GROUPS[road.group].lower()} above to list its projects.")
else:
    data_table(
        shown,
        "roadmap",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            display_rag=rag_column(rows["display_rag"]),
            slip_share=rows["slip_share"] * 100,
        )[
            [
                "link",
                "name",
                "group",
                "display_rag",
                "start",
                "forecast_end",
                "baseline_end",
                "slip_days",
                "slip_share",
                "slip_band",
                "budget",
                "currency",
            ]
        ],  # fmt: skip
        rag=["display_rag"],
        money=["budget"],
        currency="currency",
        hide_index=True,
        column_config={
            "link": project_link_column("ID"),
            "name": "Project",
            "group": rm.GROUPS[road.group],
            "display_rag": "RAG",
            "start": st.column_config.DateColumn("Start"),
            "forecast_end": st.column_config.DateColumn("Forecast end"),
            "baseline_end": st.column_config.DateColumn("Baseline end"),
            "slip_days": st.column_config.NumberColumn("Slip (days)", format="%d"),
            "slip_share": st.column_config.NumberColumn("Slip (% of plan)", format="%.0f%%"),
            "slip_band": "Slip band",
            "budget": st.column_config.NumberColumn("Budget"),
            "currency": "Currency",
        },
    )
