"""Portfolio health's charts filter its table: a click on a bar of RAG by portfolio or RAG by
programme picks that group and RAG, and the Exceptions table lists only its projects. The pick
is in the URL (``?health_portfolio=…`` or ``?health_programme=…``, with ``?health_rag=Red``)
and a chip over the table clears it."""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analytics.portfolio import RAG_ORDER, picked
from ui.escape import plain
from ui.url_state import publish

FIELDS = ("portfolio", "programme")
RAG = "health_rag"
ROUND = "health_round"  # bumped when the pick is cleared: the charts start with nothing selected


def _key(field: str) -> str:
    return f"health_{field}"


def widget_key(chart: str) -> str:
    """The chart's widget key this round (its PNG keeps the chart's own name)."""
    n = st.session_state.get(ROUND, 0)
    return f"{chart}_r{n}" if n else chart


def on_select(chart: str, field: str):
    """The ``on_select`` callback of the RAG by ``field`` chart: its clicked bar is the pick."""

    def handle() -> None:
        state = st.session_state.get(widget_key(chart))
        points = state.selection.points if state is not None else []
        data = points[0].get("customdata") if points else None
        if isinstance(data, dict):  # an encoded array arrives as {"0": .., "1": ..}
            data = [data.get("0"), data.get("1")]
        if not data:
            return
        for f in FIELDS:
            st.session_state[_key(f)] = None
        st.session_state[_key(field)] = html.unescape(str(data[0]))  # escaped in the figure
        st.session_state[RAG] = str(data[1])

    return handle


def clear() -> None:
    for key in (*map(_key, FIELDS), RAG):
        st.session_state[key] = None
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1


def current(snap: pd.DataFrame) -> tuple[str, str, str | None] | None:
    """The pick as (field, value, RAG), from a click or the URL; a value no project has (a
    stale link) is dropped. Kept in the URL."""
    state = st.session_state
    for key in (*map(_key, FIELDS), RAG):
        if key not in state:
            state[key] = st.query_params.get(key)
    pick = None
    for f in FIELDS:
        value = state.get(_key(f))
        if value and pick is None:
            known = set(snap[f].astype(object).fillna(f"(no {f})").astype(str))
            pick = (f, value, state.get(RAG)) if value in known else None
        if not pick or pick[0] != f:
            state[_key(f)] = None
    if pick and pick[2] not in RAG_ORDER:
        pick = (pick[0], pick[1], None)
    state[RAG] = pick[2] if pick else None
    for key in (*map(_key, FIELDS), RAG):
        publish(key, state.get(key))
    return pick


def chip(pick: tuple[str, str, str | None] | None) -> None:
    """The visible chip that says what the table is filtered to and clears it."""
    if pick is None:
        return
    field, value, rag = pick
    what = f"{field} {value}" + (f", {rag}" if rag else "")
    st.button(f"✕ Only {plain(what)}", key="health_clear", on_click=clear,
              help="Clear the chart's pick: the table lists every exception again")  # fmt: skip


def ids(snap: pd.DataFrame, pick: tuple[str, str, str | None]) -> set[str]:
    return set(picked(snap, *pick))
