"""What every data page does first: its title, the review context, and the empty states."""

from __future__ import annotations

import streamlit as st

from ui.components import empty_state
from ui.context import ReviewContext, current
from ui.empty import offer_sample

NO_MATCH = "No projects match these filters on this review date. Clear a filter in the sidebar."


def page_setup(title: str) -> ReviewContext:
    """Draw the title; on an empty database offer the sample and stop the page."""
    st.title(title)
    ctx = current()
    if not ctx.has_data:
        offer_sample()
        st.stop()
    return ctx


def stop_if_no_match(frame) -> None:
    """Stop the page with a plain message when the filters leave nothing to show."""
    if frame.empty:
        empty_state(NO_MATCH)
        st.stop()
