"""Benefits: planned (target) versus forecast versus realised from the benefits register, by
portfolio and over time, and the benefits at risk (forecast short of target, due date passed
and not realised, no owner). Layout only: the figures are analytics.benefits, through the
review; the charts are charts.benefits."""

import streamlit as st

from analytics import benefits
from charts import benefits as charts
from ui import data
from ui.benefits import HOW_TO_LOAD, register_table
from ui.components import empty_state, show_chart
from ui.page import page_setup, stop_if_no_match

ctx = page_setup("Benefits")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
reg = rv.benefits_register
if reg.empty:
    empty_state(f"No benefits register for these projects up to this review date. {HOW_TO_LOAD}")
    st.stop()

tally = rv.benefits_summary
source = benefits.source_note(reg)
tiles = st.columns(4)
tiles[0].metric(
    "Benefits", tally["benefits"], help=f"In the registers of {tally['projects']} projects",
    border=True,
)  # fmt: skip
tiles[1].metric(
    "Forecast", f"{tally['forecast_share']:.0%} of plan",
    help="Mean over benefits of (forecast − baseline) / (target − baseline): 100% is every "
    "target reached", border=True,
)  # fmt: skip
tiles[2].metric(
    "Realised", f"{tally['realised_share']:.0%} of plan",
    help="Mean over benefits of (realised − baseline) / (target − baseline)", border=True,
)  # fmt: skip
tiles[3].metric(
    "At risk", f"⚠ {tally['at_risk']}",
    help=f"{tally[benefits.SHORT]} {benefits.SHORT}, {tally[benefits.OVERDUE]} "
    f"{benefits.OVERDUE}, {tally[benefits.NO_OWNER]} with {benefits.NO_OWNER}", border=True,
)  # fmt: skip
st.caption(
    "Benefits are measured in their own units (calls per week, £ per year), so each is read as "
    "a share of its planned change, in either direction, and never added to another."
)

left, right = st.columns(2)
with left:
    show_chart(
        rv.keep("benefits_by_portfolio", lambda: charts.by_portfolio(rv.benefits_by_portfolio)),
        "benefits_by_portfolio", ctx, source,
    )  # fmt: skip
with right:
    show_chart(
        rv.keep("benefits_over_time", lambda: charts.over_time(rv.benefits_over_time)),
        "benefits_over_time", ctx, source,
    )  # fmt: skip

at_risk = reg[reg["at_risk"]]
st.subheader(f"Benefits at risk: {len(at_risk)}")
if at_risk.empty:
    empty_state("No benefit is at risk: every forecast reaches its target, none is overdue.")
else:
    register_table(at_risk, ctx, "benefits_at_risk")

with st.expander(f"Every benefit ({len(reg)})"):
    register_table(reg, ctx, "benefits_register")
