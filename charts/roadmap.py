"""The roadmap: projects (or groups of them) as bars on one time axis. Pure plotly figure
builders on the frames of analytics.roadmap; nothing here imports streamlit.

A bar runs from the start to the forecast end, coloured (and patterned, for a grey-scale print)
by the slip of the forecast end against the baseline end, whose own date is a black tick. Gates
and milestones are symbols by state; the review date and today are vertical lines named in the
legend. One chart holds at most ``[roadmap] chart_rows`` rows, so it reads on a slide; names
are one line, cut with "…" (full name, id and figures on hover); the RAG icon leads each name.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from analytics import money as fmt
from analytics import roadmap as rm
from charts.template import (
    RAG_COLOURS,
    RAG_ICONS,
    RAG_ORDER,
    apply,
    category_labels,
    chart_text,
    rag_label,
    short_label,
)

LATE_COLOURS = ["#ffcc80", "#fb8c00", "#e65100", "#b71c1c", "#6a1b9a"]
ON_TIME_COLOUR, NO_BASELINE_COLOUR = "#90a4ae", "#e0e0e0"
# Patterns keep the bands apart without colour: none, then denser marks as the slip grows.
LATE_PATTERNS = ["/", "x", "+", ".", "-"]
MARK_STYLE = {  # state -> (symbol, colour, legend name)
    rm.APPROVED: ("diamond", "#2e7d32", "Gate approved"),
    rm.DONE: ("circle", "#616161", "Done"),
    rm.DUE: ("circle-open", "#1565c0", "Due"),
    rm.SLIPPED: ("triangle-right", "#f57f17", "Slipped vs baseline"),
    rm.OVERDUE: ("x", "#c62828", "Overdue"),
}
REVIEW_LINE, TODAY_LINE = "#212121", "#1565c0"
NAME_CHARS = 30  # a project's name on the axis, one line
ROW_PX, BASE_PX = 30, 300  # height per row on screen and for the title, legend and axis
NOTHING_DRAWN = (
    "No project in view has both a start date and a forecast end date, so there is nothing to "
    "draw on the roadmap. Load a project register with start and end dates, or status reports "
    "with a forecast end date."
)


def band_styles(bands: list[str]) -> dict[str, tuple[str, str]]:
    """Each slip band's (colour, pattern), from ``analytics.roadmap.slip_bands``."""
    late = bands[1:-1]
    out = {bands[0]: (ON_TIME_COLOUR, ""), bands[-1]: (NO_BASELINE_COLOUR, ".")}
    for i, band in enumerate(late):
        pick = round(i * (len(LATE_COLOURS) - 1) / max(1, len(late) - 1)) if len(late) > 1 else 1
        out[band] = (LATE_COLOURS[pick], LATE_PATTERNS[i % len(LATE_PATTERNS)])
    return out


def height(n_rows: int) -> int:
    """Screen height of a roadmap chart with ``n_rows`` rows: grows with the rows."""
    return max(420, n_rows * ROW_PX + BASE_PX)


def _ms(delta: pd.Series) -> list[float]:
    return [d.total_seconds() * 1000 for d in delta]


def _lines(fig: go.Figure, review_date, today) -> None:
    """The review date and today as vertical lines, named in the legend (no text on the plot:
    two dates a week apart would print on each other)."""
    for when, colour, dash, label in (
        (review_date, REVIEW_LINE, "dash", "Review date"),
        (today, TODAY_LINE, "dot", "Today"),
    ):
        if when is None or pd.isna(when):
            continue
        when = pd.Timestamp(when)
        fig.add_vline(x=when, line={"color": colour, "dash": dash, "width": 2})
        fig.add_trace(
            go.Scatter(
                x=[None], y=[None], mode="lines", line={"color": colour, "dash": dash, "width": 2},
                name=f"{label} {fmt.day(when)}", hoverinfo="skip",
            )
        )  # fmt: skip


def _finish(fig: go.Figure, n: int, x_range) -> go.Figure:
    fig.update_layout(
        barmode="overlay",
        height=height(n),
        legend={"traceorder": "normal", "title": {"text": ""}},
        hovermode="closest",
    )
    fig.update_yaxes(autorange="reversed", title=None)
    fig.update_xaxes(type="date", title=None, tickformat="%b %Y")
    if x_range is not None:
        fig.update_xaxes(range=[pd.Timestamp(x_range[0]), pd.Timestamp(x_range[1])])
    return fig


def timeline(
    rows: pd.DataFrame,
    marks: pd.DataFrame,
    bands: list[str],
    title: str,
    review_date=None,
    today=None,
    x_range=None,
) -> go.Figure:
    """One chart of projects: ``rows`` (analytics.roadmap.rows, drawn ones, in order), their
    ``marks`` (gates and milestones), the slip ``bands`` in legend order."""
    rows = rows[rows["drawn"]]
    ids = rows["project_id"].astype(str).tolist()
    fig = go.Figure()
    styles = band_styles(bands)
    for band in bands:
        part = rows[rows["slip_band"] == band]
        if part.empty:
            continue
        colour, pattern = styles[band]
        slip = [
            "no baseline end" if pd.isna(d) else
            f"{d:+.0f} days" + ("" if pd.isna(s) else f" ({100 * s:+.0f}% of plan)")
            for d, s in zip(part["slip_days"], part["slip_share"], strict=True)
        ]  # fmt: skip
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=part["project_id"].astype(str),
                base=part["start"],
                x=_ms(part["forecast_end"] - part["start"]),
                name=band,
                marker={"color": colour, "line": {"color": "#424242", "width": 1},
                        "pattern": {"shape": pattern, "fgcolor": "#424242", "size": 6}},
                customdata=list(zip(
                    part["project_id"].astype(str),
                    [chart_text(n) for n in part["name"]],
                    [rag_label(r) for r in part["display_rag"]],
                    [fmt.day(d) for d in part["start"]],
                    [fmt.day(d) for d in part["forecast_end"]],
                    [fmt.day(d, missing="none") for d in part["baseline_end"]],
                    slip,
                    [chart_text(g) for g in part["group"]],
                    strict=True,
                )),
                hovertemplate=(
                    "<b>%{customdata[1]}</b> (%{customdata[0]})<br>%{customdata[2]} · "
                    "%{customdata[7]}<br>start %{customdata[3]} → forecast end "
                    "%{customdata[4]}<br>baseline end %{customdata[5]} · slip %{customdata[6]}"
                    "<extra></extra>"
                ),
            )
        )  # fmt: skip
    base = rows[rows["baseline_end"].notna()]
    if not base.empty:
        fig.add_trace(
            go.Scatter(
                x=base["baseline_end"], y=base["project_id"].astype(str), mode="markers",
                name="Baseline end",
                marker={"symbol": "line-ns-open", "size": 18, "color": "#212121",
                        "line": {"width": 3, "color": "#212121"}},
                customdata=base["project_id"].astype(str),
                hovertemplate="baseline end %{x|%Y-%m-%d}<extra>%{customdata}</extra>",
            )
        )  # fmt: skip
    shown = marks[marks["project_id"].isin(ids)] if not marks.empty else marks
    for state in rm.STATES:
        part = shown[shown["state"] == state] if not shown.empty else shown
        if part.empty:
            continue
        symbol, colour, label = MARK_STYLE[state]
        kind = ["gate" if g else "milestone" for g in part["is_gate"]]
        fig.add_trace(
            go.Scatter(
                x=part["date"], y=part["project_id"].astype(str), mode="markers", name=label,
                marker={"symbol": symbol, "size": 11, "color": colour,
                        "line": {"width": 1.5, "color": colour if "open" in symbol or
                                 symbol == "x" else "white"}},
                customdata=list(zip(
                    part["project_id"].astype(str), [chart_text(n) for n in part["name"]],
                    kind, [fmt.day(d, missing="none") for d in part["baseline"]], strict=True,
                )),
                hovertemplate=(
                    "%{customdata[1]} (%{customdata[2]}): " + label.lower() +
                    "<br>%{x|%Y-%m-%d} · baseline %{customdata[3]}<extra>%{customdata[0]}"
                    "</extra>"
                ),
            )
        )  # fmt: skip
    _lines(fig, review_date, today)
    icons = [RAG_ICONS.get(r, RAG_ICONS["Grey"]) + " " for r in rows["display_rag"]]
    category_labels(fig, rows["name"], "y", lines=1, values=ids, prefixes=icons)
    fig.update_yaxes(
        ticktext=[
            p + short_label(n, NAME_CHARS, 1) for p, n in zip(icons, rows["name"], strict=True)
        ]  # fmt: skip
    )
    apply(fig, title, "bar: start → forecast end, coloured by slip · black tick: baseline end")
    late = rows[rows["slip_days"] > 0].sort_values("slip_days", ascending=False)
    said = [
        f"{len(rows)} projects from {fmt.day(rows['start'].min())} to "
        f"{fmt.day(rows['forecast_end'].max())}",
        f"{len(late)} late against baseline"
        + (f" (most: {late['name'].iloc[0]}, {late['slip_days'].iloc[0]:+.0f} days)"
           if len(late) else ""),
    ]  # fmt: skip
    counts = shown["state"].value_counts() if not shown.empty else {}
    if len(counts):
        said.append("gates and milestones: " + ", ".join(
            f"{counts[s]} {s}" for s in rm.STATES if s in counts))  # fmt: skip
    fig.update_layout(meta={"kind": "Timeline", "summary": "; ".join(said)})
    return _finish(fig, len(rows), x_range)


def summary_bars(
    summary: pd.DataFrame, group: str, title: str, review_date=None, today=None, x_range=None
) -> go.Figure:
    """One bar per group (analytics.roadmap.summary): earliest start to latest forecast end,
    coloured by the worst RAG in it (its icon and word on the label and in the legend), with
    the number of projects."""
    fig = go.Figure()
    for rag in RAG_ORDER:
        part = summary[summary["display_rag"] == rag]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[chart_text(g) for g in part["group"]],
                base=part["start"],
                x=_ms(part["forecast_end"] - part["start"]),
                name=f"Worst {rag_label(rag)}",
                marker={"color": RAG_COLOURS[rag], "line": {"color": "#424242", "width": 1}},
                customdata=list(zip(
                    # the group, escaped like all text in a figure: ui.roadmap unescapes it
                    [chart_text(g) for g in part["group"]], [chart_text(g) for g in part["group"]],
                    part["projects"], part["late"], [fmt.day(d) for d in part["start"]],
                    [fmt.day(d) for d in part["forecast_end"]], strict=True,
                )),
                hovertemplate=(
                    "<b>%{customdata[1]}</b><br>%{customdata[2]} projects, %{customdata[3]} "
                    f"late vs baseline · worst {rag}<br>%{{customdata[4]}} → %{{customdata[5]}}"
                    "<extra></extra>"
                ),
            )
        )  # fmt: skip
    _lines(fig, review_date, today)
    names = summary["group"].astype(str).tolist()
    icons = [RAG_ICONS.get(r, RAG_ICONS["Grey"]) + " " for r in summary["display_rag"]]
    category_labels(fig, names, "y", lines=1, prefixes=icons)
    fig.update_yaxes(
        ticktext=[
            f"{p}{short_label(n, NAME_CHARS - 6, 1)} ({c})"
            for p, n, c in zip(icons, names, summary["projects"], strict=True)
        ]
    )
    noun = rm.GROUPS.get(group, "Group").lower()
    apply(fig, title, f"one bar per {noun}: earliest start → latest forecast end (projects)")
    worst = ", ".join(
        f"{(summary['display_rag'] == r).sum()} worst {r}" for r in RAG_ORDER
        if (summary["display_rag"] == r).any()
    )  # fmt: skip
    said = f"{len(summary)} {noun}s, {int(summary['projects'].sum())} projects; {worst}"
    fig.update_layout(meta={"kind": "Timeline", "summary": said})
    return _finish(fig, len(summary), x_range)


def time_range(rows: pd.DataFrame, marks: pd.DataFrame, *dates) -> tuple | None:
    """One x range for every chart of the page (one time axis): the earliest start to the
    latest forecast end, baseline end, mark or line, with a month either side."""
    values = [rows.get(c, pd.Series(dtype="datetime64[ns]")) for c in
              ("start", "forecast_end", "baseline_end")]  # fmt: skip
    if not marks.empty:
        values.append(marks["date"])
    found = pd.concat([pd.to_datetime(v) for v in values], ignore_index=True).dropna()
    found = pd.concat([found, pd.to_datetime(pd.Series([d for d in dates if d is not None]))])
    found = found.dropna()
    if found.empty:
        return None
    month = pd.Timedelta(days=31)
    return found.min() - month, found.max() + month
