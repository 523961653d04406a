"""A short text alternative for any figure, generated from the figure itself (not from the
data behind it), so it always says what the chart shows: its kind, title, how many bars,
series or points, and the totals or latest values a reader would take from it.

Shown as a caption under every chart (ui.components.show_chart) for screen readers and for
anyone who cannot read the colours. Nothing here imports streamlit.
"""

from __future__ import annotations

import datetime
import html
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts.template import _values

_TAG = re.compile(r"<[^>]+>")
MAX_ITEMS = 6  # series or categories named in full; more are counted


def plain_text(text: object) -> str:
    """Figure text as a reader sees it: ``<br>`` as a space, no tags, entities decoded."""
    return " ".join(html.unescape(_TAG.sub(" ", str(text or ""))).split())


def _num(v: float) -> str:
    return f"{v:,.0f}" if float(v).is_integer() or abs(v) >= 100 else f"{v:,.2f}"


def _last(values) -> str | None:
    """The last present value of a series, as a number or a date."""
    raw = pd.Series(_values(values))
    raw = raw[raw.notna()]
    if raw.empty:
        return None
    last = raw.iloc[-1]
    if pd.api.types.is_datetime64_any_dtype(raw) or isinstance(
        last, (pd.Timestamp, np.datetime64, datetime.date)
    ):
        return f"{pd.Timestamp(last):%d %b %Y}"
    nums = pd.to_numeric(raw, errors="coerce")
    if nums.notna().all():
        return _num(float(nums.iloc[-1]))
    when = pd.to_datetime(raw, errors="coerce")
    return f"{when.iloc[-1]:%d %b %Y}" if when.notna().all() else plain_text(raw.iloc[-1])


def _numbers(v) -> np.ndarray:
    return pd.to_numeric(pd.Series(_values(v)), errors="coerce").to_numpy(dtype=float)


def _listed(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_ITEMS])
    return shown + (f" and {len(items) - MAX_ITEMS} more" if len(items) > MAX_ITEMS else "")


def _axis_title(fig: go.Figure, axis: str) -> str:
    ax = getattr(fig.layout, axis, None)
    return plain_text(ax.title.text) if ax is not None and ax.title and ax.title.text else ""


def _noun(fig: go.Figure) -> str:
    # A builder may name what its bars or points are (``layout.meta["items"]``: "portfolios").
    meta = fig.layout.meta
    return plain_text(meta.get("items", "")) if isinstance(meta, dict) else ""


def _bars(fig: go.Figure, traces: list) -> str:
    horizontal = traces[0].orientation == "h"
    cat_key, val_key = ("y", "x") if horizontal else ("x", "y")
    categories: list[str] = []
    totals = []
    for t in traces:
        cats = [plain_text(c) for c in _values(getattr(t, cat_key))]
        categories += [c for c in cats if c not in categories]
        vals = _numbers(getattr(t, val_key))
        totals.append(f"{plain_text(t.name) or 'value'} {_num(np.nansum(vals))}")
    noun = _noun(fig) or _axis_title(fig, f"{cat_key}axis") or "categories"
    what = f"{len(categories)} {noun}"
    if len(categories) <= 3:
        what += f" ({'; '.join(categories)})"
    unit = _axis_title(fig, f"{val_key}axis")
    label = "totals" + (f" ({unit})" if unit else "")
    return f"{what}; {label}: {_listed(totals)}"


def _lines(fig: go.Figure, traces: list) -> str:
    xs = pd.Series(np.concatenate([_values(t.x) for t in traces]))
    dates = pd.to_datetime(xs, errors="coerce")
    if dates.notna().all() and len(dates):
        first, last = f"{dates.min():%d %b %Y}", f"{dates.max():%d %b %Y}"
        span = f"on {first}" if first == last else f"from {first} to {last}"
    else:
        span = f"over {xs.nunique()} values of {_axis_title(fig, 'xaxis') or 'x'}"
    latest = []
    for t in traces:
        last = _last(t.y)
        if last is not None and t.name and t.showlegend is not False:
            latest.append(f"{plain_text(t.name)} {last}")
    text = f"{len(traces)} series {span}"
    return text + (f"; latest: {_listed(latest)}" if latest else "")


def _points(fig: go.Figure, traces: list) -> str:
    n = 0
    groups = []
    for t in traces:
        x, y = pd.Series(_values(t.x)), pd.Series(_values(t.y))
        k = int((x.notna() & y.notna()).sum()) if len(x) == len(y) else len(x)
        n += k
        if k and t.name:
            groups.append(f"{k} {plain_text(t.name)}")
    text = f"{n} {_noun(fig) or 'points'}"
    if len(groups) > 1:
        text += f" ({_listed(groups)})"
    axes = [a for a in (_axis_title(fig, "xaxis"), _axis_title(fig, "yaxis")) if a]
    return text + (f"; x: {axes[0]}" if axes else "") + (f", y: {axes[1]}" if len(axes) > 1 else "")


def describe(fig: go.Figure) -> str:
    """``Bar chart, RAG by portfolio: 4 portfolios; totals (projects): ■ Red 6, ...``.

    A builder whose traces do not say what a reader needs (a milestone chart: 27 milestones
    drawn as 9 series and helper lines) puts its own sentence in ``layout.meta["summary"]``."""
    title = plain_text(fig.layout.title.text if fig.layout.title else "") or "untitled chart"
    meta = fig.layout.meta
    if isinstance(meta, dict) and meta.get("summary"):
        return f"{meta.get('kind', 'Chart')}, {title}: {plain_text(meta['summary'])}."
    traces = [t for t in fig.data if t.visible in (None, True)]
    bars = [t for t in traces if t.type == "bar"]
    scatters = [t for t in traces if t.type in ("scatter", "scattergl")]
    # Series a reader follows: lines in the legend (not helper lines such as a baseline).
    lines = [t for t in scatters if t.mode and "lines" in t.mode and t.showlegend is not False]
    if bars:
        stacked = fig.layout.barmode == "stack" and len(bars) > 1
        bars = [t for t in bars if t.showlegend is not False]
        return f"{'Stacked bar' if stacked else 'Bar'} chart, {title}: {_bars(fig, bars)}."
    if lines and len(lines) >= len(scatters) / 2:
        kind = "Area" if any(t.stackgroup for t in lines) else "Line"
        return f"{kind} chart, {title}: {_lines(fig, lines)}."
    if scatters:
        bubble = any(
            t.marker is not None and t.marker.size is not None and not np.isscalar(t.marker.size)
            for t in scatters
        )
        return f"{'Bubble' if bubble else 'Scatter'} chart, {title}: {_points(fig, scatters)}."
    kinds = sorted({t.type for t in traces})
    return f"Chart, {title}: {len(traces)} trace(s) ({', '.join(kinds) or 'none'})."
