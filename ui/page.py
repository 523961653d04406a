"""What every data page does first: its title, the review context, and the empty states."""

from __future__ import annotations

import streamlit as st

from ui.components import empty_state
from ui.context import ReviewContext, current
from ui.empty import offer_sample

GOTO_KEY = "goto_project"
NO_MATCH = "No projects match these filters on this review date. Clear a filter in the sidebar."


def open_project_on_click(chart_key: str):
    """An ``on_select`` callback for a chart whose points carry the project id first in
    customdata: remember the clicked project; the next page_setup() opens its detail page.
    (Switching pages is not allowed inside a callback.)"""

    def remember() -> None:
        state = st.session_state.get(chart_key)
        for point in state.selection.points if state is not None else []:
            custom = point.get("customdata")
            if custom:
                st.session_state[GOTO_KEY] = custom[0] if isinstance(custom, list) else custom
                return

    return remember


def page_setup(title: str, needs_data: bool = True) -> ReviewContext:
    """Draw the title; on an empty database offer the sample and stop the page.

    Every page begins with it (tests/test_pages_thin.py). ``needs_data=False``: a page that
    works on any database (Upload, SQL sources, the admin pages, Project detail, which shows a
    project's register entry before any report) draws its title and goes on; its own empty
    states say what there is. Follows a project click from the previous run to the project
    detail page.
    """
    ctx = current()
    target = st.session_state.pop(GOTO_KEY, None)
    if target and ctx.has_data:
        # The whole view travels with the click (as every link does: ui.components.view_link).
        st.switch_page(
            "pages/portfolio/project.py", query_params={"project": target, **ctx.view_params()}
        )
    st.title(title)
    if needs_data and not ctx.has_data:
        offer_sample()
        st.stop()
    return ctx


def stop_if_no_match(frame) -> None:
    """Stop the page with a plain message when the filters leave nothing to show."""
    if frame.empty:
        empty_state(NO_MATCH)
        st.stop()
