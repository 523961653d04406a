"""The quadrant that separates projects: continuous execution health (a healthy portfolio
spreads), stale projects never healthy, ties spread apart, the projects that matter named,
labels clear of each other and inside the plot, on screen and on the slide."""

import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

import models
from analytics import governance as g
from analytics import portfolio
from charts import governance as cg
from charts.template import RAG_COLOURS, chart_text
from config import Config, Governance, parse_config

REVIEW = pd.Timestamp("2026-11-20")


def _frames(**tables) -> dict[str, pd.DataFrame]:
    names = ("projects", "status_reports", "risks", "milestones", "decisions", "raid_items")
    return {n: models.conform(n, pd.DataFrame(tables.get(n, []))) for n in names}


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    import store
    from sample_data import write_sample

    path = tmp_path_factory.mktemp("quad") / "sample.db"
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine)
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def scored(sample):
    config = Config()
    snap = portfolio.snapshot(sample, REVIEW, config)
    return g.scores(sample, snap, REVIEW, config)[0]


def shared_positions(x, y) -> int:
    """Projects whose rounded (x, y) another project shares."""
    pos = pd.Series(list(zip(np.round(x), np.round(y), strict=True)))
    return int((pos.map(pos.value_counts()) > 1).sum())


# --- the trend input --------------------------------------------------------------------------


def _report(pid, date, pv, ev, ac):
    return {"project_id": pid, "report_date": date, "overall_rag": "Green", "planned_value": pv,
            "earned_value": ev, "actual_cost": ac}  # fmt: skip


def test_index_trend_over_the_last_reports():
    dates = pd.date_range("2026-10-16", periods=6, freq="7D")
    # SPI .90 -> 1.00 in steps of .02; CPI 1.0 throughout
    rows = [_report("A", d, 100, 90 + 2 * i, 90 + 2 * i) for i, d in enumerate(dates)]
    rows += [_report("B", dates[-1], 100, 100, 100)]  # one report: no trend
    rows += [_report("C", dates[0], 100, 100, 100), _report("C", dates[1], 100, 95, 100)]
    frames = _frames(status_reports=rows)
    t = g.index_trend(frames["status_reports"], dates[-1], 4).set_index("project_id")
    # four reports back from the last: report 1 (SPI .92) to report 5 (1.00); CPI unchanged
    assert t.loc["A", "spi_change"] == pytest.approx(0.08)
    assert t.loc["A", "cpi_change"] == pytest.approx(0.0)
    assert t.loc["A", "trend_change"] == pytest.approx(0.04)
    assert t.loc["A", "trend_from"] == dates[1] and t.loc["A", "trend_span"] == 4
    assert math.isnan(t.loc["B", "trend_change"])
    assert t.loc["C", "trend_change"] == pytest.approx(-0.05) and t.loc["C", "trend_span"] == 1
    # reports after the review date do not count
    early = g.index_trend(frames["status_reports"], dates[2], 4).set_index("project_id")
    assert early.loc["A", "spi_change"] == pytest.approx(0.04)  # .90 -> .94


@pytest.mark.parametrize(("change", "points"), [(0, 50), (0.025, 75), (0.1, 100), (-0.05, 0)])
def test_trend_points(change, points):
    assert g.trend_points(change, 0.05) == pytest.approx(points)


def test_bad_scales_are_refused_readably():
    with pytest.raises(ValueError, match="index_full must be above index_floor"):
        parse_config({"governance": {"index_full": 0.7}})
    with pytest.raises(ValueError, match="trend_full_change"):
        parse_config({"governance": {"trend_full_change": 0}})
    assert parse_config({"governance": {"label_count": 3}}).governance.label_count == 3


# --- the sample: spread, stale projects --------------------------------------------------------


def test_healthy_portfolio_spreads(scored):
    health = scored["last_known_health"]
    # the old score put 38 of 60 at exactly 100; continuous inputs leave none there
    assert (health.round() >= 100).sum() == 0
    healthy = scored[scored["quadrant"] == g.PROTECT]["execution_health"]
    assert healthy.max() - healthy.min() >= 10 and healthy.std() >= 3
    assert healthy.round().value_counts().max() <= len(healthy) // 4  # no pile on one value
    assert shared_positions(health, scored["governance_value"]) <= 4


def test_a_project_that_has_not_reported_cannot_score_healthy(scored):
    stale = scored[scored["not_reported"]]
    assert len(stale) == 3  # the sample's three projects whose reports stopped
    assert (stale["quadrant"] == g.NOT_REPORTED).all()
    assert stale["execution_health"].isna().all()
    # its last report scored healthy: kept for the grey bubble, not counted
    assert (stale["last_known_health"] >= Governance().health_threshold).all()
    assert stale["health_why"].str.startswith("NOT REPORTED since").all()
    counts = g.quadrant_counts(scored).set_index("quadrant")
    assert counts.loc[g.NOT_REPORTED, "projects"] == 3
    no_findings = {"compliance_pct": float("nan")}
    summary = g.lens_summary(scored, pd.DataFrame(), pd.DataFrame(), no_findings, Config())
    lens = dict(summary["execution"])
    healthy = (scored["execution_health"] >= Governance().health_threshold).sum()
    assert lens["healthy (≥ 70)"].startswith(f"{healthy} of 60")
    assert not (scored[scored["quadrant"] == g.PROTECT]["not_reported"]).any()


def test_stale_on_a_hand_built_snapshot():
    frames = _frames(
        status_reports=[_report("A", "2026-10-02", 100, 100, 100),
                        _report("B", "2026-11-20", 100, 100, 100)],
        projects=[{"project_id": p, "name": p, "strategic_score": 8, "value_score": 8,
                   "budget": 100.0, "benefits_planned": 300.0} for p in "AB"],
    )  # fmt: skip
    config = Config()
    snap = portfolio.snapshot(frames, REVIEW, config)
    out = g.scores(frames, snap, REVIEW, config)[0].set_index("project_id")
    assert out.loc["A", "quadrant"] == g.NOT_REPORTED and math.isnan(
        out.loc["A", "execution_health"]
    )
    assert out.loc["B", "quadrant"] == g.PROTECT
    # same inputs, same last known score: only the staleness differs
    assert out.loc["A", "last_known_health"] == pytest.approx(out.loc["B", "execution_health"])


# --- ties spread ---------------------------------------------------------------------------------


def test_ties_spread_apart_deterministically():
    x = [100.0] * 12 + [50.0, 50.0, 20.0]
    y = [60.0] * 12 + [40.0, 40.0, 20.0]
    sx, sy = cg.spread_ties(x, y)
    for i, j in combinations(range(len(x)), 2):
        assert math.hypot(sx[i] - sx[j], sy[i] - sy[j]) >= cg.TIE_GAP - 1e-9
    assert (sx[0], sy[0]) == (100.0, 60.0) and (sx[14], sy[14]) == (20.0, 20.0)
    assert np.all(sx <= cg.AXIS[1]) and np.all(np.hypot(sx - x, sy - y) < 8)
    again = cg.spread_ties(x, y)
    assert np.array_equal(again[0], sx) and np.array_equal(again[1], sy)


def test_a_crowded_quadrant_never_moves_a_bubble_far_from_its_scores():
    """2,000 projects scored within a few points of each other: there is not room for all at
    TIE_GAP apart, so the ones that find no free spot within MAX_NUDGE stay at their scores."""
    rng = np.random.default_rng(7)
    x = 70 + rng.normal(0, 3, 2000)
    y = 60 + rng.normal(0, 3, 2000)
    sx, sy = cg.spread_ties(x, y)
    assert np.hypot(sx - x, sy - y).max() <= cg.MAX_NUDGE + 1e-9
    assert (np.hypot(sx - x, sy - y) > 0).sum() > 100  # ties were still spread where room was


# --- the projects that are named --------------------------------------------------------------


def _scored_row(pid, health, budget, quadrant, name=None):
    return {"project_id": pid, "name": name or f"Project {pid}", "execution_health": health,
            "governance_value": 60.0, "budget": budget, "currency": "GBP",
            "quadrant": quadrant}  # fmt: skip


def test_labels_chosen_moved_worst_largest_in_turn():
    now = pd.DataFrame(
        [
            _scored_row("A", 90, 1e6, g.PROTECT),
            _scored_row("B", 20, 2e6, g.INTERVENE),  # worst
            _scored_row("C", 30, 3e6, g.INTERVENE),  # second worst
            _scored_row("D", 85, 9e6, g.PROTECT),  # largest
            _scored_row("E", 60, 5e6, g.INTERVENE),  # moved from protect
            _scored_row("F", 80, 8e6, g.PROTECT),  # second largest
        ]
    )
    before = now.assign(quadrant=[g.PROTECT, g.INTERVENE, g.INTERVENE, g.PROTECT, g.PROTECT,
                                  g.PROTECT])  # fmt: skip
    picks = g.label_picks(now, before, 4, Config())
    assert picks["project_id"].tolist() == ["E", "B", "D", "C"]
    why = dict(zip(picks["project_id"], picks["why"], strict=True))
    assert why["E"].startswith("moved from protect and accelerate")
    assert "lowest execution health" in why["B"] and "largest budget" in why["D"]
    assert g.label_picks(now, before, 0, Config()).empty
    # no compare date: nothing moved, the other two lists take turns
    assert g.label_picks(now, None, 3, Config())["project_id"].tolist() == ["B", "D", "C"]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Short name", "Short name"),
        ("Enterprise Resource Planning Consolidation Programme", "Enterprise Resource…"),
        ("Averyveryverylongsinglewordprojectname", "Averyveryverylongsing…"),
        ("Data Platform Phase 1 — Implementation Workstream", "Data Platform Phase 1…"),
        ("CRM: a very long description of the project", "CRM: a very long…"),  # head < 8
    ],
)
def test_short_label(name, short):
    assert cg.short_label(name, 22) == short
    assert len(cg.short_label(name, 22)) <= 22


def test_labels_that_would_read_the_same_carry_the_id():
    names = ["Data Platform Phase 1 — Implementation Workstream",
             "Data Platform Phase 2 — Implementation Workstream",
             "Data Platform Migration Programme Phase 1", "Short"]  # fmt: skip
    texts = cg.label_texts(names, ["PRJ-0002", "PRJ-0014", "PRJ-0020", "PRJ-0030"], 22)
    # the digit that tells the phases apart survives the cut
    assert texts[:2] == ["Data Platform Phase 1…", "Data Platform Phase 2…"]
    assert texts[3] == "Short"
    same = cg.label_texts(["Warehouse Robotics Phase 1 — A", "Warehouse Robotics Phase 1 — B"],
                          ["PRJ-0008", "PRJ-0028"], 22)  # fmt: skip
    assert same == ["Warehouse… PRJ-0008", "Warehouse… PRJ-0028"]


# --- the figure -----------------------------------------------------------------------------------


def _label_boxes(fig, look):
    """The named labels' pixel boxes in the figure's own geometry (the narrowest plot)."""
    span = cg.AXIS[1] - cg.AXIS[0]
    out = []
    for a in fig.layout.annotations:
        if not (a.name or "").startswith("label "):
            continue
        w, h = cg.text_box(a.text, look.label_font)
        cx = (a.ax - cg.AXIS[0]) / span * look.plot_width
        cy = (a.ay - cg.AXIS[0]) / span * look.plot_height
        out.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    return out


@pytest.mark.parametrize("slide", [False, True])
def test_figure_labels_clear_and_inside(sample, slide):
    config = Config()
    snap = portfolio.snapshot(sample, REVIEW, config)
    before_date = portfolio.review_dates(sample["status_reports"])[-5]
    scored = g.scores(sample, snap, REVIEW, config)[0]
    before_snap = portfolio.snapshot(sample, before_date, config)
    before = g.scores(sample, before_snap, before_date, config)[0]
    fig = cg.quadrant(scored, config.governance, before, slide=slide, config=config)
    look = cg.SLIDE if slide else cg.SCREEN
    boxes = _label_boxes(fig, look)
    assert 5 <= len(boxes) <= config.governance.label_count
    for b in boxes:
        assert b[0] >= 0 and b[1] >= 0 and b[2] <= look.plot_width and b[3] <= look.plot_height
    for a, b in combinations(boxes, 2):
        assert not cg._overlaps(a, b, pad=0), (a, b)
    # every bubble: project id first in customdata (the click-through reads it), name on hover
    bubbles = fig.data[-1]  # one trace, drawn last; the legend entries before it are empty
    assert all(t.x == (None,) for t in fig.data[:-1])
    ids = [c[0] for c in bubbles.customdata]
    assert len(ids) == 60 and all(str(i).startswith("PRJ-") for i in ids)  # stale ones too
    assert all(chart_text(name) in text for name, text in zip(
        bubbles.customdata[:, 1], bubbles.hovertext, strict=True))  # fmt: skip
    grey = [t for t in fig.data if "Grey" in t.name]
    assert len(grey) == 1 and "not reported" in grey[0].name
    stale = set(scored.loc[scored["not_reported"], "project_id"])
    colours = dict(zip(ids, bubbles.marker.color, strict=True))
    assert len(stale) == 3 and {colours[p] for p in stale} == {RAG_COLOURS["Grey"]}
    # biggest first: a small bubble is drawn over a big one, never under it
    sizes = np.asarray(bubbles.marker.size)
    assert (np.diff(sizes) <= 0).all()
    # no two bubbles on the same spot
    assert shared_positions(np.asarray(bubbles.x) * 2, np.asarray(bubbles.y) * 2) == 0
    # on the sample there is room for every label off the bubbles
    span = cg.AXIS[1] - cg.AXIS[0]
    bx = (np.asarray(bubbles.x) - cg.AXIS[0]) / span * look.plot_width
    by = (np.asarray(bubbles.y) - cg.AXIS[0]) / span * look.plot_height
    assert all(cg._circles_hit(b, bx, by, sizes / 2) == 0 for b in boxes)
    if slide:
        assert sizes.max() == cg.SLIDE.max_diameter
        assert fig.layout.font.size >= 18


def test_long_names_are_shortened_with_the_full_name_on_hover(sample):
    config = Config()
    snap = portfolio.snapshot(sample, REVIEW, config)
    snap = snap.assign(name="Strategic Enterprise Transformation Initiative " + snap["project_id"])
    scored = g.scores(sample, snap, REVIEW, config)[0]
    fig = cg.quadrant(scored, config.governance, None, config=config)
    labels = [a.text for a in fig.layout.annotations if (a.name or "").startswith("label ")]
    assert labels and all(len(t) <= config.governance.label_chars for t in labels)
    assert all("…" in t for t in labels)
    # every name starts the same: the labels tell them apart by id
    assert len(set(labels)) == len(labels) and all("PRJ-" in t for t in labels)
    hover = " ".join(fig.data[-1].hovertext)
    assert "Strategic Enterprise Transformation Initiative PRJ-0001" in hover


def test_place_labels_in_a_crowd():
    look = cg.SCREEN
    rng = np.random.default_rng(7)
    px = rng.uniform(400, 540, 40)  # a dense cluster at the right
    py = rng.uniform(150, 300, 40)
    radius = np.full(40, 8.0)
    texts = ["Some project name long"] * 10
    spots = cg.place_labels(px, py, radius, list(range(10)), texts, look, [])
    assert len(spots) >= 8
    w, h = cg.text_box(texts[0], look.label_font)
    boxes = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for x, y in spots.values()]
    for a, b in combinations(boxes, 2):
        assert not cg._overlaps(a, b, pad=0)
    assert all(b[0] >= 0 and b[2] <= look.plot_width for b in boxes)


def test_a_project_without_a_name_is_labelled_by_its_id():
    rows = [_scored_row(f"P{i}", 30 + i, 1e6 * (i + 1), g.INTERVENE) for i in range(3)]
    df = pd.DataFrame(rows).assign(
        name=[None, "Named", None], display_rag="Red", value_why="", health_why="",
        last_known_health=float("nan"),
    )  # fmt: skip
    fig = cg.quadrant(df, Governance(label_count=3), None, config=Config())
    labels = sorted(a.text for a in fig.layout.annotations if (a.name or "").startswith("label "))
    assert labels == ["Named", "P0", "P2"]
    assert "<b>P0</b>" in " ".join(fig.data[-1].hovertext)
