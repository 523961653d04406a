"""The shared sidebar (review date, compare date and filters) kept in the URL so a link
reproduces the view. Every page reads the same review (ui.data.review) for these choices."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import money as fmt
from analytics.portfolio import FILTER_FIELDS, filter_choices, review_dates
from ui import data
from ui.escape import plain
from ui.review_context import ReviewContext  # noqa: F401 (public here: ui.page, tests)

CONTEXT_KEY = "review_context"


def _init_from_url(key: str, options: list[str], multi: bool) -> None:
    """Seed a widget's state from the query string once per session (ignoring unknown values)."""
    if key in st.session_state:
        return
    values = [v for v in st.query_params.get_all(key) if v in options]
    if multi:
        st.session_state[key] = values
    elif values:
        st.session_state[key] = values[0]


def _compare_with(review: pd.Timestamp, dates: list[pd.Timestamp]) -> pd.Timestamp | None:
    """The "Compare with" picker: the earlier review dates, newest (the previous review) first;
    None in the first week. Keyed by review date so a new review date starts again from its
    previous review. Every page that compares (This week, Portfolio health, Risks) uses it."""
    earlier = [d for d in reversed(dates) if d < review]
    if not earlier:
        return None
    key = f"compare_to_{fmt.day(review)}"
    if key not in st.session_state:  # a link's compare date, once per session and date
        wanted = [d for d in earlier if fmt.day(d) in st.query_params.get_all("compare")]
        st.session_state[key] = wanted[0] if wanted else earlier[0]
    return st.selectbox(
        "Compare with",
        earlier,
        key=key,
        format_func=lambda d: fmt.day(d) + (" (previous review)" if d == earlier[0] else ""),
        help="The earlier review date the changes are measured from",
    )


_KEPT = "_filters_kept"  # the filters as the last run left them: what the person changed since
_DROPPED = "_filters_dropped"  # (filters, note): the note stays until the filters change again


def _filters(projects: pd.DataFrame) -> dict[str, list[str]]:
    """The filter widgets, each offering only the values the other filters leave
    (analytics.portfolio.filter_choices); a chosen value that no longer fits is taken out of
    its widget and named in a note under the filters."""
    state = st.session_state
    for fld in FILTER_FIELDS:
        _init_from_url(fld, sorted(projects[fld].dropna().astype(str).unique()), multi=True)
    chosen = {fld: [str(v) for v in state.get(fld) or []] for fld in FILTER_FIELDS}
    before = state.get(_KEPT, {})
    changed = [f for f in FILTER_FIELDS if before and chosen[f] != before.get(f, [])]
    options, kept, dropped = filter_choices(projects, chosen, first=changed)
    for fld in FILTER_FIELDS:
        if kept[fld] != chosen[fld]:
            state[fld] = kept[fld]  # before the widget is drawn: it shows what is kept
    filters = {
        fld: st.multiselect(fld.title(), options[fld], key=fld, placeholder="All")
        for fld in FILTER_FIELDS
    }
    state[_KEPT] = kept
    if dropped:
        note = "; ".join(
            f"{fld.title()} {', '.join(dropped[fld])} taken out: no project in it matches "
            "the other filters"
            for fld in FILTER_FIELDS
            if fld in dropped
        )
        state[_DROPPED] = (kept, note)
    if state.get(_DROPPED) and state[_DROPPED][0] == kept:
        st.caption(f":material/filter_alt_off: {plain(state[_DROPPED][1])}.")
    else:
        state.pop(_DROPPED, None)
    return filters


def render_sidebar() -> ReviewContext:
    """Draw the review date and filter widgets; return the context and keep it for the pages."""
    frames = data.frames()
    dates = review_dates(frames["status_reports"])
    if not dates:
        ctx = ReviewContext(None, None, [])
        st.session_state[CONTEXT_KEY] = ctx
        return ctx
    iso = [fmt.day(d) for d in reversed(dates)]  # newest first
    with st.sidebar:
        st.markdown("**Review date and filters**")
        _init_from_url("date", iso, multi=False)
        chosen = st.selectbox(
            "Review date", iso, key="date", help="Data as reported up to this date"
        )
        compare = _compare_with(pd.Timestamp(chosen), dates)
        filters = _filters(frames["projects"])
    # Keep the URL in step with the widgets so the address bar is a shareable link.
    st.query_params["date"] = chosen
    if compare is not None:
        st.query_params["compare"] = fmt.day(compare)
    elif "compare" in st.query_params:
        del st.query_params["compare"]
    for fld, values in filters.items():
        if values:
            st.query_params[fld] = values
        elif fld in st.query_params:
            del st.query_params[fld]
    ctx = ReviewContext(pd.Timestamp(chosen), compare, dates, filters)
    st.session_state[CONTEXT_KEY] = ctx
    return ctx


def current() -> ReviewContext:
    """The context the sidebar built in this run (app.py draws it before the page runs)."""
    return st.session_state.get(CONTEXT_KEY) or render_sidebar()
