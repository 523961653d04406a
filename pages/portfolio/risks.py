"""Risks: the 5x5 matrix with drill-down, inherent versus residual, exposure versus remaining
contingency, top 10s, overdue risks, new and closed since the compare date, and the trend.
The sections are in ui/risks.py; each reads one RiskView of the review model."""

import streamlit as st

from ui import data
from ui import risks as section
from ui.components import empty_state
from ui.page import page_setup, stop_if_no_match

ctx = page_setup("Risks")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
if rv.risk_register.empty:
    empty_state(
        "No risk register has been uploaded for these projects up to this review date. "
        "Upload a risk register on the Upload page."
    )
    st.stop()

view = section.filters(rv)
if view.register.empty:
    empty_state("No risks match these filters. Clear the category, owner or status filter.")
    st.stop()

section.headline(ctx, view)
section.matrix(ctx, view)
section.exposure(ctx, view)
section.top_tens(ctx, view)
section.overdue(ctx, view)
section.new_and_closed(ctx, view)
section.trend(ctx, view)
