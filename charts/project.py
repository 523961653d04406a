"""Figures of the Project detail page."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.template import (
    RAG_COLOURS,
    RAG_ICONS,
    RAG_ORDER,
    apply,
    chart_text,
    rag_label,
    short_label,
    trend_dates,
)
from vocabulary.currencies import symbol

SERIES = {
    "planned_value": ("PV (planned value)", "#757575", "solid"),
    "earned_value": ("EV (earned value)", "#1565c0", "solid"),
    "actual_cost": ("AC (actual cost)", "#ef6c00", "solid"),
}
NAMED_MILESTONES = 8  # more milestones than this: the rest are grey and named on hover
EAC_SERIES = {
    "eac_typical": ("EAC typical (BAC / CPI)", "#6a1b9a"),
    "eac_atypical": ("EAC atypical (AC + BAC − EV)", "#00838f"),
    "eac_pressure": ("EAC cost & schedule (AC + (BAC − EV) / (CPI × SPI))", "#4e342e"),
}


def rag_strip(strip: pd.DataFrame) -> go.Figure:
    """Chips: one row per dimension, one column per report; each chip has its RAG as text."""
    fig = go.Figure()
    dims = list(dict.fromkeys(strip["dimension"]))
    for rag in RAG_ORDER:
        part = strip[strip["rag"] == rag]
        if part.empty:
            continue
        fig.add_scatter(
            x=part["report_date"].dt.strftime("%d %b"),
            y=part["dimension"],
            mode="markers+text",
            name=rag_label(rag),
            # Shape and word, never a letter only: "○ G" read as Green's "● G". Two lines so
            # the word fits a chip of 12 report columns at 800 px.
            text=[f"{RAG_ICONS[rag]}<br>{rag}"] * len(part),
            textfont={"color": "white" if rag != "Amber" else "#212121", "size": 10},
            marker={"symbol": "square", "size": 42, "color": RAG_COLOURS[rag]},
            hovertemplate=f"%{{y}} on %{{x}}: {rag}<extra></extra>",
        )
    dates = list(dict.fromkeys(strip["report_date"].dt.strftime("%d %b")))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=dates, showgrid=False)
    fig.update_yaxes(categoryorder="array", categoryarray=dims[::-1], showgrid=False)
    fig.update_layout(height=400, meta={"items": "RAG chips (dimension × report)"})
    return apply(fig, f"RAG of the last {len(dates)} status reports")


def evm_scurve(series: pd.DataFrame, budget: float | None, currency: str) -> go.Figure:
    """PV, EV and AC over time (the S-curve), BAC as a line, EAC variants dashed."""
    sym = symbol(currency)
    fig = go.Figure()
    for col, (name, colour, dash) in SERIES.items():
        fig.add_scatter(
            x=series["report_date"], y=series[col], name=name, mode="lines+markers",
            line={"color": colour, "dash": dash, "width": 2}, marker={"size": 5},
            hovertemplate=f"{name}: {sym}%{{y:,.0f}}<extra></extra>",
        )  # fmt: skip
    for col, (name, colour) in EAC_SERIES.items():
        fig.add_scatter(
            x=series["report_date"], y=series[col], name=name, mode="lines",
            line={"color": colour, "dash": "dash", "width": 1.5},
            hovertemplate=f"{name}: {sym}%{{y:,.0f}}<extra></extra>",
        )  # fmt: skip
    if budget:
        fig.add_hline(
            y=budget, line_dash="dot", line_color="#212121",
            annotation_text=f"BAC {sym}{budget / 1e6:,.2f}m", annotation_position="top left",
        )  # fmt: skip
    fig.update_layout(
        hovermode="x unified", xaxis_title="report date", yaxis_title=sym.strip() or currency
    )
    trend_dates(fig, series["report_date"])
    return apply(fig, "Earned value S-curve", "PV, EV and AC with the EAC variants")


def milestone_trend(trend: pd.DataFrame) -> go.Figure:
    """Milestone trend: each milestone's forecast (or actual) date at each report date, its
    original baseline dotted, re-baselines marked; the diagonal is the report date itself.

    A plan of 27 milestones is 27 legend entries and 27 colours nobody tells apart: the
    NAMED_MILESTONES that slipped most are named and coloured, the others are one grey group
    (one trace, one legend entry, named on hover). The text summary is a sentence about
    milestones, not a count of plotted points."""
    fig = go.Figure()
    colours = ["#1565c0", "#6a1b9a", "#00838f", "#ef6c00", "#4e342e", "#558b2f", "#c62828"]
    ids = list(dict.fromkeys(trend.sort_values("original_baseline")["milestone_id"]))
    latest = trend.sort_values("report_date").groupby("milestone_id")["slip_days"].last()
    ranked = latest.abs().fillna(0).sort_values(ascending=False, kind="stable")
    named = list(ranked.index[:NAMED_MILESTONES]) if len(ids) > NAMED_MILESTONES else ids
    named = [m for m in ids if m in set(named)]  # in baseline order, like the plan
    others = [m for m in ids if m not in set(named)]
    x0, x1 = trend["report_date"].min(), trend["report_date"].max()
    by_id = {mid: m.sort_values("report_date") for mid, m in trend.groupby("milestone_id")}

    def full_name(mid) -> str:
        # From uploads: escaped, and never part of a hovertemplate (where %{…} would run):
        # the full name travels in customdata, the legend shows it cut to one line.
        return f"{mid} {by_id[mid]['name'].iloc[-1]}"

    hover = (
        "%{customdata[1]}<br>reported %{x|%d %b %Y}: due %{y|%d %b %Y}"
        "<br>slip vs original baseline %{customdata[0]:+.0f} d<extra></extra>"
    )
    if others:  # one trace: the lines are broken apart by gaps (None)
        xs, ys, custom = [], [], []
        for mid in others:
            m = by_id[mid]
            xs += [*m["report_date"], None]
            ys += [*m["due"], None]
            custom += [[slip, chart_text(full_name(mid))] for slip in m["slip_days"]] + [[0, ""]]
        fig.add_scatter(
            x=xs, y=ys, name=f"{len(others)} other milestones (hover for names)",
            mode="lines+markers", line={"color": "#9e9e9e", "width": 1}, marker={"size": 4},
            legendgroup="others", customdata=custom, hovertemplate=hover, connectgaps=False,
        )  # fmt: skip
    marked = False
    for i, mid in enumerate(named):
        m, full = by_id[mid], full_name(mid)
        colour = colours[i % len(colours)]
        name = short_label(full, width=32, lines=1)
        fig.add_scatter(
            x=m["report_date"], y=m["due"], name=name, mode="lines+markers",
            line={"color": colour, "width": 2}, marker={"size": 5}, legendgroup=str(i),
            customdata=[[slip, chart_text(full)] for slip in m["slip_days"]],
            hovertemplate=hover,
        )  # fmt: skip
        fig.add_scatter(
            x=[x0, x1], y=[m["original_baseline"].iloc[0]] * 2, mode="lines",
            line={"color": colour, "dash": "dot", "width": 1}, showlegend=False, name=name,
            legendgroup=str(i), customdata=[[chart_text(full)]] * 2,
            hovertemplate="%{customdata[0]}: original baseline %{y|%d %b %Y}<extra></extra>",
        )  # fmt: skip
    rebaselined = 0
    for mid in ids:
        m = by_id[mid]
        rb = m[m["rebaselined"]]
        if not len(rb):
            continue
        rebaselined += 1
        colour = colours[named.index(mid) % len(colours)] if mid in named else "#9e9e9e"
        # A marker, no text: stacked "re-baselined" labels ran into each other. One legend
        # entry explains the mark; the hover says which milestone and when.
        fig.add_scatter(
            x=rb["report_date"], y=rb["baseline_date"], mode="markers",
            marker={"symbol": "x", "size": 11, "color": colour},
            name="✕ re-baselined (hover for the new date)", legendgroup="rebaselined",
            showlegend=not marked, customdata=[[chart_text(full_name(mid))]] * len(rb),
            hovertemplate="%{customdata[0]}: re-baselined to %{y|%d %b %Y}"
            " on %{x|%d %b %Y}<extra></extra>",
        )  # fmt: skip
        marked = True
    if len(trend):
        fig.add_scatter(
            x=[x0, x1], y=[x0, x1], mode="lines", name="report date (due = today)",
            line={"color": "#bdbdbd", "width": 1}, hoverinfo="skip",
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="report date",
        yaxis_title="forecast / actual date",
        meta={"kind": "Line chart", "summary": milestone_summary(latest, named, rebaselined)},
    )
    trend_dates(fig, trend["report_date"])
    return apply(
        fig,
        "Milestone trend",
        "dotted = original baseline; rising line = slipping; ✕ = re-baselined",
    )


def milestone_summary(latest_slip: pd.Series, named: list, rebaselined: int) -> str:
    """``27 milestones; the 8 that slipped most are named (M-07 45 days late, …), the other 19
    are grey; 3 re-baselined``: what the milestone chart shows, as a sentence."""
    n = len(latest_slip)
    if n == 0:
        return "no milestones"

    def slip(mid) -> str:
        d = latest_slip.get(mid)
        if d is None or pd.isna(d) or d == 0:
            return f"{mid} on its original date"
        return f"{mid} {abs(d):.0f} days {'late' if d > 0 else 'early'}"

    worst = sorted(named, key=lambda m: -abs(latest_slip.get(m) or 0))[:3]
    text = f"{n} milestone{'s' if n != 1 else ''}"
    if len(named) < n:
        text += f"; the {len(named)} that slipped most are named, the other {n - len(named)} grey"
    text += f"; most slipped: {', '.join(slip(m) for m in worst)}"
    if rebaselined:
        text += f"; {rebaselined} re-baselined"
    return text
