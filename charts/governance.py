"""Figures of the Governance versus execution page."""

from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go

from analytics import money
from analytics.governance import INTERVENE, PROTECT, QUESTION, STOP
from charts.template import RAG_COLOURS, RAG_ORDER, apply, chart_text, rag_label
from config import Governance


def _wrap(text: str, width: int = 90) -> str:
    """Hover text on several lines (plotly does not wrap)."""
    parts = [chart_text(p.strip()) for p in str(text or "").split(";") if p.strip()]
    return "<br>".join("<br>  ".join(textwrap.wrap(p, width)) for p in parts)


NOTHING_SCORED = (
    "No project can be scored yet, so there is no quadrant chart. Governance value needs a "
    "strategic or value score, or benefits and a budget, in the project register; execution "
    "health needs RAG by dimension, earned value or milestone plans."
)


def quadrant(scored: pd.DataFrame, rules: Governance) -> go.Figure:
    """Execution health (x) against governance value (y); size = budget, colour = shown RAG
    (legend and hover carry the RAG as text); quadrant lines at the configured thresholds."""
    df = scored.dropna(subset=["governance_value", "execution_health"])
    fig = go.Figure()
    budget = df["budget"].fillna(0).clip(lower=0)
    sizeref = 2.0 * float(budget.max() or 1) / (48**2)
    for rag in RAG_ORDER:
        part = df[df["display_rag"].fillna("Grey") == rag]
        if part.empty:
            continue
        hover = [
            f"<b>{chart_text(f'{r.project_id} {r.name}')}</b><br>{rag_label(rag)} · {r.quadrant}"
            f"<br>budget {money.millions(r.budget or 0, getattr(r, 'currency', None))}"
            f"<br><b>governance value {r.governance_value:.0f}</b><br>{_wrap(r.value_why)}"
            f"<br><b>execution health {r.execution_health:.0f}</b><br>{_wrap(r.health_why)}"
            for r in part.itertuples(index=False)
        ]
        fig.add_scatter(
            x=part["execution_health"],
            y=part["governance_value"],
            mode="markers+text" if len(df) <= 15 else "markers",
            text=part["project_id"].map(chart_text),
            textposition="top center",
            name=rag_label(rag),
            customdata=part[["project_id"]].to_numpy(),
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            marker={
                "size": part["budget"].fillna(0).clip(lower=0),
                "sizemode": "area",
                "sizeref": sizeref,
                "sizemin": 6,
                "color": RAG_COLOURS[rag],
                "line": {"width": 1, "color": "white"},
                "opacity": 0.85,
            },
        )
    vx, hy = rules.health_threshold, rules.value_threshold
    fig.add_vline(x=vx, line_dash="dot", line_color="#757575")
    fig.add_hline(y=hy, line_dash="dot", line_color="#757575")
    corners = [
        (PROTECT, 102, 102, "right", "top"),
        (INTERVENE, -2, 102, "left", "top"),
        (QUESTION, 102, -2, "right", "bottom"),
        (STOP, -2, -2, "left", "bottom"),
    ]
    for label, x, y, xa, ya in corners:
        fig.add_annotation(
            x=x, y=y, text=f"<b>{label}</b>", showarrow=False, xanchor=xa, yanchor=ya,
            font={"size": 15, "color": "#424242"}, bgcolor="rgba(255,255,255,0.7)",
        )  # fmt: skip
    fig.update_xaxes(range=[-5, 105], title="execution health (0-100)")
    fig.update_yaxes(range=[-5, 105], title="governance value (0-100)")
    fig.update_layout(legend_title_text="overall RAG", clickmode="event+select", dragmode=False)
    return apply(fig, "Governance value versus execution health (bubble size = budget)")


def pipeline(stages: pd.DataFrame) -> go.Figure:
    """Projects per stage (bars, in stage order) with the budget as text on each bar (one figure
    per currency, ``budget_text``)."""
    fig = go.Figure()
    fig.add_bar(
        x=stages["stage"].map(chart_text),
        y=stages["projects"],
        text=[
            f"{n} projects · {chart_text(b)}"
            for n, b in zip(stages["projects"], stages["budget_text"], strict=True)
        ],
        textposition="outside",
        marker_color="#1565c0",
        hovertemplate="%{x}: %{y} projects<extra></extra>",
        cliponaxis=False,
    )
    top = float(stages["projects"].max() or 1)
    fig.update_yaxes(title="projects", range=[0, top * 1.2])
    fig.update_xaxes(title="stage")
    return apply(fig, "Stage-gate pipeline: projects and budget by stage")
