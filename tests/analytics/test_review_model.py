"""The review model (analytics.review) returns what the analytics functions return when called
directly, on the sample portfolio as the store reads it, for several dates, compare dates and
filters; and it never writes into the frames it shares with every session."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analytics import changes, governance, portfolio, quality, risk, roadmap
from analytics import project as proj
from analytics.review import Review, filter_key
from config import get_config

# (review date, compare date, filters): the latest week against the previous one, an earlier
# week against a date four weeks before it with a filter, and the first week (nothing before).
CASES = [
    ("2026-11-20", "previous", {}),
    ("2026-10-02", "2026-09-04", {"portfolio": ["Customer & Growth"]}),
    ("2026-05-29", "previous", {"stage": []}),
]


def _same(a, b) -> None:
    """Equal results: frames and series cell by cell, dicts key by key, NaN equal to NaN."""
    if isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, float) and math.isnan(a):
        assert isinstance(b, float) and math.isnan(b)
    else:
        assert a == b


def _fingerprint(frames: dict[str, pd.DataFrame]) -> dict[str, int]:
    return {
        name: int(pd.util.hash_pandas_object(f, index=True).sum()) + hash(tuple(f.columns))
        for name, f in frames.items()
    }


@pytest.mark.parametrize(("when", "compare", "filters"), CASES)
@pytest.mark.slow
def test_review_equals_the_analytics_it_calls(frames, when, compare, filters):
    config = get_config()
    before = _fingerprint(frames)
    rv = Review(frames, config, when, compare, filters)
    review = pd.Timestamp(when)
    dates = portfolio.review_dates(frames["status_reports"])
    compare_date = (
        portfolio.previous_review(dates, review) if compare == "previous" else pd.Timestamp(compare)
    )
    assert rv.compare_date == compare_date
    assert (rv.compare_date is None) == (when == "2026-05-29")

    # snapshots, comparison, tiles, needs attention and narrative (This week, Health, deck)
    snap = portfolio.snapshot(frames, review, config, filters)
    _same(rv.snapshot, snap)
    assert rv.snapshot is rv.snapshot  # computed once, then kept
    direct = changes.compare(frames, review, compare_date, config, filters)
    _same(rv.comparison.changes, direct.changes)
    if compare_date is None:
        assert rv.compare_snapshot is None and rv.compare_kpis is None
    else:
        assert not rv.comparison.changes.empty
        _same(rv.compare_snapshot, direct.before)
        _same(rv.compare_kpis, portfolio.kpis(direct.before, config))
    _same(rv.kpis, portfolio.kpis(snap, config))
    _same(rv.headline, changes.headline(frames, direct, config))
    _same(rv.needs_attention, changes.needs_attention(direct, config))
    assert rv.narrative == changes.narrative(direct, config)
    assert rv.source == portfolio.source_note(snap, frames["uploads"])

    # health: the trend runs over the reporting dates up to the review date
    weeks = [d for d in dates if d <= review]
    _same(rv.rag_trend, portfolio.rag_trend(frames, weeks, config, filters))
    assert rv.rag_trend["report_date"].max() == review
    _same(rv.exceptions, portfolio.exceptions(snap))
    _same(rv.rag_by_programme, portfolio.rag_by(snap, "programme"))

    # risks: the register, one filtered view with its trend and new/closed risks
    rules = config.risk
    _same(rv.risk_register, risk.register_on(frames["risks"], review, rules, snap["project_id"]))
    options = rv.risk_options
    view = rv.risks(options["category"][:2], [], [], "residual")
    flt = risk.RiskFilter(snap["project_id"].tolist(), options["category"][:2])
    reg = flt.apply(risk.register_on(frames["risks"], review, rules, snap["project_id"]))
    _same(view.register, reg)
    assert len(view.register) > 0
    _same(view.exposure, risk.exposure_vs_contingency(snap, reg, "residual"))
    _same(view.cells, risk.matrix_cells(reg, rules, "residual"))
    _same(view.trend, risk.band_trend(frames["risks"], weeks, rules, flt, "residual"))
    _same(
        view.new_and_closed("medium"),
        risk.new_and_closed(frames["risks"], compare_date, review, rules, "medium", flt),
    )
    assert rv.risks(options["category"][:2], [], [], "residual") is view

    # governance
    scored, breakdown = governance.scores(frames, snap, review, config)
    _same(rv.scores, scored)
    _same(rv.score_breakdown, breakdown)
    comp = governance.compliance(frames, snap, review, config)
    _same(rv.compliance, comp)
    _same(rv.decision_log, governance.decision_log(frames, review, snap["project_id"]))

    # data quality
    found = quality.findings(frames, config, upto=review)
    _same(rv.all_findings, found)
    _same(rv.reporting, quality.reporting(frames, review, config, filters))
    _same(rv.quality_scores, quality.project_scores(frames, found, review, config, filters))
    _same(rv.upload_scores, quality.upload_scores(frames, found, upto=review))
    assert set(rv.findings["project_id"]) <= set(snap["project_id"])

    # roadmap
    road = roadmap.roadmap(snap, config, "portfolio", "slip")
    _same(rv.roadmap("portfolio", "slip").rows, road.rows)
    _same(rv.roadmap("portfolio", "slip").summary, road.summary)
    _same(rv.roadmap_marks, roadmap.marks(frames, snap["project_id"], review, config))
    _same(rv.roadmap_slips, roadmap.slipped_since(snap, rv.compare_snapshot))

    # the frames are shared by every session: nothing above wrote into them
    assert _fingerprint(frames) == before


def test_project_view_equals_the_project_analytics(frames):
    config = get_config()
    review = pd.Timestamp("2026-11-20")
    rv = Review(frames, config, review, filters={})
    pid = "PRJ-0010"
    view = rv.project(pid)
    assert rv.project(pid) is view
    one = portfolio.snapshot(frames, review, config)
    one = one[one["project_id"] == pid]
    scored, breakdown = governance.scores(frames, one, review, config)
    # Its row of the whole portfolio's scores: same values; a categorical column's categories
    # are the portfolio's, not one project's, so dtypes are not compared.
    for mine, alone in ((view.scores, scored), (view.score_breakdown, breakdown)):
        pd.testing.assert_frame_equal(
            mine.reset_index(drop=True),
            alone.reset_index(drop=True),
            check_dtype=False,
            check_categorical=False,
        )
    _same(view.evm, proj.evm_series(frames, pid, review))
    _same(view.milestones, proj.milestone_trend(frames["milestones"], pid, review))
    _same(view.risks, proj.project_risks(frames["risks"], pid, review, config))
    _same(view.decisions, proj.project_decisions(frames, pid, review))


def test_filters_are_one_key_whatever_their_order():
    assert filter_key({"stage": [], "portfolio": ["B", "A"]}) == (("portfolio", ("A", "B")),)
    assert filter_key({}) == filter_key(None) == filter_key({"sponsor": []}) == ()
