"""Figures of the Governance versus execution page."""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from analytics import governance, money
from analytics.governance import INTERVENE, NOT_REPORTED, PROTECT, QUESTION, STOP
from charts.template import RAG_COLOURS, RAG_ORDER, apply, chart_text, rag_label
from config import Config, Governance


def _wrap(text: str, width: int = 90) -> str:
    """Hover text on several lines (plotly does not wrap)."""
    parts = [chart_text(p.strip()) for p in str(text or "").split(";") if p.strip()]
    return "<br>".join("<br>  ".join(textwrap.wrap(p, width)) for p in parts)


NOTHING_SCORED = (
    "No project can be scored yet, so there is no quadrant chart. Governance value needs a "
    "strategic or value score, or benefits and a budget, in the project register; execution "
    "health needs RAG by dimension, earned value or milestone plans."
)

AXIS = (-5.0, 105.0)  # both axes: room for the quadrant names and bubbles at 0 and 100
TIE_GAP = 1.6  # score points: bubbles closer than this are nudged apart (ties stay visible)
MAX_NUDGE = 8.0  # score points: no bubble is drawn farther than this from its scores


@dataclass(frozen=True)
class Look:
    """Sizes of the quadrant figure. Labels are placed for the smallest plot area the figure
    is drawn in (``plot_width`` x ``plot_height`` pixels): a wider plot only moves bubbles and
    labels further apart, so what does not overlap here does not overlap there either."""

    height: int  # figure height (layout pixels); None-free so the plot height is known
    plot_width: float  # the narrowest plot area the labels must fit
    plot_height: float
    font: int  # figure font
    label_font: int
    corner_font: int
    max_diameter: float  # the largest bubble (layout pixels)
    min_diameter: float


# On screen: 620 px high; the legend below the plot takes its share (plot ~410 px high with
# one legend row), so labels are placed for 380 px, and for a plot at least 560 px wide.
SCREEN = Look(620, 560, 380, 14, 12, 15, 48, 8)
# The deck and PNG export lay figures out at 1280x720 (exports.png) with a 164 px bottom
# margin: a 1190 x 496 plot. Larger type and bubbles, read from the back of the room.
SLIDE = Look(720, 1190, 496, 18, 17, 19, 64, 12)


def spread_ties(x, y, gap: float = TIE_GAP) -> tuple[np.ndarray, np.ndarray]:
    """Positions with every pair at least ``gap`` apart where there is room: a point closer than
    that to one already placed moves out along a golden-angle spiral, at most ``MAX_NUDGE``
    from its place (deterministic: same input, same picture). Where no spot that near is free
    (hundreds of projects with close scores) it stays at its scores, over the others: a bubble
    far from its scores would misstate them. Points are taken in the given order, so the first
    of a tie keeps its exact place. Plain floats and a grid of ``gap``-sized cells."""
    xs = [float(v) for v in np.asarray(x, dtype=float)]
    ys = [float(v) for v in np.asarray(y, dtype=float)]
    cells: dict[tuple[int, int], list[int]] = {}
    near = gap * gap - 1e-12
    lo, hi = AXIS[0] + 1, AXIS[1] - 1

    def clear(px: float, py: float) -> bool:
        cx, cy = math.floor(px / gap), math.floor(py / gap)
        for a in (-1, 0, 1):
            for b in (-1, 0, 1):
                for j in cells.get((cx + a, cy + b), ()):
                    if (xs[j] - px) ** 2 + (ys[j] - py) ** 2 < near:
                        return False
        return True

    golden = math.pi * (3 - math.sqrt(5))
    steps = int((MAX_NUDGE / (gap * 0.75)) ** 2)  # the spiral's radius grows as sqrt(step)
    for i, (x0, y0) in enumerate(zip(xs, ys, strict=True)):
        if math.isnan(x0) or math.isnan(y0):
            continue
        px, py, k = x0, y0, 0
        while not clear(px, py):
            k += 1
            if k > steps:  # nowhere free near enough: stay at the scores
                px, py = x0, y0
                break
            r = gap * 0.75 * math.sqrt(k)
            px = min(max(x0 + r * math.cos(k * golden), lo), hi)
            py = min(max(y0 + r * math.sin(k * golden), lo), hi)
        xs[i], ys[i] = px, py
        cells.setdefault((math.floor(px / gap), math.floor(py / gap)), []).append(i)
    return np.array(xs), np.array(ys)


def short_label(name: str, limit: int) -> str:
    """A name cut to ``limit`` characters at a word boundary where one is near, with …"""
    name = " ".join(str(name or "").split())
    if len(name) <= limit:
        return name
    # "Data Platform Phase 1 — Implementation Workstream": the part before a dash or colon
    # names the project; keep it whole when it fits
    head = re.split(r" [—–-] |: ", name, maxsplit=1)[0]
    if len(head) < limit and len(head) >= 8 and head != name:
        return head + "…"
    cut = name[: limit - 1]
    space = cut.rfind(" ")
    # a word that ends exactly at the cut stays whole ("… Phase 2…", not "… Phase…")
    if name[limit - 1] != " " and space >= limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—·") + "…"


def label_texts(names: list[str], ids: list[str], limit: int) -> list[str]:
    """Short labels, one per project; two that would read the same carry their project id
    (long names often differ only at the end: "… Phase 1 — Workstream", "… Phase 2 — …")."""
    short = [short_label(n, limit) for n in names]
    seen = pd.Series(short).duplicated(keep=False).to_numpy()
    return [
        f"{short_label(n, max(limit - len(i) - 1, 8))} {i}" if dup else s
        for n, i, s, dup in zip(names, ids, short, seen, strict=True)
    ]


def text_box(text: str, font: int) -> tuple[float, float]:
    """Width and height in pixels a one-line label takes, generously (no font metrics here:
    0.62 em per character covers Inter/Arial capitals and digits, plus the border padding)."""
    return len(text) * font * 0.62 + 10, font * 1.35 + 8


def _overlaps(a, b, pad: float = 3.0) -> bool:
    """Boxes (x0, y0, x1, y1) overlapping, with ``pad`` pixels of air."""
    return not (
        a[2] + pad <= b[0] or b[2] + pad <= a[0] or a[3] + pad <= b[1] or b[3] + pad <= a[1]
    )


def _circles_hit(box, cx: np.ndarray, cy: np.ndarray, r: np.ndarray) -> int:
    """How many circles (centres cx, cy, radii r) the box touches, all at once (thousands of
    bubbles on a large portfolio)."""
    nx, ny = np.clip(cx, box[0], box[2]), np.clip(cy, box[1], box[3])
    return int(np.count_nonzero((nx - cx) ** 2 + (ny - cy) ** 2 < r**2))


def _segment_hits_box(x0, y0, x1, y1, box) -> bool:
    """Whether the segment (x0, y0)-(x1, y1) passes through the box (Liang-Barsky clipping)."""
    t0, t1 = 0.0, 1.0
    dx, dy = x1 - x0, y1 - y0
    for p, q in ((-dx, x0 - box[0]), (dx, box[2] - x0), (-dy, y0 - box[1]), (dy, box[3] - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def place_labels(
    px: np.ndarray,
    py: np.ndarray,
    radius: np.ndarray,
    picks: list[int],
    texts: list[str],
    look: Look,
    blocked: list[tuple[float, float, float, float]] = (),
) -> dict[int, tuple[float, float]]:
    """Pixel centres for the labels of the bubbles ``picks`` (indexes into px/py, pixel
    positions in a ``look.plot_width`` x ``look.plot_height`` area, y up), greedily in
    priority order: the nearest spot around the bubble that stays inside the plot and clear
    of other labels and ``blocked`` boxes, preferring spots that cover no bubble and whose
    leader line crosses no other label (nor theirs this one). A label that finds no such spot
    is left out (its name stays on hover)."""  # fmt: skip
    W, H = look.plot_width, look.plot_height
    placed: list[tuple[float, float, float, float]] = list(blocked)
    leaders: list[tuple[float, float, float, float]] = []  # bubble centre -> label centre
    out: dict[int, tuple[float, float]] = {}
    # above first, then below, then the sides and diagonals; every 15 degrees
    order = [90, 270, 60, 120, 300, 240, 30, 150, 330, 210, 0, 180]
    angles = np.deg2rad(order + [d + 15 for d in order if (d + 15) % 90 != 0])
    gaps = (0, 12, 26, 44, 66, 92, 124, 162, 206, 256, 312, 380)  # px beyond the bubble edge
    for i, text in zip(picks, texts, strict=True):
        w, h = text_box(text, look.label_font)
        best, best_cost = None, None
        for gap in gaps:
            for k, a in enumerate(angles):
                # the box's edge ``gap`` pixels beyond the bubble's edge in this direction
                edge = abs(np.cos(a)) * w / 2 + abs(np.sin(a)) * h / 2
                reach = radius[i] + 6 + gap + min(edge, w / 2)
                cx, cy = px[i] + reach * np.cos(a), py[i] + reach * np.sin(a)
                box = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
                if box[0] < 2 or box[1] < 2 or box[2] > W - 2 or box[3] > H - 2:
                    continue
                if any(_overlaps(box, b) for b in placed):
                    continue
                covered = _circles_hit(box, px, py, radius)
                crossings = sum(_segment_hits_box(px[i], py[i], cx, cy, b) for b in placed)
                crossings += sum(_segment_hits_box(*seg, box) for seg in leaders)
                cost = covered * 1000 + crossings * 300 + gap + k * 0.1
                if best_cost is None or cost < best_cost:
                    best, best_cost = (cx, cy, box), cost
            if best is not None and best_cost < 300:
                break  # clear of bubbles and leader lines on this ring: go no further out
        if best is not None:
            out[i] = (best[0], best[1])
            placed.append(best[2])
            leaders.append((px[i], py[i], best[0], best[1]))
    return out


def _corner_boxes(look: Look) -> list[tuple[float, float, float, float]]:
    """Pixel boxes of the four quadrant names (at the plot's corners)."""
    W, H = look.plot_width, look.plot_height
    boxes = []
    for label, right, top in [(PROTECT, 1, 1), (INTERVENE, 0, 1), (QUESTION, 1, 0), (STOP, 0, 0)]:
        w, h = text_box(label, look.corner_font)
        x0 = W - 3 * W / 110 - w if right else 3 * W / 110
        y0 = H - 3 * H / 110 - h if top else 3 * H / 110
        boxes.append((x0, y0, x0 + w, y0 + h))
    return boxes


def quadrant(
    scored: pd.DataFrame,
    rules: Governance,
    before: pd.DataFrame | None = None,
    *,
    slide: bool = False,
    config: Config | None = None,
) -> go.Figure:
    """Execution health (x) against governance value (y); size = budget, colour = shown RAG
    (legend and hover carry the RAG as text); quadrant lines at the configured thresholds.

    A project that has not reported is drawn grey at its last known health. Bubbles at the
    same spot are nudged apart (``spread_ties``; hover gives the exact scores). The projects
    that matter (``analytics.governance.label_picks``: moved quadrant since ``before``, lowest
    health, largest) carry a short name; every bubble has name and id on hover.
    ``slide``: larger type and bubbles for the deck."""
    look = SLIDE if slide else SCREEN
    df = scored.assign(
        x_score=scored["execution_health"].fillna(
            scored["last_known_health"].where(scored["quadrant"] == NOT_REPORTED)
        )
        if "last_known_health" in scored
        else scored["execution_health"]
    )
    df = df.dropna(subset=["governance_value", "x_score"])
    df = df.assign(display_rag=df["display_rag"].fillna("Grey").where(
        df["quadrant"] != NOT_REPORTED, "Grey"))  # fmt: skip
    # big bubbles first, so a small one is drawn on top of a big one, never under it
    df = df.sort_values(["budget", "project_id"], ascending=[False, True], na_position="last")
    df = df.reset_index(drop=True)
    x, y = spread_ties(df["x_score"], df["governance_value"])
    df = df.assign(x_shown=x, y_shown=y)
    budget = df["budget"].fillna(0).clip(lower=0)
    top = float(budget.max() or 1)
    # bubble area proportional to budget; diameters in pixels so the labels can avoid them
    diameter = np.maximum(look.max_diameter * np.sqrt(budget.to_numpy() / top), look.min_diameter)

    picks = governance.label_picks(df, before, rules.label_count, config)
    index = {p: i for i, p in enumerate(df["project_id"])}
    pick_rows = [index[p] for p in picks["project_id"]]
    why = dict(zip(picks["project_id"], picks["why"], strict=True))
    names = df["name"].where(df["name"].notna(), df["project_id"]).astype(str)
    df = df.assign(name=names)  # a project without a name goes by its id (label and hover)
    texts = label_texts(
        [names[i] for i in pick_rows],
        [str(df.at[i, "project_id"]) for i in pick_rows],
        rules.label_chars,
    )
    span = AXIS[1] - AXIS[0]
    px = (df["x_shown"].to_numpy() - AXIS[0]) / span * look.plot_width
    py = (df["y_shown"].to_numpy() - AXIS[0]) / span * look.plot_height
    spots = place_labels(px, py, diameter / 2, pick_rows, texts, look, _corner_boxes(look))

    fig = go.Figure()
    # The legend: one entry per RAG shown, drawn first and empty. The bubbles are one trace in
    # size order (biggest first), so a small bubble is always drawn on top of a bigger one,
    # whatever their colours: no bubble hides another (separate traces per RAG would stack
    # every Green under every Red, whatever the sizes).
    rags = df["display_rag"].where(df["display_rag"].isin(list(RAG_COLOURS)), "Grey")
    stale = df["quadrant"] == NOT_REPORTED
    for rag in [r for r in RAG_ORDER if (rags == r).any()]:
        note = " · not reported: last known" if rag == "Grey" and stale.any() else ""
        fig.add_scatter(
            x=[None], y=[None], mode="markers", name=rag_label(rag) + note,
            marker={"size": 12, "color": RAG_COLOURS[rag]}, hoverinfo="skip",
        )  # fmt: skip
    hover = [
        _hover(r, rag, why.get(r.project_id))
        for r, rag in zip(df.itertuples(index=False), rags, strict=True)
    ]
    fig.add_scatter(
        x=df["x_shown"],
        y=df["y_shown"],
        mode="markers",
        name="projects",
        showlegend=False,
        # project id first: the click-through to the project page reads customdata[0]
        customdata=df[["project_id", "name"]].astype(object).to_numpy(),
        hovertext=hover,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "size": diameter,
            "sizemode": "diameter",
            "sizeref": 1,  # the diameters computed above, in pixels
            "color": rags.map(RAG_COLOURS).tolist(),
            "line": {"width": 1.5 if slide else 1, "color": "white"},
            "opacity": np.where(stale, 0.55, 0.85),
        },
    )
    for i, text in zip(pick_rows, texts, strict=True):
        if i not in spots:
            continue
        lx, ly = spots[i]
        fig.add_annotation(
            x=df.at[i, "x_shown"], y=df.at[i, "y_shown"],
            ax=AXIS[0] + lx / look.plot_width * span, ay=AXIS[0] + ly / look.plot_height * span,
            axref="x", ayref="y", xanchor="center", yanchor="middle",
            text=chart_text(text), showarrow=True, arrowhead=0, arrowwidth=1,
            arrowcolor="#616161", standoff=float(diameter[i] / 2), startstandoff=0,
            font={"size": look.label_font, "color": "#212121"},
            bgcolor="rgba(255,255,255,0.85)", bordercolor="#9e9e9e", borderwidth=1, borderpad=3,
            name=f"label {df.at[i, 'project_id']}",
        )  # fmt: skip
    vx, hy = rules.health_threshold, rules.value_threshold
    fig.add_vline(x=vx, line_dash="dot", line_color="#757575")
    fig.add_hline(y=hy, line_dash="dot", line_color="#757575")
    corners = [
        (PROTECT, 102, 102, "right", "top"),
        (INTERVENE, -2, 102, "left", "top"),
        (QUESTION, 102, -2, "right", "bottom"),
        (STOP, -2, -2, "left", "bottom"),
    ]
    for label, cx, cy, xa, ya in corners:
        fig.add_annotation(
            x=cx, y=cy, text=f"<b>{label}</b>", showarrow=False, xanchor=xa, yanchor=ya,
            font={"size": look.corner_font, "color": "#424242"},
            bgcolor="rgba(255,255,255,0.7)", name=f"quadrant {label}",
        )  # fmt: skip
    fig.update_xaxes(range=list(AXIS), title="execution health (0-100)")
    fig.update_yaxes(range=list(AXIS), title="governance value (0-100)")
    fig.update_layout(
        # the legend explains colours; its entries hold no bubbles, so clicking them does nothing
        legend={"title_text": "overall RAG", "itemclick": False, "itemdoubleclick": False},
        clickmode="event+select", dragmode=False,
        height=look.height, font={"size": look.font},
    )  # fmt: skip
    return apply(fig, "Governance value versus execution health (bubble size = budget)")


def _hover(r, rag: str, why: str | None) -> str:
    health = r.execution_health
    if pd.isna(health):
        shown = f"no current health: last known {r.x_score:.0f} (not reported)"
    else:
        shown = f"{health:.0f}"
    return (
        f"<b>{chart_text(r.name)}</b><br>{chart_text(r.project_id)} · {rag_label(rag)} · "
        f"{r.quadrant}"
        + (f"<br><i>named: {chart_text(why)}</i>" if why else "")
        + f"<br>budget {money.money(r.budget, getattr(r, 'currency', None))}"
        f"<br><b>governance value {r.governance_value:.0f}</b><br>{_wrap(r.value_why)}"
        f"<br><b>execution health {shown}</b><br>{_wrap(r.health_why)}"
    )


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
