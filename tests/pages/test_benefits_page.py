"""Benefits (issue 22): planned versus forecast versus realised as shares of each benefit's
planned change, the benefits at risk, per project on Project detail, and the governance value
score that reads the register where one exists. Analytics on hand-made frames and the sample;
the pages under AppTest; a benefits register sheet (written with openpyxl) loaded through the
ingest path shows on the page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import text

import store
from analytics import benefits
from analytics import governance as g
from analytics.review import Review
from config import Config, get_config
from tests.conftest import app_test
from tests.ingest_helpers import load, xlsx
from ui.components import SHOW_ROWS

PAGE = "pages/portfolio/benefits.py"
REVIEW = pd.Timestamp("2026-11-20")


def register_frame() -> pd.DataFrame:
    """Four benefits of two projects: a reduction on track, an increase short of target, one
    overdue and unrealised without an owner, one without a baseline."""
    rows = [
        ("P1", "B1", "Fewer calls", "Ann", 1200.0, 800.0, 790.0, 1000.0, "2027-06-30"),
        ("P1", "B2", "Licence savings", "Ann", 0.0, 200.0, 150.0, 50.0, "2027-06-30"),
        ("P2", "B1", "Faster cases", None, 12.0, 7.0, 7.0, 10.0, "2026-10-31"),
        ("P2", "B2", "CSAT", "Bob", None, 80.0, 80.0, 40.0, "2027-01-31"),
    ]
    cols = ["project_id", "benefit_id", "title", "owner", "baseline", "target", "forecast",
            "realised", "due_date"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=cols).assign(
        due_date=lambda d: pd.to_datetime(d["due_date"]), report_date=REVIEW,
        category="x", measure="units",
    )  # fmt: skip
    older = frame.assign(report_date=REVIEW - pd.Timedelta(days=28), forecast=frame["baseline"])
    return pd.concat([older, frame], ignore_index=True)


SNAP = pd.DataFrame(
    {"project_id": ["P1", "P2"], "name": ["Alpha", "Beta"], "portfolio": ["Ops", "Digital"]}
)


def test_shares_read_each_benefit_in_its_own_direction_and_units():
    reg = benefits.register(register_frame(), SNAP, REVIEW).set_index(["project_id", "benefit_id"])
    # a reduction: 1200 -> 800 planned, 790 forecast is past the target
    assert reg.loc[("P1", "B1"), "forecast_share"] == pytest.approx(410 / 400)
    assert reg.loc[("P1", "B1"), "realised_share"] == pytest.approx(200 / 400)
    assert reg.loc[("P1", "B2"), "forecast_share"] == pytest.approx(0.75)
    # no baseline: measured from zero, and the row says so
    assert reg.loc[("P2", "B2"), "forecast_share"] == pytest.approx(1.0)
    assert reg.loc[("P2", "B2"), "basis"] == "no baseline: change measured from zero"


def test_benefits_at_risk_and_why():
    reg = benefits.register(register_frame(), SNAP, REVIEW).set_index(["project_id", "benefit_id"])
    assert reg.loc[("P1", "B1"), "why"] == "" and not reg.loc[("P1", "B1"), "at_risk"]
    assert reg.loc[("P1", "B2"), "why"] == benefits.SHORT
    assert reg.loc[("P2", "B1"), "why"] == f"{benefits.OVERDUE}; {benefits.NO_OWNER}"
    assert not reg.loc[("P2", "B2"), "at_risk"]  # due in 2027, forecast on target
    first = benefits.register(register_frame(), SNAP, REVIEW)
    assert first["at_risk"].tolist() == [True, True, False, False]  # at risk first
    tally = benefits.summary(first)
    assert (tally["benefits"], tally["at_risk"], tally[benefits.NO_OWNER]) == (4, 2, 1)


def test_by_portfolio_and_over_time():
    reg = benefits.register(register_frame(), SNAP, REVIEW)
    got = benefits.by_portfolio(reg).set_index("portfolio")
    assert got.loc["Ops", "forecast"] == pytest.approx((410 / 400 + 0.75) / 2)
    assert got.loc["Digital", "at_risk"] == 1 and (got["planned"] == 1.0).all()
    trend = benefits.over_time(register_frame(), SNAP, REVIEW)
    assert trend["report_date"].tolist() == [REVIEW - pd.Timedelta(days=28), REVIEW]
    assert trend["forecast"].iloc[0] == pytest.approx(0.0)  # the older register: at baseline
    # a project outside the review is left out
    assert benefits.over_time(register_frame(), SNAP.iloc[:1], REVIEW)["benefits"].tolist() == [
        2, 2,
    ]  # fmt: skip


def test_project_achievement_counts_realised_once_due():
    got = benefits.project_achievement(register_frame(), REVIEW).set_index("project_id")
    # P1: both due later: forecast shares, the 102.5% kept (under the 150% cap)
    assert got.loc["P1", "share"] == pytest.approx((1.025 + 0.75) / 2)
    assert got.loc["P1", "basis"] == f"register forecast {(1.025 + 0.75) / 2:.0%} of target"
    # P2: B1 is due: its realised share (2 of 5 days); B2 its forecast (100%)
    assert got.loc["P2", "share"] == pytest.approx((0.4 + 1.0) / 2)
    assert "forecast and realised" in got.loc["P2", "basis"]


def test_the_governance_value_uses_the_register_and_says_so():
    projects = pd.DataFrame(
        {"project_id": ["P1", "P3"], "strategic_score": [5.0, 5.0], "value_score": [5.0, 5.0],
         "benefits_planned": [300.0, 300.0], "budget": [100.0, 100.0]}
    )  # fmt: skip
    rules = Config().governance
    plain = g.value_breakdown(projects, rules)
    achievement = benefits.project_achievement(register_frame(), REVIEW)
    used = g.value_breakdown(projects, rules, achievement)
    row = lambda bd, p: bd[(bd["project_id"] == p) & (bd["input"] == "benefits")].iloc[0]  # noqa: E731
    # without a register (P3, or no achievement at all): the planned figure, as before
    assert row(used, "P3")["points"] == row(plain, "P3")["points"] == 100.0
    assert row(used, "P3")["value"] == row(plain, "P3")["value"] == "3.00 x budget"
    # with one: planned x the register's share, and the value text says so
    share = (1.025 + 0.75) / 2
    assert row(used, "P1")["points"] == pytest.approx(100 * 3 * share / 3)
    assert (
        row(used, "P1")["value"]
        == f"{3 * share:.2f} x budget (register forecast {share:.0%} of target)"
    )
    assert "register" in row(used, "P1")["rule"]
    assert g.benefits_basis(projects, achievement) == [
        f"planned x register forecast {share:.0%} of target", "planned (no benefits register)",
    ]  # fmt: skip


def test_without_a_register_the_scores_do_not_change(frames):
    """The sample without its register scores as before the register existed."""
    config = get_config()
    no_register = {**frames, "benefits": frames["benefits"].iloc[:0]}
    snap = Review(no_register, config, REVIEW).snapshot
    scored, bd = g.scores(no_register, snap, REVIEW, config)
    legacy = g.value_breakdown(snap, config.governance)  # the planned figures only
    assert np.allclose(
        g.totals(legacy).reindex(scored["project_id"]).to_numpy(),
        scored["governance_value"].to_numpy(),
        equal_nan=True,
    )
    assert set(scored["benefits_basis"]) == {"planned (no benefits register)"}
    with_register = g.scores(frames, snap, REVIEW, config)[0]
    assert with_register["benefits_basis"].str.startswith("planned x register").all()


# --- the pages --------------------------------------------------------------------------------


def open_page(page: str = PAGE, params: dict | None = None):
    at = app_test()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_sample_page_shows_plan_forecast_realised_and_the_benefits_at_risk(seeded_url):
    rv = Review(store.read_frames(store.get_engine(seeded_url)), get_config(), REVIEW)
    tally = rv.benefits_summary
    at = open_page()
    assert [t.value for t in at.title] == ["Benefits"]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Benefits"] == str(tally["benefits"]) == "120"
    assert tiles["Forecast"] == f"{tally['forecast_share']:.0%} of plan"
    assert tiles["At risk"] == f"⚠ {tally['at_risk']}"
    assert f"Benefits at risk: {tally['at_risk']}" in [s.value for s in at.subheader]
    at_risk = at.dataframe[0].value
    # the first SHOW_ROWS of them (at-risk ones first); the caption gives them all
    assert len(at_risk) == min(tally["at_risk"], SHOW_ROWS)
    assert at_risk["risk"].str.startswith("⚠").all()
    if tally["at_risk"] > SHOW_ROWS:
        assert any(f"of {tally['at_risk']} rows" in c.value for c in at.caption)
    assert at_risk["link"].iloc[0].startswith("project?project=PRJ-")
    charts = [c.value for c in at.caption if c.value.startswith("Chart summary")]
    assert len(charts) == 2


def test_project_detail_shows_its_benefits(seeded_url):
    at = open_page("pages/portfolio/project.py", {"project": "PRJ-0001"})
    assert "Benefits" in [s.value for s in at.subheader]
    assert any("2 benefits" in c.value for c in at.caption)


def _without_benefits(url: str) -> None:
    engine = store.get_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM benefits"))
    engine.dispose()


def test_without_a_register_the_page_says_how_to_load_one(seeded_url):
    _without_benefits(seeded_url)
    at = open_page()
    (info,) = at.info
    assert "No benefits register" in info.value and "docs/uploading.md" in info.value
    project = open_page("pages/portfolio/project.py", {"project": "PRJ-0001"})
    assert any("No benefits register for PRJ-0001" in i.value for i in project.info)


def test_a_benefits_register_sheet_loads_and_shows_on_the_page(seeded_url):
    _without_benefits(seeded_url)
    header = ["Project ID", "Benefit", "Benefit Owner", "Category", "Measure", "Baseline",
              "Target", "Forecast", "Realised", "Due Date"]  # fmt: skip
    rows = [
        ["PRJ-0001", "Fewer calls to the service desk", "Zoe Adams", "Efficiency",
         "calls per week", 1200, 800, 900, 1100, pd.Timestamp("2027-06-30")],
        ["PRJ-0002", "Licence savings", None, "Cashable", "£ per year", 0, 250_000, 250_000,
         None, pd.Timestamp("2026-09-30")],
    ]  # fmt: skip
    sheet = [["Benefits register"], ["Report date:", REVIEW.date()], [], header, *rows]
    result, parsed = load(seeded_url, xlsx({"Benefits": sheet}))
    (rep,) = parsed.report.sheets
    assert rep.kind == "benefits" and rep.rows_loaded == 2, parsed.report
    at = open_page()
    assert {m.label: m.value for m in at.metric}["Benefits"] == "2"
    at_risk = at.dataframe[0].value.set_index("title")
    # 900 calls against 800: short; the licence saving is due and unrealised, with no owner
    assert at_risk.loc["Fewer calls to the service desk", "risk"] == f"⚠ {benefits.SHORT}"
    assert at_risk.loc["Licence savings", "risk"] == (f"⚠ {benefits.OVERDUE}; {benefits.NO_OWNER}")
    assert at_risk.loc["Licence savings", "forecast_pct"] == pytest.approx(100.0)
