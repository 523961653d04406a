"""Figures of the Benefits page: planned versus forecast versus realised, as shares of the
planned change (analytics.benefits), by portfolio and over time."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from charts.template import apply, category_height, category_labels, chart_text, trend_dates

# Three series told apart by colour, pattern and a word in every label (never colour alone).
SERIES = [
    ("planned", "Planned (target)", "#90a4ae", ""),
    ("forecast", "Forecast", "#1565c0", "/"),
    ("realised", "Realised", "#2e7d32", "."),
]
NOTE = "each benefit as a share of its planned change (target = 100%), averaged"


def by_portfolio(frame: pd.DataFrame) -> go.Figure:
    """Grouped horizontal bars per portfolio: planned, forecast and realised share."""
    fig = go.Figure()
    names = list(frame["portfolio"])
    for column, label, colour, pattern in SERIES:
        values = frame[column].astype(float) * 100
        fig.add_bar(
            y=frame["portfolio"].map(chart_text),
            x=values,
            name=label,
            orientation="h",
            marker={"color": colour, "pattern": {"shape": pattern}},
            text=[f"{label.split()[0]} {v:.0f}%" if v == v else "" for v in values],
            textposition="auto",
            hovertemplate=f"%{{y}}: {label} %{{x:.0f}}%<extra></extra>",
        )
    category_labels(fig, names)
    fig.update_layout(
        barmode="group",
        xaxis_title="% of planned change",
        yaxis_title=None,
        height=category_height(len(names)),
        uniformtext={"minsize": 11, "mode": "hide"},
        # The default summary would add percentages up ("totals: Planned 400"): say the range.
        meta={"kind": "Bar chart", "summary": _range_summary(frame)},
    )
    fig.update_yaxes(autorange="reversed")
    return apply(fig, "Benefits by portfolio", NOTE)


def _pct_range(values: pd.Series) -> str:
    v = values.astype(float).dropna() * 100
    if v.empty:
        return "n/a"
    low, high = f"{v.min():.0f}%", f"{v.max():.0f}%"
    return low if low == high else f"{low} to {high}"


def _range_summary(frame: pd.DataFrame) -> str:
    """``4 portfolios; forecast 84% to 90% of plan, realised 42% to 45%``."""
    n = len(frame)
    return (
        f"{n} portfolio{'s' if n != 1 else ''}; forecast {_pct_range(frame['forecast'])} of plan, "
        f"realised {_pct_range(frame['realised'])}"
    )


def over_time(frame: pd.DataFrame) -> go.Figure:
    """Forecast and realised share on every register date, against the planned 100 %."""
    fig = go.Figure()
    dashes = {"planned": "dot", "forecast": "dash", "realised": "solid"}
    for column, label, colour, _ in SERIES:
        fig.add_scatter(
            x=frame["report_date"],
            y=frame[column].astype(float) * 100,
            name=label,
            mode="lines+markers",
            line={"color": colour, "dash": dashes[column]},
            hovertemplate=f"%{{x|%d %b %Y}}: {label} %{{y:.0f}}%<extra></extra>",
        )
    trend_dates(fig, frame["report_date"])
    fig.update_layout(yaxis_title="% of planned change", xaxis_title="register date")
    return apply(fig, "Benefits over time", NOTE)
