"""Risk arithmetic on small hand-built registers: every expected number is worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import risk
from config import Config, RiskRules, parse_config

RULES = RiskRules()  # bands low 1, medium 5, high 10, critical 15; probability 0.1 .. 0.9
D1, D2 = pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-09")


def row(pid, rid, l, i, rl, ri, cost, status="Open", d=D1, due="2026-02-01", **kw):  # noqa: E741
    return {
        "project_id": pid, "risk_id": rid, "report_date": d, "title": f"{pid} {rid}",
        "description": "", "category": kw.get("category", "Technical"),
        "owner": kw.get("owner", "Ann"), "status": status, "likelihood": l, "impact": i,
        "residual_likelihood": rl, "residual_impact": ri, "cost_impact": cost,
        "response": "Mitigate", "raised_date": pd.Timestamp("2025-12-01"),
        "due_date": pd.Timestamp(due) if due else pd.NaT, "upload_id": kw.get("upload_id", 1),
    }  # fmt: skip


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows)


# --- word scales and bands ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Rare", 1), ("unlikely", 2), ("Possible", 3), ("LIKELY", 4), ("Almost certain", 5),
        ("almost-certain", 5), ("Very low", 1), ("Low", 2), ("Med", 3), ("Medium", 3),
        ("High", 4), ("very  high", 5), ("4 - Likely", 4), ("2", 2), ("5.0", 5), (3, 3),
        (3.0, 3), ("Catastrophic", 5), (" minor ", 2),
        (0, None), (6, None), (2.5, None), ("often", None), ("", None), (None, None),
        (float("nan"), None),
    ],
)  # fmt: skip
def test_word_scales_map_to_one_to_five(value, expected):
    assert risk.scale_value(value, RULES) == expected


def test_scale_table_comes_from_config():
    rules = parse_config({"risk": {"scales": {"Often": 4, "Hardly ever": 1}}}).risk
    assert risk.scale_value("often", rules) == 4
    assert risk.scale_value("hardly ever", rules) == 1
    assert risk.scale_value("rare", rules) is None  # the listed table replaces the built-in one
    col = risk.to_scale(pd.Series(["Often", "x", None, 2]), rules)
    assert col.tolist() == [4, pd.NA, pd.NA, 2]
    assert str(col.dtype) == "Int64"


@pytest.mark.parametrize(
    ("score", "expected"),
    [(1, "low"), (4, "low"), (5, "medium"), (9, "medium"), (10, "high"), (14, "high"),
     (15, "critical"), (25, "critical"), (None, None), (float("nan"), None)],
)  # fmt: skip
def test_bands_at_their_edges(score, expected):
    assert risk.band(score, RULES) == expected
    assert risk.bands_of(pd.Series([score], dtype=float), RULES).iloc[0] == expected


def test_configured_bands_are_used():
    rules = RiskRules(bands={"minor": 1, "major": 12})
    assert risk.bands_of(pd.Series([11.0, 12.0]), rules).tolist() == ["minor", "major"]
    assert risk.band_rank("major", rules) == 1
    assert risk.band_rank("critical", rules) == -1


# --- scores and exposure ------------------------------------------------------------------------


def test_scores_open_and_exposure():
    reg = risk.with_scores(
        frame(
            [
                row("P1", "R1", 4, 5, 2, 3, 100_000),  # 20 critical; residual 6 medium
                row("P1", "R2", 3, 3, 3, 3, 50_000, status=" closed "),  # closed: no exposure
                row("P2", "R1", 1, 2, None, None, 10_000, status="Monitoring"),  # open
            ]
        ),
        RULES,
    )
    assert reg["score"].tolist() == [20, 9, 2]
    assert reg["band"].tolist() == ["critical", "medium", "low"]
    assert reg["residual_band"].tolist()[:2] == ["medium", "medium"]
    assert reg["residual_band"].iloc[2] is None
    assert reg["is_open"].tolist() == [True, False, True]
    # 0.7 x 100k = 70k; 0.5 x 50k = 25k; 0.1 x 10k = 1k; residual 0.3 x 100k = 30k
    assert reg["exposure"].tolist() == pytest.approx([70_000, 25_000, 1_000])
    assert reg["residual_exposure"].iloc[0] == pytest.approx(30_000)
    by = risk.exposure_by_project(reg[reg["is_open"]]).set_index("project_id")
    assert by.loc["P1", "exposure"] == pytest.approx(70_000)
    assert by.loc["P1", "open_risks"] == 1
    assert by.loc["P2", "max_risk_score"] == 2


def test_latest_register_takes_each_projects_last_snapshot():
    rows = [row("P1", "R1", 1, 1, 1, 1, 0, d=D1), row("P1", "R2", 2, 2, 2, 2, 0, d=D2)]
    rows.append(row("P2", "R1", 3, 3, 3, 3, 0, d=D1))
    assert sorted(map(tuple, risk.latest_register(frame(rows), D2)[risk.KEY].values)) == [
        ("P1", "R2"),
        ("P2", "R1"),
    ]
    assert risk.latest_register(frame(rows), D1)["project_id"].tolist() == ["P1", "P2"]


def test_filter_keeps_open_unless_a_status_is_chosen():
    reg = risk.with_scores(
        frame(
            [
                row("P1", "R1", 4, 5, 2, 3, 1, category="Commercial"),
                row("P1", "R2", 3, 3, 3, 3, 1, status="Closed"),
                row("P2", "R1", 1, 2, 1, 1, 1, owner="Bob"),
            ]
        ),
        RULES,
    )
    assert len(risk.RiskFilter().apply(reg)) == 2
    assert risk.RiskFilter(statuses=["Closed"]).apply(reg)["risk_id"].tolist() == ["R2"]
    assert len(risk.RiskFilter(statuses=["Closed"]).apply(reg, open_only=True)) == 2
    assert risk.RiskFilter(project_ids=["P2"]).apply(reg)["owner"].tolist() == ["Bob"]
    assert risk.RiskFilter(categories=["Commercial"]).apply(reg)["risk_id"].tolist() == ["R1"]
    assert risk.filter_options(reg)["status"] == ["Closed", "Open"]


# --- matrix -------------------------------------------------------------------------------------


def test_matrix_counts_every_cell_and_drills_down():
    reg = risk.with_scores(
        frame(
            [
                row("P1", "R1", 4, 5, 2, 3, 100),
                row("P2", "R1", 4, 5, 1, 1, 300),
                row("P2", "R2", 1, 1, 1, 1, 5),
            ]
        ),
        RULES,
    )
    cells = risk.matrix_cells(reg, RULES)
    assert len(cells) == 25 and cells["risks"].sum() == 3
    cell = cells.set_index(["likelihood", "impact"])
    assert cell.loc[(4, 5), "risks"] == 2 and cell.loc[(4, 5), "band"] == "critical"
    assert cell.loc[(1, 1), "risks"] == 1 and cell.loc[(3, 3), "risks"] == 0
    assert cell.loc[(3, 4), "band"] == "high" and cell.loc[(2, 3), "band"] == "medium"
    residual = risk.matrix_cells(reg, RULES, "residual").set_index(["likelihood", "impact"])
    assert residual.loc[(1, 1), "risks"] == 2 and residual.loc[(2, 3), "risks"] == 1
    listed = risk.cell_risks(reg, 4, 5)
    # same score: the higher exposure (P2, 0.7 x 300) comes first
    assert listed["project_id"].tolist() == ["P2", "P1"]
    assert list(listed.columns) == risk.DRILL_COLUMNS
    assert risk.cell_risks(reg, 3, 3).empty
    assert risk.cell_risks(reg, 1, 1, "residual")["risk_id"].tolist() == ["R1", "R2"]


def test_top_by_score_and_exposure():
    rows = [row("P1", f"R{k}", k % 5 + 1, 5, 1, 1, 1000 * k) for k in range(12)]
    reg = risk.with_scores(frame(rows), RULES)
    by_score = risk.top_by(reg, "score", "exposure")
    assert len(by_score) == 10
    assert by_score["score"].iloc[0] == 25  # likelihood 5 x impact 5: R4 and R9
    # the tie goes to the higher exposure (R9 8,100 before R4 3,600), not to the lower id
    assert by_score["risk_id"].tolist()[:2] == ["R9", "R4"]
    by_exposure = risk.top_by(reg, "exposure", "score", n=3)
    # R9: 0.9 x 9000 = 8100; R8: 0.7 x 8000 = 5600; R4: 0.9 x 4000 = 3600; R11 0.3 x 11000 = 3300
    assert by_exposure["risk_id"].tolist() == ["R9", "R8", "R4"]


# --- movement between assessments ---------------------------------------------------------------


def test_movement_between_inherent_and_residual():
    reg = risk.with_scores(
        frame(
            [
                row("P", "A", 5, 5, 1, 2, 0),  # critical 25 -> low 2: down 2+ bands
                row("P", "B", 3, 4, 3, 3, 0),  # high 12 -> medium 9: down 1 band
                row("P", "C", 4, 4, 3, 5, 0),  # critical 16 -> critical 15: same band, lower
                row("P", "D", 2, 2, 2, 2, 0),  # low 4 -> low 4: no change
                row("P", "E", 2, 3, 3, 3, 0),  # medium 6 -> medium 9: higher
                row("P", "F", 3, 3, None, None, 0),  # no residual assessment
            ]
        ),
        RULES,
    )
    moved = risk.movement(reg, RULES).set_index("risk_id")
    assert moved["move"].to_dict() == {
        "A": "down 2+ bands",
        "B": "down 1 band",
        "C": "same band, lower score",
        "D": "no change",
        "E": "higher after response",
        "F": "not assessed",
    }
    assert moved.loc["A", "bands_down"] == 3
    assert moved.loc["E", "bands_down"] == 0
    assert risk.movement_totals(moved.reset_index()) == {
        "risks": 6,
        "down_a_band": 2,
        "same_band": 2,
        "no_change": 1,
        "higher": 1,
        "not_assessed": 1,
    }
    summary = risk.movement_summary(moved.reset_index(), RULES)
    assert len(summary) == 4 * len(risk.MOVES)
    crit = summary[summary["band"] == "critical"].set_index("move")["risks"]
    assert crit["down 2+ bands"] == 1 and crit["same band, lower score"] == 1
    assert summary["risks"].sum() == 6


# --- ageing -------------------------------------------------------------------------------------


def test_ageing_of_open_risks_past_due():
    review = pd.Timestamp("2026-04-01")
    reg = risk.with_scores(
        frame(
            [
                row("P", "A", 3, 3, 1, 1, 0, due="2026-04-01"),  # due today: not overdue
                row("P", "B", 3, 3, 1, 1, 0, due="2026-03-31"),  # 1 day
                row("P", "C", 3, 3, 1, 1, 0, due="2026-03-02"),  # 30 days
                row("P", "D", 3, 3, 1, 1, 0, due="2026-03-01"),  # 31 days
                row("P", "E", 3, 3, 1, 1, 0, due="2026-01-01"),  # 90 days
                row("P", "F", 3, 3, 1, 1, 0, due="2025-12-31"),  # 91 days
                row("P", "G", 3, 3, 1, 1, 0, due="2025-01-01", status="Closed"),  # closed
                row("P", "H", 3, 3, 1, 1, 0, due=None),  # no due date
            ]
        ),
        RULES,
    )
    late = risk.ageing(reg, review)
    assert late["risk_id"].tolist() == ["F", "E", "D", "C", "B"]  # most overdue first
    assert late["days_overdue"].tolist() == [91, 90, 31, 30, 1]
    assert late["overdue"].tolist() == [
        "over 90 days",
        "61-90 days",
        "31-60 days",
        "1-30 days",
        "1-30 days",
    ]
    summary = risk.ageing_summary(late).set_index("overdue")["risks"].to_dict()
    assert summary == {"1-30 days": 2, "31-60 days": 1, "61-90 days": 1, "over 90 days": 1}


# --- new and closed between two dates -----------------------------------------------------------


def test_new_and_closed_between_two_dates():
    before = [
        row("P1", "R1", 4, 4, 1, 1, 100, d=D1),  # critical, stays critical
        row("P1", "R2", 4, 3, 1, 1, 100, d=D1),  # high -> closed
        row("P1", "R3", 5, 4, 1, 1, 100, d=D1),  # critical -> gone from the register
        row("P1", "R4", 2, 3, 1, 1, 100, d=D1),  # medium -> high: escalated
        row("P1", "R5", 5, 3, 1, 1, 100, d=D1),  # critical -> medium: de-escalated
        row("P1", "R6", 4, 4, 1, 1, 100, d=D1, status="Closed"),  # reopened later
        row("P2", "R1", 5, 5, 1, 1, 100, d=D1, category="Commercial"),  # other category
    ]
    after = [
        row("P1", "R1", 4, 4, 1, 1, 100, d=D2),
        row("P1", "R2", 4, 3, 1, 1, 100, d=D2, status="Closed"),
        row("P1", "R4", 4, 3, 1, 1, 100, d=D2),
        row("P1", "R5", 3, 3, 1, 1, 100, d=D2),
        row("P1", "R6", 4, 4, 1, 1, 100, d=D2),
        row("P1", "R7", 2, 5, 1, 1, 100, d=D2),  # raised, high (10)
        row("P1", "R8", 1, 4, 1, 1, 100, d=D2),  # raised but low: not listed
        row("P2", "R1", 5, 5, 1, 1, 100, d=D2, status="Closed", category="Commercial"),
    ]
    risks = frame(before + after)
    out = risk.new_and_closed(risks, D1, D2, RULES, "high")
    got = {(p, r): c for p, r, c in out[["project_id", "risk_id", "change"]].values}
    assert got == {
        ("P1", "R7"): "new",
        ("P1", "R6"): "new",
        ("P1", "R4"): "escalated",
        ("P1", "R2"): "closed",
        ("P1", "R3"): "closed",
        ("P2", "R1"): "closed",
        ("P1", "R5"): "de-escalated",
    }
    detail = out.set_index("risk_id")["detail"]
    assert detail["R6"].startswith("reopened")
    assert detail["R3"] == "no longer in the register"
    assert detail["R4"] == "was medium (6)"
    # Only the critical band: R4, R7 (high) drop out; R6 (16) is still new; R2 (12) was not hot.
    crit = risk.new_and_closed(risks, D1, D2, RULES, "critical")
    assert sorted(crit["risk_id"] + crit["change"]) == sorted(
        ["R6new", "R3closed", "R5de-escalated", "R1closed"]
    )
    # The category filter narrows both dates.
    tech = risk.new_and_closed(
        risks, D1, D2, RULES, "high", risk.RiskFilter(categories=["Technical"])
    )
    assert "P2" not in set(tech["project_id"])
    # First review: everything open and hot now is new.
    first = risk.new_and_closed(risks, None, D1, RULES, "high")
    assert sorted(first["risk_id"] + first["project_id"]) == [
        "R1P1",
        "R1P2",
        "R2P1",
        "R3P1",
        "R5P1",
    ]
    with pytest.raises(ValueError, match="unknown band"):
        risk.new_and_closed(risks, D1, D2, RULES, "severe")


# --- trend --------------------------------------------------------------------------------------


def test_band_trend_counts_open_risks_per_band_each_week():
    risks = frame(
        [
            row("P1", "R1", 4, 4, 1, 1, 0, d=D1),
            row("P1", "R2", 1, 1, 1, 1, 0, d=D1),
            row("P1", "R1", 4, 4, 1, 1, 0, d=D2, status="Closed"),
            row("P1", "R2", 1, 1, 1, 1, 0, d=D2),
            row("P1", "R3", 2, 3, 1, 1, 0, d=D2),
        ]
    )
    trend = risk.band_trend(risks, [D1, D2], RULES)
    got = trend.set_index(["report_date", "band"])["risks"]
    assert got[(D1, "critical")] == 1 and got[(D1, "low")] == 1 and got[(D1, "medium")] == 0
    assert got[(D2, "critical")] == 0 and got[(D2, "low")] == 1 and got[(D2, "medium")] == 1
    assert len(trend) == 2 * 4
    residual = risk.band_trend(risks, [D2], RULES, basis="residual")
    assert residual.set_index("band")["risks"]["low"] == 2


# --- exposure against contingency ---------------------------------------------------------------


def test_exposure_against_remaining_contingency():
    snap = pd.DataFrame(
        {
            "project_id": ["P1", "P2", "P3", "P4"],
            "name": ["One", "Two", "Three", "Four"],
            "budget": [1000.0, 1000.0, 1000.0, 1000.0],
            "contingency": [100.0, 100.0, None, 50.0],
            # P1 overran by 40 (consumes 40); P2 under budget; P3 not computable; P4 overran 80
            "eac_typical": [1040.0, 900.0, None, 1080.0],
        }
    )
    reg = risk.with_scores(
        frame(
            [
                row("P1", "R1", 5, 5, 1, 1, 100.0),  # 0.9 x 100 = 90 > remaining 60
                row("P2", "R1", 3, 5, 1, 1, 100.0),  # 0.5 x 100 = 50 <= 100
                row("P2", "R2", 5, 5, 1, 1, 1000.0, status="Closed"),  # closed: not counted
                row("P3", "R1", 1, 5, 1, 1, 10.0),  # 0.1 x 10 = 1 > remaining 0 (no contingency)
            ]
        ),
        RULES,
    )
    table = risk.exposure_vs_contingency(snap, reg)
    t = table.set_index("project_id")
    assert t["consumed"].to_dict() == pytest.approx({"P1": 40, "P2": 0, "P3": 0, "P4": 80})
    assert t["remaining"].to_dict() == pytest.approx({"P1": 60, "P2": 100, "P3": 0, "P4": 0})
    assert t["exposure"].to_dict() == pytest.approx({"P1": 90, "P2": 50, "P3": 1, "P4": 0})
    assert t["exceeds"].to_dict() == {"P1": True, "P2": False, "P3": True, "P4": False}
    assert t.loc["P2", "open_risks"] == 1 and t.loc["P4", "open_risks"] == 0
    assert table["project_id"].tolist()[:2] == ["P1", "P3"]  # exceeding first, least headroom
    totals = risk.portfolio_exposure(table)
    assert totals["exposure"] == pytest.approx(141)
    assert totals["remaining"] == pytest.approx(160)
    assert totals["headroom"] == pytest.approx(19)
    assert totals["exceeds"] is False and totals["projects_exceeding"] == 2
    # Residual: P1 residual likelihood 1 -> 0.1 x 100 = 10, within 60.
    residual = risk.exposure_vs_contingency(snap, reg, "residual").set_index("project_id")
    assert residual.loc["P1", "exposure"] == pytest.approx(10)
    assert not residual.loc["P1", "exceeds"]


def test_empty_register_gives_empty_results():
    empty = frame([row("P", "R", 1, 1, 1, 1, 0)]).iloc[0:0]
    reg = risk.with_scores(empty, RULES)
    assert risk.matrix_cells(reg, RULES)["risks"].sum() == 0
    assert risk.ageing(reg, D1).empty
    assert risk.movement_totals(risk.movement(reg, RULES))["risks"] == 0
    assert risk.new_and_closed(empty, D1, D2, RULES, "high").empty
    assert risk.band_trend(empty, [D1], RULES)["risks"].sum() == 0
    assert risk.source_note(reg, pd.DataFrame({"upload_id": [], "file_name": []})) == (
        "no risk registers"
    )
    assert Config().risk.scales["almost certain"] == 5
