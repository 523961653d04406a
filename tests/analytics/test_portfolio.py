"""Portfolio snapshot and aggregates on a hand-built portfolio whose answers are known."""

import pandas as pd
import pytest

import models
from analytics import portfolio
from config import Config

D1, D2 = pd.Timestamp("2026-11-13"), pd.Timestamp("2026-11-20")


def _frames():
    projects = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D"],
            "name": ["Alpha", "Bravo", "Charlie", "Delta"],
            "portfolio": ["P1", "P1", "P2", "P2"],
            "programme": ["G1", "G1", "G2", "G2"],
            "stage": ["Execution"] * 4,
            "sponsor": ["S"] * 4,
            "budget": [1000.0, 1000.0, 1000.0, 1000.0],
            "contingency": [100.0] * 4,
            "start_date": pd.to_datetime(["2026-01-01"] * 3 + ["2026-11-16"]),
            "end_date": pd.to_datetime(["2026-12-31"] * 4),
            "forecast_end_date": pd.to_datetime(["2026-12-31"] * 4),
        }
    )

    def rep(pid, d, rag, pv, ev, ac):
        return {"project_id": pid, "report_date": d, "overall_rag": rag, "rag_label": rag,
                "planned_value": pv, "earned_value": ev, "actual_cost": ac}  # fmt: skip

    reports = pd.DataFrame(
        [
            rep("A", D1, "Green", 500, 500, 500),
            rep("A", D2, "Green", 600, 480, 600),  # SPI 0.8: a watermelon
            rep("B", D1, "Amber", 500, 500, 500),
            rep("B", D2, "Red", 600, 600, 600),
            rep("C", pd.Timestamp("2026-10-30"), "Green", 400, 400, 400),  # stopped reporting
        ]
    )
    frames = {"projects": projects, "status_reports": reports}
    frames |= {n: pd.DataFrame() for n in ("risks", "milestones", "decisions", "raid_items")}
    return {n: models.conform(n, f) for n, f in frames.items()}


def test_snapshot_takes_last_report_and_flags():
    snap = portfolio.snapshot(_frames(), D2, Config()).set_index("project_id")
    assert list(snap.index) == ["A", "B", "C", "D"]
    assert snap.loc["A", "watermelon"] and snap.loc["A", "computed_rag"] == "Red"
    assert snap.loc["B", "display_rag"] == "Red"
    assert snap.loc["C", "not_reported"] and snap.loc["C", "display_rag"] == "Grey"
    assert snap.loc["C", "days_since_report"] == 21
    assert snap.loc["C", "status_label"] == "Not reported"


def test_project_joins_review_once_started():
    f = _frames()
    assert "D" in set(portfolio.snapshot(f, D2, Config())["project_id"])
    assert "D" not in set(portfolio.snapshot(f, D1, Config())["project_id"])
    # started 4 days ago, never reported: Grey, but not late yet
    snap = portfolio.snapshot(f, D2, Config()).set_index("project_id")
    assert not snap.loc["D", "not_reported"] and snap.loc["D", "display_rag"] == "Grey"
    assert snap.loc["D", "status_label"] == portfolio.NO_REPORT_YET
    # three weeks later it is late
    later = portfolio.snapshot(f, D2 + pd.Timedelta(days=21), Config()).set_index("project_id")
    assert later.loc["D", "not_reported"]


def test_kpis_and_filters():
    f = _frames()
    k = portfolio.kpis(portfolio.snapshot(f, D2, Config()))
    assert k["projects"] == 4 and k["n_red"] == 1 and k["n_green"] == 1 and k["n_grey"] == 2
    assert k["not_reported"] == 1 and k["watermelons"] == 1
    # EAC: A = 1000 / 0.8 = 1250, B = 1000, C = 1000 -> variance +250
    assert k["eac_variance"] == pytest.approx(250)
    k1 = portfolio.kpis(portfolio.snapshot(f, D2, Config(), {"portfolio": ["P1"]}))
    assert k1["projects"] == 2 and k1["not_reported"] == 0


def test_staleness_grace_comes_from_config():
    from config import Staleness

    cfg = Config(staleness=Staleness(cadence_days=7, grace_days=20))
    snap = portfolio.snapshot(_frames(), D2, cfg).set_index("project_id")
    assert not snap.loc["C", "not_reported"]


def test_trend_and_distribution():
    f = _frames()
    trend = portfolio.rag_trend(f, [D1, D2], Config())
    at = trend.set_index(["report_date", "rag"])["projects"]
    assert at[(D1, "Green")] == 1 and at[(D1, "Amber")] == 1
    assert at[(D2, "Red")] == 1 and at[(D2, "Grey")] == 2
    dist = portfolio.rag_distribution(portfolio.snapshot(f, D2, Config()))
    overall = dist[dist["dimension"] == "Overall"].set_index("rag")["projects"]
    assert overall.to_dict() == {"Red": 1, "Amber": 0, "Green": 1, "Grey": 2}


def test_exceptions_worst_first_with_rule():
    exc = portfolio.exceptions(portfolio.snapshot(_frames(), D2, Config()))
    assert exc["project_id"].tolist()[0] == "B"
    a = exc.set_index("project_id").loc["A"]
    assert "watermelon" in a["flags"] and "SPI 0.80" in a["computed_rule"]
    assert "not reported" in exc.set_index("project_id").loc["C", "flags"]


def test_review_dates_and_previous():
    dates = portfolio.review_dates(_frames()["status_reports"])
    assert dates[-1] == D2 and portfolio.previous_review(dates, D2) == D1
    assert portfolio.previous_review(dates, dates[0]) is None
