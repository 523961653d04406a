"""Governance value and execution health scores, quadrants, gates, decision log and compliance
on hand-built portfolios whose answers are computed by hand in the comments."""

import math

import pandas as pd
import pytest

import models
from analytics import governance as g
from analytics import portfolio
from config import Config, Governance

RULES = Governance()
REVIEW = pd.Timestamp("2026-11-20")


def _frames(**tables) -> dict[str, pd.DataFrame]:
    names = ("projects", "status_reports", "risks", "milestones", "decisions", "raid_items")
    return {n: models.conform(n, pd.DataFrame(tables.get(n, []))) for n in names}


# --- scoring pieces ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "points"),
    [(1.0, 100), (1.2, 100), (0.85, 50), (0.7, 0), (0.5, 0), (0.94, 80)],
)
def test_index_points(index, points):
    assert g.index_points(index, 0.7) == pytest.approx(points)


@pytest.mark.parametrize(
    ("index", "points"), [(1.0, 75), (1.05, 87.5), (1.1, 100), (1.3, 100), (0.9, 50), (0.6, 0)]
)
def test_index_points_above_plan(index, points):
    # with index_full above 1.0, ahead of plan scores more than merely on plan
    assert g.index_points(index, 0.7, 1.1) == pytest.approx(points)


def test_missing_inputs_are_nan_not_zero():
    assert math.isnan(g.index_points(None, 0.7))
    assert math.isnan(g.slip_points(float("nan"), 60))
    assert math.isnan(g.benefits_points(100, 0, 3.0))  # zero budget: not computable


@pytest.mark.parametrize(("slip", "points"), [(0, 100), (-10, 100), (30, 50), (60, 0), (90, 0)])
def test_slip_points(slip, points):
    assert g.slip_points(slip, 60) == pytest.approx(points)


def test_benefits_points_relative_to_budget():
    assert g.benefits_points(1.5e6, 1e6, 3.0) == pytest.approx(50)  # 1.5x of a 3x full mark
    assert g.benefits_points(9e6, 1e6, 3.0) == pytest.approx(100)  # capped


def _project(pid, strategic, value, benefits, budget=1e6, **extra):
    return {"project_id": pid, "name": pid, "strategic_score": strategic, "value_score": value,
            "benefits_planned": benefits, "budget": budget, **extra}  # fmt: skip


def test_governance_value_hand_computed():
    projects = pd.DataFrame(
        [
            # 0.4 x 80 + 0.4 x 60 + 0.2 x 50 = 32 + 24 + 10 = 66
            _project("A", 8, 6, 1.5e6),
            # benefits missing: weights 0.4/0.4 scaled to 0.5/0.5 -> 0.5 x 80 + 0.5 x 60 = 70
            _project("B", 8, 6, None),
            # nothing known: not scored
            _project("C", None, None, None),
        ]
    )
    bd = g.value_breakdown(projects, RULES)
    score = g.totals(bd)
    assert score["A"] == pytest.approx(66)
    assert score["B"] == pytest.approx(70)
    assert math.isnan(score["C"])
    a = bd[bd["project_id"] == "A"].set_index("input")
    assert a.loc["strategic alignment", "contribution"] == pytest.approx(32)
    assert a.loc["business value", "contribution"] == pytest.approx(24)
    assert a.loc["benefits", "contribution"] == pytest.approx(10)
    assert a.loc["benefits", "value"] == "1.50 x budget"
    b = bd[bd["project_id"] == "B"].set_index("input")
    assert b.loc["benefits", "share"] == 0 and b.loc["strategic alignment", "share"] == 0.5


def test_weights_come_from_config():
    projects = pd.DataFrame([_project("A", 10, 0, 0)])
    rules = Governance(weight_strategic=3, weight_value=1, weight_benefits=0)
    # weights normalised: 0.75 x 100 + 0.25 x 0 = 75
    assert g.totals(g.value_breakdown(projects, rules))["A"] == pytest.approx(75)


def _snap_row(pid, sched, cost, scope, resource, spi, cpi):
    return {"project_id": pid, "computed_schedule_rag": sched, "computed_cost_rag": cost,
            "scope_rag": scope, "resource_rag": resource, "spi": spi, "cpi": cpi}  # fmt: skip


def test_execution_health_hand_computed():
    snap = pd.DataFrame(
        [
            # RAG mean(0, 100, 100, 50) = 62.5; SPI 0.85 -> 37.5 (0.7 -> 0, 1.1 -> 100);
            # CPI 1.0 -> 75; slip 30 d -> 50; trend +0.025 -> 75 (none 50, +0.05 100)
            # five equal weights: (62.5 + 37.5 + 75 + 50 + 75) / 5 = 60
            _snap_row("A", "Red", "Green", "Green", "Amber", 0.85, 1.0),
            # no report, no milestones: Grey everywhere -> not scored
            _snap_row("B", "Grey", "Grey", None, None, None, None),
            # only the RAG is known: 100 with its weight scaled to 1
            _snap_row("C", "Green", "Grey", "Green", None, None, None),
        ]
    )
    slips = pd.DataFrame(
        {"project_id": ["A"], "worst_slip_days": [30.0], "worst_slip_milestone": ["Go-live"]}
    )
    trend = pd.DataFrame(
        {"project_id": ["A"], "spi_change": [0.02], "cpi_change": [0.03],
         "trend_change": [0.025], "trend_span": [4]}
    )  # fmt: skip
    bd = g.health_breakdown(snap, slips, RULES, trend)
    score = g.totals(bd)
    assert score["A"] == pytest.approx(60)
    assert math.isnan(score["B"])
    assert score["C"] == pytest.approx(100)
    a = bd[bd["project_id"] == "A"].set_index("input")
    assert a["contribution"].sum() == pytest.approx(60)
    assert a.loc["trend (SPI/CPI change)", "contribution"] == pytest.approx(15)
    assert a.loc["trend (SPI/CPI change)", "value"] == "SPI +0.020, CPI +0.030 over 4 reports"
    assert "schedule (computed) Red" in a.loc["RAG by dimension", "value"]
    assert a.loc["milestone slip (worst, vs original baseline)", "value"] == "+30 d (Go-live)"
    # without a trend its weight goes to the other four: (62.5 + 37.5 + 75 + 50) / 4
    assert g.totals(g.health_breakdown(snap, slips, RULES))["A"] == pytest.approx(56.25)


@pytest.mark.parametrize(
    ("value", "health", "name"),
    [
        (50, 70, g.PROTECT),  # both thresholds inclusive
        (90, 95, g.PROTECT),
        (80, 69.9, g.INTERVENE),
        (49.9, 70, g.QUESTION),
        (10, 10, g.STOP),
        (float("nan"), 80, g.NOT_SCORED),
    ],
)
def test_quadrant(value, health, name):
    assert g.quadrant(value, health, RULES) == name


def test_quadrant_thresholds_from_config():
    assert g.quadrant(60, 60, Governance(health_threshold=50)) == g.PROTECT
    assert g.quadrant(60, 60, Governance(value_threshold=65, health_threshold=50)) == g.QUESTION
    assert g.quadrant(60, 60, Governance()) == g.INTERVENE  # default healthy line is 70


# --- milestones: slip against the original baseline -------------------------------------------


def _ms(pid, mid, report, baseline, forecast, name="Go-live", actual=None, gate=False):
    return {"project_id": pid, "milestone_id": mid, "report_date": report, "name": name,
            "baseline_date": baseline, "forecast_date": forecast, "actual_date": actual,
            "is_gate": gate}  # fmt: skip


def test_rebaselining_does_not_hide_slip():
    ms = _frames(
        milestones=[
            _ms("A", "M1", "2026-11-06", "2027-01-10", "2027-01-10"),
            # re-baselined to 10 Feb, forecast 12 Feb: 33 days late against the original 10 Jan
            _ms("A", "M1", "2026-11-13", "2027-02-10", "2027-02-12"),
            _ms("A", "M2", "2026-11-13", "2026-12-01", "2026-11-25"),  # 6 days early
        ]
    )["milestones"]
    worst = g.worst_slip(ms, REVIEW).set_index("project_id")
    assert worst.loc["A", "worst_slip_days"] == 33
    # as of a date before the re-baseline, the slip was nothing
    assert g.worst_slip(ms, "2026-11-06").set_index("project_id").loc["A", "worst_slip_days"] == 0


# --- the sample portfolio: scores are in range and add up ------------------------------------


def test_scores_on_the_sample_add_up(seeded_frames):
    config = Config()
    snap = portfolio.snapshot(seeded_frames, REVIEW, config)
    scored, bd = g.scores(seeded_frames, snap, REVIEW, config)
    assert len(scored) == 60
    assert scored["governance_value"].between(0, 100).all()
    assert scored["execution_health"].dropna().between(0, 100).all()
    assert scored["last_known_health"].between(0, 100).all()
    sums = bd.groupby(["project_id", "score"])["contribution"].sum().unstack()
    assert (
        sums["governance"] - scored.set_index("project_id")["governance_value"]
    ).abs().max() < 1e-9
    assert set(scored["quadrant"]) <= {*g.QUADRANTS, g.NOT_REPORTED}
    # a project computed Red on schedule and cost must not count as healthy
    both_red = scored[
        (scored["computed_schedule_rag"] == "Red") & (scored["computed_cost_rag"] == "Red")
    ]
    assert len(both_red) and (both_red["last_known_health"] < RULES.health_threshold).all()
    counts = g.quadrant_counts(scored)
    assert counts["projects"].sum() == 60 and list(counts["quadrant"][:4]) == g.QUADRANTS


@pytest.fixture(scope="module")
def seeded_frames(tmp_path_factory):
    import store
    from sample_data import write_sample

    path = tmp_path_factory.mktemp("gov") / "sample.db"
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine)
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


# --- stage gates ------------------------------------------------------------------------------


def _p(pid, stage, start="2026-01-01"):
    return {"project_id": pid, "name": f"Project {pid}", "stage": stage, "budget": 1000.0,
            "start_date": start, "end_date": "2027-12-31", "sponsor": "S"}  # fmt: skip


def _ps(**stages):
    return [_p(pid, stage) for pid, stage in stages.items()]


def _gate(pid, date):
    return _ms(pid, "M2", "2026-11-20", date, date, name="Gate 2: Design", gate=True)


def _d(pid, did, forum, date, decision):
    return {"project_id": pid, "decision_id": did, "forum": forum, "decision_date": date,
            "decision": decision, "decided_by": "Board", "rationale": "because"}  # fmt: skip


def test_gate_key():
    assert g.gate_key("Gate 2: Design approved") == "gate 2"
    assert g.gate_key("GATE2") == "gate 2"
    assert g.gate_key("Portfolio Board") is None
    assert g.gate_key(None) is None


def test_overdue_gates():
    f = _frames(
        projects=[_p("A", "Execution"), _p("B", "Execution"), _p("C", "Planning")],
        milestones=[
            # A: Gate 2 passed 40 days ago, no decision -> 10 days overdue (window 30)
            _ms(
                "A",
                "M2",
                "2026-11-20",
                "2026-10-11",
                "2026-10-11",
                name="Gate 2: Design",
                gate=True,
            ),
            # B: same gate, but a Gate 2 decision exists (even 'recycle' is a decision)
            _ms(
                "B",
                "M2",
                "2026-11-20",
                "2026-10-11",
                "2026-10-11",
                name="Gate 2: Design",
                gate=True,
            ),
            # C: Gate 2 passed only 20 days ago: not yet overdue
            _ms(
                "C",
                "M2",
                "2026-11-20",
                "2026-10-31",
                "2026-10-31",
                name="Gate 2: Design",
                gate=True,
            ),
            # A non-gate milestone never counts
            _ms("C", "M3", "2026-11-20", "2026-01-01", "2026-01-01", name="Build complete"),
        ],  # fmt: skip
        decisions=[_d("B", "D2", "Gate 2", "2026-10-20", "recycle")],
    )
    snap = portfolio.snapshot(f, REVIEW, Config())
    late = g.overdue_gates(f, snap, REVIEW, RULES)
    assert late["project_id"].tolist() == ["A"]
    assert late.loc[0, "days_overdue"] == 10
    assert late.loc[0, "gate_milestone"] == "Gate 2: Design"


def test_executing_without_approval():
    f = _frames(
        projects=_ps(A="Execution", B="Execution", C="Closing", D="Planning"),
        decisions=[
            _d("A", "D2", "Gate 2", "2026-02-01", "go"),
            _d("B", "D2", "Gate 2", "2026-02-01", "go"),
            _d("B", "D3", "Gate 2", "2026-06-01", "hold"),  # the latest gate decision counts
            _d("C", "D1", "Gate 1", "2025-12-01", "go"),  # a Gate 1 go is not a Gate 2 approval
            _d("A", "D9", "Gate 2", "2026-12-01", "stop"),  # after the review date: not yet known
        ],
    )  # fmt: skip
    snap = portfolio.snapshot(f, REVIEW, Config())
    out = g.executing_without_approval(f, snap, REVIEW, RULES).set_index("project_id")
    assert sorted(out.index) == ["B", "C"]  # D is in Planning: no gate needed yet
    assert out.loc["B", "finding"] == "latest Gate 2 decision is 'hold' (2026-06-01)"
    assert out.loc["C", "finding"] == "no Gate 2 decision recorded"


def test_pipeline_in_stage_order():
    f = _frames(
        projects=[_p("A", "Execution"), _p("B", "Initiation"), _p("C", "Odd"), _p("D", None)]
    )
    snap = portfolio.snapshot(f, REVIEW, Config())
    pipe = g.pipeline(snap, RULES)
    assert pipe["stage"].tolist() == ["Initiation", "Execution", "(no stage)", "Odd"]
    assert pipe["budget"].sum() == 4000


# --- decision log -----------------------------------------------------------------------------


def _r(pid, date, rag="Green", pv=100.0, ev=90.0, ac=100.0):
    return {"project_id": pid, "report_date": date, "overall_rag": rag, "rag_label": rag,
            "planned_value": pv, "earned_value": ev, "actual_cost": ac}  # fmt: skip


def test_decision_log_links_the_snapshot_the_decision_was_taken_on():
    f = _frames(
        projects=[_p("A", "Execution"), _p("B", "Execution")],
        status_reports=[
            _r("A", "2026-11-06", "Green"),
            _r("A", "2026-11-13", "Red", pv=200, ev=150, ac=300),
            _r("B", "2026-11-13", "Amber"),
        ],
        decisions=[
            _d("A", "D1", "Gate 1", "2025-12-01", "go"),  # before any report: no snapshot
            _d("A", "D3", "Portfolio Board", "2026-11-13", "approved"),  # same day counts
            _d("A", "D2", "Gate 2", "2026-11-10", "hold"),  # between the two reports
            _d("B", "D4", "Portfolio Board", "2026-11-12", "deferred"),  # B's only report is later
            _d("A", "D5", "Portfolio Board", "2026-12-01", "stop"),  # after the review date
        ],
    )  # fmt: skip
    log = g.decision_log(f, REVIEW).set_index(["project_id", "decision_id"])
    assert ("A", "D5") not in log.index
    assert log.index.tolist()[0] == ("A", "D3")  # newest first
    assert log.loc[("A", "D3"), "snapshot_date"] == pd.Timestamp("2026-11-13")
    assert log.loc[("A", "D3"), "snapshot_rag"] == "Red"
    assert log.loc[("A", "D3"), "snapshot_spi"] == pytest.approx(0.75)
    assert log.loc[("A", "D3"), "snapshot_cpi"] == pytest.approx(0.5)
    assert log.loc[("A", "D2"), "snapshot_date"] == pd.Timestamp("2026-11-06")
    assert log.loc[("A", "D2"), "snapshot_rag"] == "Green"
    assert pd.isna(log.loc[("A", "D1"), "snapshot_date"])
    assert pd.isna(log.loc[("B", "D4"), "snapshot_date"])  # never B's later report
    assert log.loc[("A", "D2"), "project"] == "Project A"
    only_b = g.decision_log(f, REVIEW, ["B"])
    assert only_b["project_id"].tolist() == ["B"]


# --- compliance -------------------------------------------------------------------------------


def _risk(pid, date):
    return {"project_id": pid, "risk_id": "R1", "report_date": date, "title": "t",
            "likelihood": 3, "impact": 3, "status": "Open"}  # fmt: skip


def test_compliance_rules():
    f = _frames(
        projects=_ps(A="Execution", B="Execution", C="Planning", D="Execution"),
        status_reports=[
            _r("A", "2026-11-20"),
            _r("B", "2026-11-09"),  # 11 days old > cadence 7 + grace 3: late
            _r("C", "2026-11-13"),
        ],
        risks=[
            _risk("A", "2026-11-10"),  # 10 days old: reviewed
            _risk("B", "2026-10-20"),  # 31 days old > 30: not reviewed
        ],  # C has no risk register at all
        milestones=[
            _gate("A", "2026-03-01"),
            _gate("B", "2026-03-01"),
        ],
        decisions=[
            _d("A", "D2", "Gate 2", "2026-02-20", "go"),  # approved before execution began
            _d("B", "D2", "Gate 2", "2026-04-01", "approved"),  # approved after: a finding
            _d("D", "D2", "Gate 2", "2026-02-20", "go"),  # no gate milestone: any approval counts
        ],
    )  # fmt: skip
    snap = portfolio.snapshot(f, REVIEW, Config())
    comp = g.compliance(f, snap, REVIEW, Config()).set_index("project_id")
    assert comp.loc["A", ["reported_on_time", "risk_reviewed", "baseline_approved"]].tolist() == [
        True, True, True,
    ]  # fmt: skip
    assert comp.loc["A", "compliant"] and comp.loc["A", "findings"] == ""
    assert comp.loc["B", ["reported_on_time", "risk_reviewed", "baseline_approved"]].tolist() == [
        False, False, False,
    ]  # fmt: skip
    assert (
        "Gate 2 approved 2026-04-01, after execution began 2026-03-01" in comp.loc["B", "findings"]
    )
    assert "risk register last reviewed 2026-10-20" in comp.loc["B", "findings"]
    assert pd.isna(comp.loc["C", "baseline_approved"])  # Planning: not applicable
    assert comp.loc["C", "checks_applicable"] == 2 and comp.loc["C", "checks_passed"] == 1
    assert "no risk register" in comp.loc["C", "findings"]
    assert comp.loc["D", "baseline_approved"]
    assert "never reported" in comp.loc["D", "findings"]
    total = g.portfolio_compliance(comp.reset_index())
    # applicable: A 3, B 3, C 2, D 3 = 11; passed: A 3, B 0, C 1, D 1 = 5
    assert total["checks_applicable"] == 11 and total["checks_passed"] == 5
    assert total["compliance_pct"] == pytest.approx(100 * 5 / 11)
    assert total["projects_compliant_pct"] == pytest.approx(25)
    assert total["baseline_approved_pct"] == pytest.approx(100 * 2 / 3)
    marks = g.check_marks(comp.reset_index()).set_index("project_id")
    assert marks.loc["C", "baseline_approved"] == "n/a"
    assert marks.loc["B", "reported_on_time"] == "✗ no" and marks.loc["A", "score"] == "3 / 3"


def test_risk_review_window_from_config():
    f = _frames(projects=[_p("A", "Planning")], risks=[_risk("A", "2026-10-20")])
    snap = portfolio.snapshot(f, REVIEW, Config())
    strict = g.compliance(f, snap, REVIEW, Config()).iloc[0]
    lenient = g.compliance(f, snap, REVIEW, Config(governance=Governance(risk_review_days=45)))
    assert not strict["risk_reviewed"] and lenient.iloc[0]["risk_reviewed"]


def test_empty_portfolio_compliance_is_nan():
    f = _frames()
    snap = portfolio.snapshot(f, REVIEW, Config())
    total = g.portfolio_compliance(g.compliance(f, snap, REVIEW, Config()))
    assert math.isnan(total["compliance_pct"])
