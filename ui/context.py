"""The shared sidebar (review date and filters) kept in the URL so a link reproduces the view."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from analytics.portfolio import FILTER_FIELDS, previous_review, review_dates
from ui import data

CONTEXT_KEY = "review_context"


@dataclass(frozen=True)
class ReviewContext:
    review_date: pd.Timestamp | None  # None when there is no data at all
    previous_date: pd.Timestamp | None
    dates: list[pd.Timestamp]
    filters: dict[str, list[str]] = field(default_factory=dict)

    @property
    def has_data(self) -> bool:
        return self.review_date is not None

    def describe(self) -> str:
        """``as of 2026-11-20 · Portfolio: Digital & Technology`` for captions and footers."""
        if not self.has_data:
            return "no data"
        parts = [f"as of {self.review_date.date()}"]
        parts += [f"{k.title()}: {', '.join(v)}" for k, v in self.filters.items() if v]
        return " · ".join(parts)


def _init_from_url(key: str, options: list[str], multi: bool) -> None:
    """Seed a widget's state from the query string once per session (ignoring unknown values)."""
    if key in st.session_state:
        return
    values = [v for v in st.query_params.get_all(key) if v in options]
    if multi:
        st.session_state[key] = values
    elif values:
        st.session_state[key] = values[0]


def render_sidebar() -> ReviewContext:
    """Draw the review date and filter widgets; return the context and keep it for the pages."""
    frames = data.frames()
    dates = review_dates(frames["status_reports"])
    if not dates:
        ctx = ReviewContext(None, None, [])
        st.session_state[CONTEXT_KEY] = ctx
        return ctx
    iso = [d.date().isoformat() for d in reversed(dates)]  # newest first
    with st.sidebar:
        st.markdown("**Review date and filters**")
        _init_from_url("date", iso, multi=False)
        chosen = st.selectbox(
            "Review date", iso, key="date", help="Data as reported up to this date"
        )
        filters: dict[str, list[str]] = {}
        projects = frames["projects"]
        for fld in FILTER_FIELDS:
            options = sorted(projects[fld].dropna().unique().tolist())
            _init_from_url(fld, options, multi=True)
            filters[fld] = st.multiselect(fld.title(), options, key=fld, placeholder="All")
    # Keep the URL in step with the widgets so the address bar is a shareable link.
    st.query_params["date"] = chosen
    for fld, values in filters.items():
        if values:
            st.query_params[fld] = values
        elif fld in st.query_params:
            del st.query_params[fld]
    review = pd.Timestamp(chosen)
    ctx = ReviewContext(review, previous_review(dates, review), dates, filters)
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def current() -> ReviewContext:
    """The context the sidebar built in this run (app.py draws it before the page runs)."""
    return st.session_state.get(CONTEXT_KEY) or render_sidebar()
