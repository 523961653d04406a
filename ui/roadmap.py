"""The Roadmap page's widgets and state: group-by and sort-by (``?roadmap_group=portfolio&
roadmap_sort=slip``), the group opened at scale (``?roadmap_open=…``), the bars picked by a
drag on a chart (``?roadmap_pick=PRJ-0001&roadmap_pick=…``) with the chip that clears them,
and the charts themselves.

A click on a project's bar opens the project (page_setup follows it); a drag with the toolbar's
Box or Lasso Select over bars picks them, and the table under the charts shows only those
(Streamlit makes a click select only while the chart pans, so the two never mix). A click on
a group's summary bar opens the group.
"""

from __future__ import annotations

import html

import pandas as pd
import streamlit as st

from analytics import roadmap as rm
from analytics.review import Review
from charts import roadmap as charts
from charts.template import TITLE_WIDTH, chart_text
from ui.components import show_chart
from ui.escape import plain
from ui.page import GOTO_KEY
from ui.review_context import ReviewContext
from ui.url_state import bound, publish, seed

GROUP, SORT, OPEN, PICK = "roadmap_group", "roadmap_sort", "roadmap_open", "roadmap_pick"
ROUND = "roadmap_round"  # bumped when the picks are cleared: fresh charts, nothing selected
NONE = ""  # the "open" selectbox's "no group opened"


def controls() -> tuple[str, str]:
    """Group by and Sort by, side by side, kept in the URL."""
    left, right = st.columns(2)
    with left:
        group = bound(
            st.segmented_control, "Group by", list(rm.GROUPS), key=GROUP, default="programme",
            format_func=rm.GROUPS.get,
        )  # fmt: skip
    with right:
        sort = bound(
            st.segmented_control, "Sort by", list(rm.SORTS), key=SORT, default="start",
            format_func=rm.SORTS.get,
        )  # fmt: skip
    return group or "programme", sort or "start"


def opened(road: rm.Roadmap) -> str | None:
    """At scale: the group opened into its projects (a click on its summary bar, or here)."""
    groups = road.summary["group"].astype(str).tolist()
    noun = rm.GROUPS[road.group].lower()
    chosen = bound(
        st.selectbox,
        f"Open a {noun} (or click its bar)",
        [NONE, *groups],
        key=OPEN,
        default=NONE,
        format_func=lambda g: g or f"(none: one bar per {noun})",
    )
    return chosen or None


def _point_id(point: dict) -> str | None:
    data = point.get("customdata")
    if isinstance(data, dict):  # an encoded array arrives as {"0": .., "1": ..}
        data = data.get("0")
    elif isinstance(data, list | tuple):
        data = data[0] if data else None
    return None if data is None else str(data)


def _on_select(key: str, summary: bool):
    """The chart's selection: a click on a project opens it, a drag picks the bars under it;
    on a summary chart any selection opens the (first) group chosen."""

    def handle() -> None:
        state = st.session_state.get(key)
        if state is None:
            return
        sel = state.selection
        ids = list(dict.fromkeys(i for p in sel.points if (i := _point_id(p))))
        if not ids:
            return
        if summary:  # a group's name comes escaped from the figure
            st.session_state[OPEN] = html.unescape(ids[0])
        elif sel.get("box") or sel.get("lasso"):
            st.session_state[PICK] = ids
        else:
            st.session_state[GOTO_KEY] = ids[0]

    return handle


def picks(ids: list[str]) -> list[str]:
    """The picked project ids among ``ids`` (from a drag, or the URL), with the chip that
    clears them; kept in ``?roadmap_pick=``."""
    seed(PICK, ids, multi=True, default=[])
    chosen = [i for i in st.session_state.get(PICK, []) if i in set(ids)]
    publish(PICK, chosen, multi=True, default=[])
    if chosen:
        shown = ", ".join(chosen[:3]) + (f" and {len(chosen) - 3} more" if len(chosen) > 3 else "")
        st.button(
            f"✕ Picked on the chart: {plain(shown)}",
            key="roadmap_clear",
            on_click=clear_picks,
            help="Clear the selection: the table lists every project again",
        )
    return chosen


def clear_picks() -> None:
    st.session_state[PICK] = []
    st.session_state[ROUND] = st.session_state.get(ROUND, 0) + 1


def draw(rv: Review, ctx: ReviewContext, road: rm.Roadmap, group: str | None) -> None:
    """The charts: at scale without an opened group, one summary bar per group; else the
    projects (of the opened group), at most ``[roadmap] max_charts`` charts on one time axis."""
    today = pd.Timestamp.now().normalize()
    marks = rv.roadmap_marks
    x_range = rv.keep(
        ("roadmap_range", road.group, today),
        lambda: charts.time_range(road.rows[road.rows["drawn"]], marks, rv.review_date, today),
    )
    source = rv.source + " and milestone plans"
    n = st.session_state.get(ROUND, 0)
    if road.grouped and group is None:
        summary = road.summary
        for i, start in enumerate(range(0, len(summary), road.chart_rows)):
            part = summary.iloc[start : start + road.chart_rows]
            key = chart_key(i, "summary", n)
            title = f"{rm.GROUPS[road.group]}s on one time axis" + (
                f" ({i + 1})" if len(summary) > road.chart_rows else ""
            )
            fig = rv.keep(
                (key, road.group, road.sort, today),
                lambda part=part, title=title: charts.summary_bars(
                    part, road.group, title, rv.review_date, today, x_range
                ),
            )
            show_chart(fig, key, ctx, source, on_select=_on_select(key, True),
                       selection_mode="points")  # fmt: skip
        st.caption(f"Click a bar to open the {rm.GROUPS[road.group].lower()} into its projects.")
        return
    bands = rm.slip_bands(rv.config.roadmap.slip_band_days)
    found = road.charts_of(group)
    limit = rv.config.roadmap.max_charts
    for i, (name, part_no, parts, rows) in enumerate(found[:limit]):
        key = chart_key(i, f"{name}_{part_no}", n)
        title = chart_title(name, part_no, parts)
        fig = rv.keep(
            (key, road.group, road.sort, group, today),
            lambda rows=rows, title=title: charts.timeline(
                rows, marks, bands, title, rv.review_date, today, x_range
            ),
        )
        show_chart(fig, key, ctx, source, on_select=_on_select(key, False))  # fmt: skip
    if len(found) > limit:
        st.caption(
            f"The first {limit} of {len(found)} charts are drawn ([roadmap] max_charts); "
            "the table below lists every project."
        )
    st.caption(
        "Click a bar to open the project. To list only some projects below, choose Box Select "
        "(or Lasso Select) in the chart's toolbar and drag across their bars."
    )


def chart_key(i: int, name: str, round_: int) -> str:
    """A chart's widget key, also its PNG's file name: ``roadmap_1_Cloud_Migration_1`` (the
    position keeps two names that differ only in punctuation apart); a new round (the picks
    cleared) gives new keys, so the charts come back with nothing selected."""
    safe = "".join(c if c.isalnum() else "_" for c in name)
    return f"roadmap_{i + 1}_{safe}" + (f"_r{round_}" if round_ else "")


def chart_title(name: str, part: int, parts: int) -> str:
    """A chart's title: its group (cut to one line, escaped: it comes from uploads) and which
    part of the group it shows."""
    of = f" ({part} of {parts})" if parts > 1 else ""
    room = TITLE_WIDTH - len(of)
    shown = name if len(name) <= room else name[: room - 1].rstrip() + "…"
    return f"{chart_text(shown)}{of}"
