"""Portfolio health: KPI tiles, RAG distributions, trend, value versus risk, exceptions."""

import streamlit as st

from analytics import portfolio
from charts import health as charts
from charts.template import has_points
from config import get_config
from ui import data
from ui.components import (
    empty_state,
    kpi,
    project_link_column,
    project_links,
    provenance,
    rag_column,
    show_chart,
)
from ui.page import open_project_on_click, page_setup, stop_if_no_match

ctx = page_setup("Portfolio health")

frames = data.frames()
config = get_config()
snap = portfolio.snapshot(frames, ctx.review_date, config, ctx.filters)
stop_if_no_match(snap)
prev = (
    portfolio.kpis(portfolio.snapshot(frames, ctx.previous_date, config, ctx.filters))
    if ctx.previous_date is not None
    else None
)
now = portfolio.kpis(snap)
source = portfolio.source_note(snap, frames["uploads"])


def change(key: str) -> float | None:
    return now[key] - prev[key] if prev else None


def money(x: float) -> str:
    return f"{'-' if x < 0 else '+'}£{abs(x) / 1e6:,.2f}m"


compare = (
    f"compared with {ctx.previous_date.date()}"
    if ctx.previous_date is not None
    else "first review: nothing to compare with"
)
provenance(ctx, compare, f"source: {source}")
tiles = st.columns(4)
kpi(tiles[0], "Projects", str(now["projects"]), change("projects"))
for col, rag in zip(tiles[1:], ("Red", "Amber", "Green"), strict=True):
    key = rag.lower()
    kpi(
        col,
        rag,
        f"{now[f'n_{key}']} ({now[f'pct_{key}']:.0f}%)",
        change(f"n_{key}"),
        up_is_bad=rag != "Green",
        help=f"Projects whose reported overall RAG is {rag} (not reported ones count as Grey)",
    )
tiles = st.columns(4)
kpi(tiles[0], "Total budget (BAC)", f"£{now['budget'] / 1e6:,.1f}m", change("budget"), money)
kpi(
    tiles[1],
    "EAC variance",
    money(now["eac_variance"]),
    change("eac_variance"),
    money,
    up_is_bad=True,
    help="Sum of EAC (BAC / CPI; budget where CPI is not computable) minus total budget",
)
kpi(
    tiles[2],
    "Not reported",
    str(now["not_reported"]),
    change("not_reported"),
    up_is_bad=True,
    help=f"No report within {config.staleness.cadence_days} + {config.staleness.grace_days} "
    "days of the review date; shown Grey",
)
kpi(
    tiles[3],
    "Watermelons",
    str(now["watermelons"]),
    change("watermelons"),
    up_is_bad=True,
    help="Reported Green while the computed RAG is Amber or Red",
)

left, right = st.columns(2)
with left:
    show_chart(
        charts.rag_distribution(portfolio.rag_distribution(snap)), "rag_by_dimension", ctx, source
    )
with right:
    show_chart(
        charts.rag_trend(portfolio.rag_trend(frames, ctx.dates, config, ctx.filters)),
        "rag_trend",
        ctx,
        source,
    )
left, right = st.columns(2)
with left:
    show_chart(
        charts.rag_by_group(portfolio.rag_by(snap, "portfolio"), "portfolio"),
        "rag_by_portfolio",
        ctx,
        source,
    )
with right:
    show_chart(
        charts.rag_by_group(portfolio.rag_by(snap, "programme"), "programme"),
        "rag_by_programme",
        ctx,
        source,
    )
bubbles = charts.value_risk_bubble(snap)
if has_points(bubbles):
    show_chart(
        bubbles,
        "value_vs_risk",
        ctx,
        source + " and risk registers",
        on_select=open_project_on_click("value_vs_risk"),
        selection_mode="points",
    )
    st.caption("Click a bubble to open the project.")
else:
    empty_state(charts.NO_VALUE_SCORES)

st.subheader("Exceptions")
st.caption(
    "Red or Amber (reported or computed), watermelons and projects that have not reported. "
    "Reported and computed RAG side by side, with the rule that produced the computed one."
)
exc = portfolio.exceptions(snap)
if exc.empty:
    empty_state("No exceptions: every project is Green, reported and computed.")
else:
    exc = exc.assign(
        display_rag=rag_column(exc["display_rag"]),
        computed_rag=rag_column(exc["computed_rag"]),
        detail=project_links(exc["project_id"], ctx),
    )
    st.dataframe(
        exc,
        hide_index=True,
        column_config={
            "project_id": "ID",
            "detail": project_link_column("Detail"),
            "name": "Project",
            "manager": "Manager",
            "display_rag": "Reported",
            "status_label": "Label as reported",
            "computed_rag": "Computed",
            "computed_rule": st.column_config.TextColumn("Rule that fired", width="large"),
            "flags": "Flags",
            "spi": st.column_config.NumberColumn("SPI", format="%.2f"),
            "cpi": st.column_config.NumberColumn("CPI", format="%.2f"),
            "eac_typical": st.column_config.NumberColumn("EAC", format="£%,.0f"),
            "budget": st.column_config.NumberColumn("Budget", format="£%,.0f"),
            "eac_vs_budget": st.column_config.NumberColumn("EAC − budget", format="£%,.0f"),
            "last_report_date": st.column_config.DateColumn("Last report"),
            "days_since_report": st.column_config.NumberColumn("Days since", format="%d"),
        },
    )
