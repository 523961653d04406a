"""Readability helpers of the chart layer, without a browser: long names shortened on axes but
kept whole for hover and clicks, the one slide layout both exports draw, the text summary."""

from __future__ import annotations

from html import unescape

import pandas as pd
import plotly.graph_objects as go
import pytest

from charts import health, project, risk
from charts.summary import describe
from charts.template import (
    EXPORT_HEIGHT,
    EXPORT_SCALE,
    EXPORT_WIDTH,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    TITLE_WIDTH,
    apply,
    export_layout,
    short_label,
    with_provenance,
)
from ui.components import chart_config

PORTFOLIO = "Corporate & Compliance — Group-wide Change Portfolio"


def test_short_label_wraps_cuts_and_escapes():
    assert short_label("Short name") == "Short name"
    label = short_label(PORTFOLIO)
    lines = label.split("<br>")
    assert lines == ["Corporate &amp; Compliance —", "Group-wide Change…"]
    assert short_label(PORTFOLIO, lines=1) == "Corporate &amp; Compliance…"
    assert short_label(PORTFOLIO, lines=3) == (
        "Corporate &amp; Compliance —<br>Group-wide Change<br>Portfolio"
    )
    # One very long word is broken rather than left to run off the edge.
    assert all(len(x) <= 24 for x in short_label("X" * 60).split("<br>"))
    assert "<b>" not in short_label("<b>bold</b> portfolio")


def _counts(names: list[str], group: str = "portfolio") -> pd.DataFrame:
    rows = [(n, rag, k) for n in names for rag, k in (("Red", 2), ("Amber", 1), ("Green", 9))]
    return pd.DataFrame(rows, columns=[group, "rag", "projects"])


def test_rag_by_group_shows_short_names_and_keeps_full_ones_for_hover():
    names = [PORTFOLIO, "Customer & Growth — Group-wide Change Portfolio", "Ops"]
    fig = health.rag_by_group(_counts(names), "portfolio")
    axis = fig.layout.yaxis
    # Axes push the margins out for long labels; their titles keep a gap from the labels.
    template = fig.layout.template.layout
    assert template.yaxis.automargin and template.xaxis.automargin
    assert template.yaxis.title.standoff >= 10
    assert axis.type == "category"
    assert list(axis.tickvals) == [n.replace("&", "&amp;") for n in names]
    lines = [unescape(line) for t in axis.ticktext for line in t.split("<br>")]
    assert all(len(line) <= 24 for line in lines)
    # The bars keep the full (escaped) name: hover shows it whole.
    assert fig.data[0].y[0] == "Corporate &amp; Compliance — Group-wide Change Portfolio"
    assert "%{y}" in fig.data[0].hovertemplate


def _exposure() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": ["PRJ-0001", "PRJ-0002"],
            "name": ["CRM Replacement Phase 1 — Implementation Workstream", "ERP <b>Upgrade</b>"],
            "exposure": [2e6, 0.5e6],
            "remaining": [1e6, 1e6],
            "headroom": [-1e6, 0.5e6],
            "exceeds": [True, False],
            "currency": ["GBP", "GBP"],
        }
    )


def test_exposure_chart_names_projects_and_keeps_the_id_first_for_clicks():
    fig = risk.exposure_vs_contingency(_exposure())
    ticks = dict(zip(fig.layout.yaxis.tickvals, fig.layout.yaxis.ticktext, strict=True))
    assert ticks["PRJ-0001"] == "⚠ CRM Replacement Phase 1…"
    assert ticks["PRJ-0002"] == "ERP &lt;b&gt;Upgrade&lt;/b&gt;"
    for trace in fig.data:
        ids = [row[0] for row in trace.customdata]
        assert ids == list(trace.y)  # click-through (ui.page.open_project_on_click) reads [0]
        assert "%{customdata[1]} (%{customdata[3]})" in trace.hovertemplate  # name (id)


def _milestones(n: int) -> pd.DataFrame:
    days = pd.date_range("2026-10-02", periods=3, freq="7D")
    rows = []
    for i in range(n):
        base = pd.Timestamp("2027-01-01") + pd.Timedelta(days=7 * i)
        for j, d in enumerate(days):
            slip = 7 * i if j == 2 else 0
            rows.append(
                {
                    "milestone_id": f"M{i + 1}",
                    "name": f"Milestone number {i + 1} with a long descriptive name",
                    "report_date": d,
                    "due": base + pd.Timedelta(days=slip),
                    "original_baseline": base,
                    "baseline_date": base + pd.Timedelta(days=slip),
                    "rebaselined": j == 2 and i % 2 == 0,
                    "slip_days": slip,
                }
            )
    return pd.DataFrame(rows)


def test_milestone_trend_marks_rebaselines_without_stacked_text():
    fig = project.milestone_trend(_milestones(4))
    assert not any(t.mode and "text" in t.mode for t in fig.data)
    marks = [t for t in fig.data if t.marker and t.marker.symbol == "x"]
    assert len(marks) == 2 and [t.showlegend for t in marks] == [True, False]
    assert {t.legendgroup for t in marks} == {"rebaselined"}


def test_a_long_plan_names_the_milestones_that_slipped_most():
    fig = project.milestone_trend(_milestones(27))
    legend = [t.name for t in fig.data if t.showlegend is not False]
    named = [n for n in legend if n.startswith("M")]
    # The 8 with the largest slip (M27 … M20), each cut to one line; the rest grey, on hover.
    assert sorted(n.split()[0] for n in named) == sorted(f"M{i}" for i in range(20, 28))
    assert all("<br>" not in n and len(n) <= 32 for n in named)
    assert "19 other milestones (hover for names)" in legend
    assert len(legend) <= 12


def test_chart_titles_fit_one_line_of_a_narrow_column():
    figs = [
        health.rag_by_group(_counts([PORTFOLIO], "programme"), "programme"),
        risk.exposure_vs_contingency(_exposure()),
        project.milestone_trend(_milestones(3)),
        health.value_risk_bubble(
            pd.DataFrame(
                {
                    "project_id": ["P1", "P2"],
                    "name": ["A", "B"],
                    "currency": ["GBP", "EUR"],
                    "display_rag": ["Red", "Green"],
                    "exposure": [1e6, 2e6],
                    "budget": [5e6, 1e6],
                    "value_score": [7, 3],
                }
            )
        ),
    ]
    for fig in figs:
        assert "<br>" not in fig.layout.title.text
        assert len(fig.layout.title.text) <= TITLE_WIDTH


def test_camera_and_download_png_draw_the_same_slide_layout():
    fig = apply(go.Figure(go.Bar(x=[1], y=[2])), "Chart", "how to read it")
    out = export_layout(fig, "2026-11-20", "status reports (book.xlsx)")
    assert (out.layout.width * EXPORT_SCALE, out.layout.height * EXPORT_SCALE) == (
        SLIDE_WIDTH,
        SLIDE_HEIGHT,
    )
    camera = chart_config("chart")["toImageButtonOptions"]
    assert (camera["width"], camera["height"], camera["scale"]) == (
        EXPORT_WIDTH,
        EXPORT_HEIGHT,
        EXPORT_SCALE,
    )
    # The note stays; the as-of/source line follows it. The screen figure carries the same line.
    assert out.layout.title.subtitle.text == (
        "how to read it<br>as of 2026-11-20 · source: status reports<br>(book.xlsx)"
    )
    shown = with_provenance(fig, "2026-11-20", "status reports (book.xlsx)")
    assert shown.layout.title.subtitle.text == out.layout.title.subtitle.text
    assert fig.layout.title.subtitle.text == "how to read it"  # the cached figure is untouched


@pytest.mark.parametrize(
    ("fig", "expected"),
    [
        (
            health.rag_by_group(_counts([PORTFOLIO, "B", "C", "D"]), "portfolio"),
            "Stacked bar chart, RAG by portfolio: 4 portfolios; totals (projects): "
            "■ Red 8, ▲ Amber 4, ● Green 36, ○ Grey 0.",
        ),
        (
            risk.exposure_vs_contingency(_exposure()),
            "Bar chart, Exposure vs contingency: 2 projects: 2 projects (PRJ-0002; PRJ-0001); "
            "totals (£ millions): exposure (probability × cost) 2.50, remaining contingency 2.",
        ),
    ],
)
def test_describe_summarises_bars(fig, expected):
    assert describe(fig) == expected


def test_describe_summarises_lines_and_points():
    trend = pd.DataFrame(
        {
            "report_date": pd.to_datetime(["2026-11-13", "2026-11-20"] * 2),
            "rag": ["Red", "Red", "Green", "Green"],
            "projects": [3, 5, 10, 9],
        }
    )
    assert describe(health.rag_trend(trend)) == (
        "Area chart, RAG trend over the weeks: 4 series from 13 Nov 2026 to 20 Nov 2026; "
        "latest: ■ Red 5, ● Green 9."
    )
    fig = go.Figure(go.Scatter(x=[1, 2, None], y=[3, 4, 5], mode="markers", name="p"))
    fig.update_layout(title="<b>Dots</b> &amp; more", xaxis_title="x", yaxis_title="y")
    assert describe(fig) == "Scatter chart, Dots & more: 2 points; x: x, y: y."
    assert describe(go.Figure()) == "Chart, untitled chart: 0 trace(s) (none)."


def test_a_long_plan_is_one_grey_group_and_its_summary_is_a_sentence():
    fig = project.milestone_trend(_milestones(27))
    grey = [t for t in fig.data if t.legendgroup == "others"]
    assert len(grey) == 1  # one trace for the 19, not 19 (main: 19 traces of the same name)
    text = describe(fig)
    # main: "201 points (1 25 other milestones (hover for names), 1 25 …"
    assert text == (
        "Line chart, Milestone trend: 27 milestones; the 8 that slipped most are named, the "
        "other 19 grey; most slipped: M27 182 days late, M26 175 days late, M25 168 days "
        "late; 14 re-baselined."
    )


def test_a_single_review_date_draws_points_on_a_date_axis():
    trend = pd.DataFrame(
        {
            "report_date": [pd.Timestamp("2023-03-30")] * 4,
            "rag": ["Red", "Amber", "Green", "Grey"],
            "projects": [1, 2, 3, 0],
        }
    )
    fig = health.rag_trend(trend)
    # main: lines of one point (nothing drawn) on an axis zoomed to a millisecond
    assert all("markers" in t.mode for t in fig.data)
    assert fig.layout.xaxis.tickformat == "%d %b %Y"
    assert list(fig.layout.xaxis.tickvals) == [pd.Timestamp("2023-03-30")]
    low, high = (pd.Timestamp(v) for v in fig.layout.xaxis.range)
    assert high - low == pd.Timedelta(days=14)
    assert "on 30 Mar 2023" in describe(fig)


def test_rag_chips_carry_shape_and_word():
    strip = pd.DataFrame(
        {
            "report_date": [pd.Timestamp("2026-11-13")] * 2 + [pd.Timestamp("2026-11-20")] * 2,
            "dimension": ["Overall", "Cost"] * 2,
            "rag": ["Grey", "Green", "Amber", "Red"],
        }
    )
    chips = {t.name: set(t.text) for t in project.rag_strip(strip).data}
    # main: "○ G" beside "● G"
    assert chips == {
        "○ Grey": {"○<br>Grey"},
        "● Green": {"●<br>Green"},
        "▲ Amber": {"▲<br>Amber"},
        "■ Red": {"■<br>Red"},
    }
