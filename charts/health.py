"""Figures of the Portfolio Health page."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from charts.governance import label_texts
from charts.template import (
    RAG_COLOURS,
    RAG_ORDER,
    apply,
    category_height,
    category_labels,
    chart_text,
    rag_label,
    trend_dates,
)
from vocabulary.currencies import symbol


def _stacked_rag_bar(df: pd.DataFrame, y: str, title: str, x_title: str, items: str) -> go.Figure:
    fig = go.Figure()
    for rag in RAG_ORDER:
        part = df[df["rag"] == rag]
        fig.add_bar(
            y=part[y].map(chart_text),  # portfolio / programme names from uploads
            x=part["projects"],
            name=rag_label(rag),
            orientation="h",
            marker_color=RAG_COLOURS[rag],
            text=[f"{n} {rag}" if n else "" for n in part["projects"]],
            textposition="inside",
            hovertemplate=f"%{{y}}: %{{x}} {rag}<extra></extra>",
            # the name (escaped, like all text in a figure) and the RAG: a click on a bar picks
            # them (Portfolio health's filter, which unescapes the name)
            customdata=[[chart_text(v), rag] for v in part[y]],
        )
    # Long portfolio and programme names: wrapped and cut on the axis, full name on hover.
    names = list(dict.fromkeys(df[y]))
    category_labels(fig, names)
    fig.update_layout(
        barmode="stack",
        xaxis_title=x_title,
        yaxis_title=None,
        height=category_height(len(names)),
        # A count that does not fit its bar at a readable size is left to the hover.
        uniformtext={"minsize": 11, "mode": "hide"},
        meta={"items": items},  # what the bars are, for the text summary
    )
    fig.update_traces(insidetextanchor="middle", textangle=0)
    fig.update_yaxes(autorange="reversed")
    return apply(fig, title)


def rag_distribution(dist: pd.DataFrame) -> go.Figure:
    """Projects per RAG, overall and per dimension (rows: Overall, Schedule, Cost, ...)."""
    return _stacked_rag_bar(dist, "dimension", "RAG by dimension", "projects", "dimensions")


def rag_by_group(counts: pd.DataFrame, group: str) -> go.Figure:
    return _stacked_rag_bar(counts, group, f"RAG by {group}", "projects", f"{group}s")


def rag_trend(trend: pd.DataFrame) -> go.Figure:
    """Projects per RAG at each review date, stacked areas with the count on hover."""
    fig = go.Figure()
    for rag in RAG_ORDER:
        part = trend[trend["rag"] == rag]
        fig.add_scatter(
            x=part["report_date"],
            y=part["projects"],
            name=rag_label(rag),
            mode="lines",
            stackgroup="rag",
            line={"color": RAG_COLOURS[rag], "width": 1},
            hovertemplate=f"%{{x|%d %b %Y}}: %{{y}} {rag}<extra></extra>",
        )
    fig.update_layout(xaxis_title="review date", yaxis_title="projects", hovermode="x unified")
    trend_dates(fig, trend["report_date"])
    return apply(fig, "RAG trend over the weeks")


NO_VALUE_SCORES = (
    "No business value scores in the project register for these projects, so there is no "
    "value versus risk chart. Add value_score (0-10) to the project register."
)


def value_risk_bubble(
    snap: pd.DataFrame, picks: pd.DataFrame | None = None, label_chars: int = 26
) -> go.Figure:
    """Value (y) versus open risk exposure (x), bubble size = budget, colour = shown RAG.
    Exposure and budget are in each project's currency (``currency``), unconverted: with several
    currencies the axis says so and the hover names each bubble's currency.

    ``picks`` (``Review.value_risk_picks``: the quadrant chart's rule) are named on the chart,
    short names beside their bubble, so an outlier can be named on the slide too."""
    # Names and ids shown in the figure are escaped; customdata keeps the raw id for clicks.
    ccy = snap["currency"]  # the review fills it: a project with none is in [money] currency
    several = ccy.nunique() > 1
    df = snap.assign(
        currency=ccy.map(chart_text),
        rag=snap["display_rag"].map(rag_label),
        exposure_m=snap["exposure"] / 1e6,
        name=snap["name"].map(chart_text),
        project=snap["project_id"].map(chart_text),
    )
    fig = px.scatter(
        df,
        x="exposure_m",
        y="value_score",
        size=df["budget"].fillna(0).clip(lower=1),
        color="rag",
        color_discrete_map={rag_label(k): v for k, v in RAG_COLOURS.items()},
        category_orders={"rag": [rag_label(r) for r in RAG_ORDER]},
        hover_name="name",
        custom_data=["project_id"],
        hover_data={
            "project": True,
            "exposure_m": ":.2f",
            "currency": several,
            "value_score": True,
            "rag": False,
        },
        labels={"exposure_m": "exposure (millions)"},
        size_max=45,
    )
    if picks is not None and len(picks):
        chosen = df.assign(raw=snap["name"].fillna(snap["project_id"]).astype(str))
        chosen = chosen.set_index("project_id").reindex(picks["project_id"])
        chosen = chosen.dropna(subset=["exposure_m", "value_score"])
        # the raw names: escaped once, below (df's are escaped for the hover already)
        texts = label_texts(chosen["raw"].tolist(), chosen.index.astype(str).tolist(), label_chars)
        fig.add_scatter(
            x=chosen["exposure_m"], y=chosen["value_score"], mode="text",
            text=[chart_text(t) for t in texts], textposition="top center",
            textfont={"size": 12, "color": "#212121"}, showlegend=False, hoverinfo="skip",
            name="labels", cliponaxis=False,
        )  # fmt: skip
    fig.update_layout(
        xaxis_title="open risk exposure (probability × cost impact, "
        + (
            "millions, each project in its own currency)"
            if several
            else f"{symbol(ccy.iloc[0]).strip() or ccy.iloc[0]} millions)"
            if len(ccy)
            else "millions)"
        ),
        yaxis_title="business value score (0-10)",
        legend_title_text=None,
    )
    # The title stays one short line; with several currencies a note under it says so.
    note = "budget and exposure each in the project's own currency" if several else None
    return apply(fig, "Value versus risk (bubble size = budget)", note)
