"""What several pages and the deck show, computed once in the review model: the headline
figures' changes (Portfolio health's tiles, the deck's headline slide), the sentence under a
money total when currencies mix (Portfolio health, Risks) and the deck's top open risks."""

from __future__ import annotations

import math

import pytest

from analytics import money
from analytics.review import MONEY_KPIS, Review
from config import get_config

COUNTS = ["projects", "n_red", "n_amber", "n_green", "not_reported", "watermelons"]


def test_kpi_change_is_now_minus_the_compare_date(frames):
    rv = Review(frames, get_config(), "2026-11-20", "previous")
    now, before = rv.kpis, rv.compare_kpis
    for key in COUNTS:
        assert rv.kpi_change(key) == now[key] - before[key]
    for key in MONEY_KPIS:
        change = rv.kpi_change(key)
        if before["currency"] != now["currency"]:
            assert change is None
        elif now["currency"] is None:
            assert math.isnan(change)  # several currencies without a rate: not computable
        else:
            assert change == pytest.approx(now[key] - before[key])


def test_kpi_change_is_none_on_the_first_review(frames):
    first = sorted(frames["status_reports"]["report_date"].unique())[0]
    rv = Review(frames, get_config(), first, "previous")
    assert rv.compare_kpis is None
    assert all(rv.kpi_change(k) is None for k in [*COUNTS, *MONEY_KPIS])


def test_conversion_note_names_what_a_total_means():
    one = {"money": {"GBP": {}}, "currency": "GBP", "converted": []}
    assert money.conversion_note(one, "GBP") == ""
    mixed = {"money": {"GBP": {}, "USD": {}, "EUR": {}}, "currency": None, "converted": []}
    assert money.conversion_note(mixed, "GBP") == (
        "Totals per currency: no rate in [money.rates] for USD, EUR"
    )
    rated = {"money": {"GBP": {}}, "currency": "GBP", "converted": ["USD"]}
    assert money.conversion_note(rated, "GBP") == (
        "Converted into GBP at the [money.rates] rates: USD"
    )


def test_deck_top_open_risks_rank_by_score_then_exposure(frames):
    rv = Review(frames, get_config(), "2026-11-20", "previous")
    top = rv.top_open_risks(8)
    assert len(top) == min(8, len(rv.open_risks))
    pairs = list(zip(top["score"], top["exposure"].fillna(-math.inf), strict=True))
    assert pairs == sorted(pairs, reverse=True)
    pid = top["project_id"].iloc[0]
    mine = rv.top_open_risks(3, pid)
    assert set(mine["project_id"]) == {pid} and len(mine) <= 3
