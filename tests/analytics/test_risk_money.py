"""Risk exposure and contingency never add two currencies: per currency on the Risks page, or
converted with the configured rates; a project's risks show in its own currency."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from analytics import risk
from config import DEFAULT_CONFIG_PATH, parse_config
from tests.analytics.test_risk import RULES, frame, row
from tests.conftest import app_test
from tests.ingest_helpers import errors, load, xlsx

US_WORKBOOK = {
    "Projects": [
        ["Project ID", "Project Name", "Start date", "Stage", "Budget ($m)", "Contingency ($m)"],
        ["US-1", "US project", "2025-01-01", "Execution", 10.0, 2.0],
    ],
    "Risks": [
        ["Project ID", "Risk ID", "Risk", "Status", "Likelihood", "Impact", "Cost Impact ($m)",
         "Report Date"],
        ["US-1", "US-R1", "Vendor exit", "Open", 5, 5, 50.0, date(2026, 11, 20)],
    ],
}  # fmt: skip


def test_exposure_totals_per_currency_or_converted():
    snap = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "name": ["Pounds", "Dollars"],
            "budget": [1000.0, 1000.0],
            "contingency": [100.0, 300.0],
            "eac_typical": [1040.0, None],
            "currency": ["GBP", "USD"],
        }
    )
    reg = risk.with_scores(
        frame([row("P1", "R1", 5, 5, 1, 1, 100.0), row("P2", "R1", 3, 5, 1, 1, 200.0)]), RULES
    )
    table = risk.exposure_vs_contingency(snap, reg)
    assert table.set_index("project_id")["currency"].to_dict() == {"P1": "GBP", "P2": "USD"}
    plain = risk.portfolio_exposure(table, parse_config({}))
    assert plain["currency"] is None and pd.isna(plain["exposure"])  # never £ + $
    assert plain["money"]["GBP"] == pytest.approx(
        {
            "exposure": 90,
            "contingency": 100,
            "consumed": 40,
            "remaining": 60,
            "headroom": -30,
            "over": 1,
        }
    )
    assert plain["money"]["USD"] == pytest.approx(
        {
            "exposure": 100,
            "contingency": 300,
            "consumed": 0,
            "remaining": 300,
            "headroom": 200,
            "over": 0,
        }
    )
    assert plain["exceeds"] is True  # the pounds exceed; dollars cannot make up for them
    rated = risk.portfolio_exposure(table, parse_config({"money": {"rates": {"usd": 0.5}}}))
    assert rated["currency"] == "GBP" and rated["converted"] == ["USD"]
    assert rated["exposure"] == pytest.approx(90 + 50)
    assert rated["remaining"] == pytest.approx(60 + 150)
    assert rated["headroom"] == pytest.approx(70) and rated["exceeds"] is False


def risks_page():
    at = app_test().run()
    at.switch_page("pages/portfolio/risks.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def tables_with(at, risk_id: str):
    """(rows, column config, column order) of every table on the page that lists the risk."""
    out = []
    for t in at.dataframe:
        df = t.value
        if "risk_id" in df and (df["risk_id"] == risk_id).any():
            out.append((df, json.loads(t.proto.columns or "{}"), list(t.proto.column_order)))
    return out


def test_risks_page_totals_per_currency_and_dollar_risks_in_dollars(seeded_url):
    report, _ = load(seeded_url, xlsx(US_WORKBOOK), "us.xlsx", new_projects="create")
    assert report.status == "loaded", errors(report)
    at = risks_page()
    tiles = {m.label: m for m in at.metric}
    # $50m at likelihood 5 (90%): $45.00m of exposure, beside the pounds, never added to them
    assert tiles["Inherent exposure"].value.endswith(" · $45.00m")
    assert tiles["Inherent exposure"].value.startswith("£")
    assert tiles["Contingency"].value.endswith(" · $2.00m")
    assert tiles["Remaining"].value.endswith(" · $2.00m")
    found = tables_with(at, "US-R1")
    assert found  # the top 10 by exposure (and by score) lists it
    for df, columns, order in found:
        assert df.loc[df["risk_id"] == "US-R1", "currency"].tolist() == ["USD"]
        assert not order or "currency" in order  # and the currency column is shown
        assert "£" not in json.dumps(columns)  # no pound sign on a column holding dollars
    exposure = next(t for t in at.dataframe if "headroom" in t.value).value
    assert exposure.set_index("project_id").loc["US-1", "currency"] == "USD"


def test_risks_page_converts_with_a_configured_rate(seeded_url, tmp_path, monkeypatch):
    toml = DEFAULT_CONFIG_PATH.read_text().replace("# USD = 0.79", "USD = 0.8")
    (tmp_path / "rated.toml").write_text(toml)
    monkeypatch.setenv("PMO_CONFIG", str(tmp_path / "rated.toml"))
    before = {m.label: m.value for m in risks_page().metric}["Inherent exposure"]
    load(seeded_url, xlsx(US_WORKBOOK), "us.xlsx", new_projects="create")
    after = {m.label: m.value for m in risks_page().metric}["Inherent exposure"]
    assert "$" not in after and "·" not in after
    pounds = lambda text: float(text.strip("£m").replace(",", ""))  # noqa: E731
    assert pounds(after) == pytest.approx(pounds(before) + 45 * 0.8, abs=0.01)


def frames_with_usd(url: str):
    import store

    report, _ = load(url, xlsx(US_WORKBOOK), "us.xlsx", new_projects="create")
    assert report.status == "loaded", errors(report)
    return store.read_frames(store.get_engine(url))


def test_governance_budgets_per_currency(seeded_url):
    from analytics import governance, portfolio

    frames = frames_with_usd(seeded_url)
    config = parse_config({})
    snap = portfolio.snapshot(frames, "2026-11-20", config)
    scored, _ = governance.scores(frames, snap, "2026-11-20", config)
    us_quadrant = scored.set_index("project_id").loc["US-1", "quadrant"]
    counts = governance.quadrant_counts(scored, config).set_index("quadrant")
    assert counts.loc[us_quadrant, "budget_text"] == "$10.00m"
    stages = governance.pipeline(snap, config.governance, config).set_index("stage")
    assert stages.loc["Execution", "budget_text"] == "£171.5m · $10.00m"
    assert pd.isna(stages.loc["Execution", "budget"])  # never £ + $
    empty = snap.iloc[0:0]
    lens = dict(
        governance.lens_summary(scored, empty, empty, {"compliance_pct": 1.0}, config)["execution"]
    )
    # the dollar project is on budget: its $0 beside the pounds is not shown ("+£3.42m · $0")
    assert lens["EAC − budget"].startswith("+£") and "$" not in lens["EAC − budget"]
    healthy = next(v for k, v in lens.items() if k.startswith("healthy"))
    assert "several currencies" in healthy and "% of budget" not in healthy
    rated = parse_config({"money": {"rates": {"usd": 0.8}}})
    stages = governance.pipeline(snap, rated.governance, rated).set_index("stage")
    assert stages.loc["Execution", "budget_text"] == "£179.5m"
    assert stages.loc["Execution", "budget"] == pytest.approx(171_508_000 + 8e6)


def test_value_vs_risk_chart_says_each_bubble_is_in_its_currency():
    from charts.health import value_risk_bubble

    snap = pd.DataFrame(
        {
            "project_id": ["P1", "P2"],
            "name": ["Pounds", "Dollars"],
            "display_rag": ["Green", "Red"],
            "exposure": [1e6, 2e6],
            "value_score": [5, 7],
            "budget": [10e6, 20e6],
            "currency": ["GBP", "USD"],
        }
    )
    fig = value_risk_bubble(snap)
    assert "own currency" in fig.layout.xaxis.title.text
    assert all("currency=" in t.hovertemplate for t in fig.data)  # each bubble names its own
    assert "USD" in {row[2] for t in fig.data for row in t.customdata}
    one = value_risk_bubble(snap.assign(currency="GBP"))
    assert "£ millions" in one.layout.xaxis.title.text


@pytest.mark.slow
def test_deck_risk_and_governance_slides_per_currency(seeded_url):
    import io

    from pptx import Presentation

    from analytics.review import Review
    from config import get_config
    from exports.deck import build_deck

    frames = frames_with_usd(seeded_url)
    deck = build_deck(Review(frames, get_config(), "2026-11-20"), sections=["risks", "governance"])
    texts = [
        shape.text_frame.text if shape.has_text_frame else ""
        for slide in Presentation(io.BytesIO(deck)).slides
        for shape in slide.shapes
    ]
    cells = [
        c.text
        for slide in Presentation(io.BytesIO(deck)).slides
        for shape in slide.shapes
        if shape.has_table
        for row in shape.table.rows
        for c in row.cells
    ]
    note = next(t for t in texts if "Exposure = probability × cost impact" in t)
    assert " · $45.00m in total" in note  # the dollars beside the pounds, never added
    assert "$45.00m" in cells  # the US risk, top of the list, in dollars
    assert "$10.00m" in cells and "£10.00m" not in cells  # its quadrant's budget, in dollars


def test_governance_page_budgets_in_their_currency(seeded_url):
    frames_with_usd(seeded_url)
    at = app_test().run()
    at.switch_page("pages/portfolio/governance.py").run()
    assert not at.exception, [e.value for e in at.exception]
    scores = next(t for t in at.dataframe if "governance_value" in t.value)
    assert scores.value.set_index("link").filter(like="US-1", axis=0)["currency"].tolist() == [
        "USD"
    ]
    assert "£" not in (scores.proto.columns or "")  # no pound sign on a column holding dollars
    quadrants = next(t for t in at.dataframe if "meaning" in t.value).value
    assert "$10.00m" in quadrants["budget_text"].tolist()


# The verdict tile's states: (per-currency totals) -> (text, tone). The tone colours the tile
# (ui.components.TONE_COLOURS: good green, mixed orange, bad red) and never contradicts the
# "Projects over contingency" count.
def _totals(**by_ccy):
    return {
        "money": {
            c: {"exposure": e, "remaining": r, "headroom": r - e, "over": o}
            for c, (e, r, o) in by_ccy.items()
        }
    }


@pytest.mark.parametrize(
    ("by_ccy", "text", "tone"),
    [
        ({"GBP": (5.0, 10.0, 0)}, "✓ within", "good"),
        ({"GBP": (5.0, 10.0, 14)}, "⚠ 14 over", "mixed"),  # main: "✓ within" beside "⚠ 14"
        ({"GBP": (12.0, 10.0, 3)}, "⚠ exceeds", "bad"),
        # $131 of exposure in dollars with no contingency: judged on its own, named
        ({"GBP": (5.0, 10.0, 0), "USD": (131.0, 0.0, 1)}, "✓ within in GBP · ⚠ exceeds in USD",
         "mixed"),
        ({"GBP": (12.0, 10.0, 2), "USD": (131.0, 0.0, 1)}, "⚠ exceeds in GBP · ⚠ exceeds in USD",
         "bad"),
        # a currency with no exposure says nothing about exposure
        ({"GBP": (5.0, 10.0, 0), "USD": (0.0, 0.0, 0)}, "✓ within", "good"),
    ],
)  # fmt: skip
def test_exposure_verdict_states(by_ccy, text, tone):
    assert risk.exposure_verdict(_totals(**by_ccy)) == (text, tone)


TINY_USD = {
    "Projects": [
        ["Project ID", "Project Name", "Start date", "Stage", "Budget ($m)", "Contingency ($m)"],
        ["US-1", "US project", "2025-01-01", "Execution", None, None],
    ],
    "Risks": [
        ["Project ID", "Risk ID", "Risk", "Status", "Likelihood", "Impact", "Cost Impact ($)",
         "Report Date"],
        ["US-1", "US-R1", "Vendor exit", "Open", 5, 5, 146.0, date(2026, 11, 20)],
    ],
}  # fmt: skip


def test_a_tiny_register_in_dollars_does_not_flip_the_pounds_verdict(seeded_url):
    before = {m.label: m for m in risks_page().metric}["Portfolio exposure vs remaining"]
    report, _ = load(seeded_url, xlsx(TINY_USD), "tiny.xlsx", new_projects="create")
    assert report.status == "loaded", errors(report)
    at = risks_page()
    tile = {m.label: m for m in at.metric}["Portfolio exposure vs remaining"]
    # main: "⚠ exceeds" for the whole portfolio because $131 exceeded $0 of contingency
    assert tile.value == f"{before.value} in GBP · ⚠ exceeds in USD"
    assert "$0" not in tile.delta  # the pounds' headroom, and the dollars' −$131
    # This week: the dollar project has no budget, so no "£211.9m · $0" tile
    week = app_test().run()
    tiles = {m.label: m.value for m in week.metric}
    assert "$" not in tiles["Total budget"], tiles["Total budget"]
