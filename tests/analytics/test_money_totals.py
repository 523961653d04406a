"""Totals never add two currencies: per currency on the pages, the deck and the CSV, or
converted with the configured rates."""

from __future__ import annotations

import pandas as pd
import pytest

import store
from analytics import portfolio
from config import parse_config
from tests.conftest import app_test
from tests.ingest_helpers import errors, load, xlsx


def test_health_totals_per_currency_after_a_usd_file(seeded_url):
    rows = [["Project ID", "Project Name", "Start date", "Budget ($m)"]]
    rows += [[f"US-{i}", f"US project {i}", "2025-01-01", 10.0 * i] for i in (1, 2, 3)]
    report, _ = load(seeded_url, xlsx({"Projects": rows}), "us.xlsx", new_projects="create")
    assert report.status == "loaded", errors(report)
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    assert not at.exception, at.exception
    tile = next(m for m in at.metric if m.label == "Total budget (BAC)")
    assert tile.value == "£211.9m · $60.00m"
    at.switch_page("pages/review/this_week.py").run()
    assert not at.exception, at.exception
    tile = next(m for m in at.metric if m.label == "Total budget")
    assert tile.value == "£211.9m · $60.00m"


def test_totals_convert_with_a_configured_rate(seeded_url):
    rows = [["Project ID", "Project Name", "Budget ($m)"], ["US-1", "US one", 10.0]]
    load(seeded_url, xlsx({"Projects": rows}), "us.xlsx", new_projects="create")
    frames = store.read_frames(store.get_engine(seeded_url))
    plain = parse_config({})
    snap = portfolio.snapshot(frames, "2026-11-20", plain)
    k = portfolio.kpis(snap, plain)
    assert k["currency"] is None and pd.isna(k["budget"])  # never £ + $
    assert k["money"]["USD"]["budget"] == 10e6
    rated = parse_config({"money": {"rates": {"usd": 0.8}}})
    k = portfolio.kpis(portfolio.snapshot(frames, "2026-11-20", rated), rated)
    assert k["currency"] == "GBP" and k["converted"] == ["USD"]
    assert k["budget"] == pytest.approx(211_893_000 + 8e6)


def test_deck_headline_shows_totals_per_currency(seeded_url):
    import io

    from pptx import Presentation

    from analytics.review import Review
    from config import get_config
    from exports.deck import build_deck

    rows = [["Project ID", "Project Name", "Budget ($m)"], ["US-1", "US one", 10.0]]
    load(seeded_url, xlsx({"Projects": rows}), "us.xlsx", new_projects="create")
    frames = store.read_frames(store.get_engine(seeded_url))
    prs = Presentation(
        io.BytesIO(build_deck(Review(frames, get_config(), "2026-11-20"), sections=["headline"]))
    )
    cells = [
        c.text
        for slide in prs.slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for c in row.cells
    ]
    assert "£211.9m · $10.00m" in cells
    assert "£207.9m" not in cells and "£221.9m" not in cells  # never one sum of £ and $
