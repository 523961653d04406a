"""What changed between two review dates, on a hand-built portfolio whose changes are known."""

from __future__ import annotations

import pandas as pd
import pytest

from analytics import changes
from config import Config, parse_config
from models import DATE_FIELDS, FIELDS

D0, D1, D2 = pd.Timestamp("2025-12-26"), pd.Timestamp("2026-01-02"), pd.Timestamp("2026-01-16")


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """A frame shaped like store.read_frames returns: canonical columns, dates as datetime64."""
    df = pd.DataFrame(rows, columns=[*FIELDS[name], "upload_id"])
    for col in DATE_FIELDS[name]:
        df[col] = pd.to_datetime(df[col])
    if "upload_id" in df:
        df["upload_id"] = df["upload_id"].fillna(1).astype(int)
    return df


def project(pid: str, name: str, start="2025-06-01", **kw) -> dict:
    row = {
        "project_id": pid,
        "name": name,
        "portfolio": "Core",
        "manager": kw.pop("manager", "Ann"),
        "budget": 1000.0,
        "contingency": 100.0,
        "start_date": start,
        "end_date": "2026-12-31",
        "forecast_end_date": "2026-12-31",
    }
    row.update(kw)
    return row


def report(pid: str, date, rag: str = "Green", **kw) -> dict:
    row = {
        "project_id": pid,
        "report_date": date,
        "overall_rag": rag,
        "schedule_rag": rag,
        "cost_rag": rag,
        "scope_rag": "Green",
        "resource_rag": "Green",
        "rag_label": rag,
        "percent_complete": 50.0,
        "planned_value": 500.0,
        "earned_value": 500.0,
        "actual_cost": 500.0,
        "forecast_end_date": "2026-12-31",
        "summary": "ok",
        "decisions_needed": "",
    }
    row.update(kw)
    return row


def risk(pid, rid, date, likelihood, impact, status="Open", title="A risk") -> dict:
    return {
        "project_id": pid,
        "risk_id": rid,
        "report_date": date,
        "title": title,
        "status": status,
        "likelihood": likelihood,
        "impact": impact,
        "cost_impact": 10.0,
    }


def milestone(pid, mid, date, baseline, forecast, name="Go-live") -> dict:
    return {
        "project_id": pid,
        "milestone_id": mid,
        "report_date": date,
        "name": name,
        "baseline_date": baseline,
        "forecast_date": forecast,
        "status": "On track",
        "is_gate": False,
    }


def portfolio_frames() -> dict[str, pd.DataFrame]:
    """P1 turns Red (overall and cost); P2 improves Amber -> Green and closes a high risk;
    P3 stops reporting; P4 raises a new critical risk; P5's go-live slips 30 days; P6
    re-baselines; P7 starts between the two reviews; P8 stays the same."""
    ids = [f"P{i}" for i in range(1, 9)]
    names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel"]
    projects = [project(pid, n) for pid, n in zip(ids, names, strict=True)]
    projects[6]["start_date"] = "2026-01-10"  # P7: new in the review between D1 and D2
    reports = []
    for pid in ids:
        for d in (D0, D1, D2):
            if pid == "P7" and d < D2:
                continue
            if pid == "P3" and d == D2:
                continue  # stopped reporting
            rag = "Green"
            if pid == "P1" and d == D2:
                rag = "Red"
            if pid == "P2" and d < D2:
                rag = "Amber"
            reports.append(report(pid, d, rag))
    risks = [
        risk("P2", "R1", D0, 3, 4, title="Supplier late"),
        risk("P8", "R1", D0, 4, 4, title="Steady"),
        risk("P2", "R1", D1, 3, 4, title="Supplier late"),  # 12 = high, open
        risk("P2", "R1", D2, 3, 4, status="Closed", title="Supplier late"),
        risk("P4", "R1", D1, 1, 2, title="Minor"),
        risk("P4", "R1", D2, 1, 2, title="Minor"),
        risk("P4", "R2", D2, 5, 4, title="Data centre exit blocked"),  # 20 = critical, new
        risk("P8", "R1", D1, 4, 4, title="Steady"),  # critical on both dates: no change
        risk("P8", "R1", D2, 4, 4, title="Steady"),
    ]
    milestones = [
        milestone("P5", "M1", D1, "2026-03-01", "2026-03-01"),
        milestone("P5", "M1", D2, "2026-03-01", "2026-03-31"),  # +30 days
        milestone("P5", "M2", D1, "2026-05-01", "2026-05-01", name="Handover"),
        milestone("P5", "M2", D2, "2026-05-01", "2026-05-10", name="Handover"),  # +9: below
        milestone("P6", "M1", D1, "2026-03-01", "2026-04-01"),
        milestone("P6", "M1", D2, "2026-04-01", "2026-04-01"),  # re-baselined to the forecast
    ]
    return {
        "projects": table("projects", projects),
        "status_reports": table("status_reports", reports),
        "risks": table("risks", risks),
        "milestones": table("milestones", milestones),
        "decisions": table("decisions", []),
        "raid_items": table("raid_items", []),
        "uploads": pd.DataFrame(
            {"upload_id": [1], "file_name": ["hand-built.xlsx"], "uploaded_at": [pd.Timestamp(0)]}
        ),
    }


@pytest.fixture
def comparison():
    return changes.compare(portfolio_frames(), D2, D1, Config())


def test_change_set_is_exactly_the_known_changes(comparison):
    got = {
        (r.project_id, r.kind, r.dimension, r.before, r.after, r.direction)
        for r in comparison.changes.itertuples()
    }
    assert got == {
        ("P1", "rag", "overall", "Green", "Red", "worsened"),
        ("P1", "rag", "schedule", "Green", "Red", "worsened"),
        ("P1", "rag", "cost", "Green", "Red", "worsened"),
        ("P2", "rag", "overall", "Amber", "Green", "improved"),
        ("P2", "rag", "schedule", "Amber", "Green", "improved"),
        ("P2", "rag", "cost", "Amber", "Green", "improved"),
        ("P2", "risk", "closed", "12 (high)", "closed", "improved"),
        ("P3", "project", "stopped reporting", "Green", "Grey", "worsened"),
        ("P4", "risk", "new", "", "20 (critical)", "worsened"),
        ("P5", "milestone", "Go-live", "2026-03-01", "2026-03-31", "worsened"),
        ("P6", "rebaseline", "Go-live", "2026-03-01", "2026-04-01", "changed"),
        ("P7", "project", "new", "", "in review", "changed"),
    }
    assert list(comparison.changes.columns) == changes.COLUMNS


def test_details_name_the_evidence(comparison):
    ch = comparison.changes.set_index(["project_id", "kind"])
    assert ch.loc[("P5", "milestone"), "detail"] == (
        "Go-live: forecast 2026-03-01 → 2026-03-31 (+30 d), +30 d against baseline 2026-03-01"
    )
    assert "no report since 2026-01-02 (14 days)" in ch.loc[("P3", "project"), "detail"]
    assert "Data centre exit blocked" in ch.loc[("P4", "risk"), "detail"]
    assert "2026-03-01 → 2026-04-01 (+31 d)" in ch.loc[("P6", "rebaseline"), "detail"]


def test_worst_first_and_kinds_in_reading_order(comparison):
    kinds = comparison.changes["kind"].tolist()
    assert kinds == sorted(kinds, key=changes.KIND_ORDER.index)
    rag = comparison.changes[comparison.changes["kind"] == "rag"]
    assert rag["direction"].iloc[0] == "worsened" and rag["dimension"].iloc[0] == "overall"


def test_narrative(comparison):
    assert changes.narrative(comparison, Config()) == (
        "Review of 2026-01-16 compared with 2026-01-02: 8 projects, 1 Red (+1), 0 Amber (-1), "
        "6 Green, 1 not reported (+1).\n"
        "1 project turned Red: Alpha (P1).\n"
        "1 project improved to Green: Bravo (P2).\n"
        "Dimension RAG worsened on 1 project: Alpha (P1): schedule Green → Red and "
        "Alpha (P1): cost Green → Red.\n"
        "Dimension RAG improved on 1 project: Bravo (P2): schedule Amber → Green and "
        "Bravo (P2): cost Amber → Green.\n"
        "1 project stopped reporting: Charlie (P3).\n"
        "1 project joined the review: Golf (P7).\n"
        "1 new or escalated high-or-above risk: Delta (P4): new critical risk "
        "R2 Data centre exit blocked, score 20.\n"
        "1 high-or-above risk closed or reduced: Bravo (P2): high risk R1 Supplier late closed.\n"
        "1 milestone forecast moved more than 14 days (1 later): Echo (P5): Go-live: forecast "
        "2026-03-01 → 2026-03-31 (+30 d), +30 d against baseline 2026-03-01.\n"
        "1 project re-baselined: Foxtrot (P6): Go-live: baseline moved 2026-03-01 → 2026-04-01 "
        "(+31 d); slip is still measured against the approved baseline."
    )


def test_first_week_has_nothing_to_compare():
    c = changes.compare(portfolio_frames(), D0, None, Config())
    assert c.before is None and c.changes.empty
    assert list(c.changes.columns) == changes.COLUMNS
    assert "nothing to compare with" in changes.narrative(c, Config())
    tiles = changes.headline(portfolio_frames(), c, Config()).set_index("key")
    assert tiles.loc["projects", "now"] == 7  # P7 has not started yet
    assert pd.isna(tiles.loc["n_red", "change"])


def test_no_changes_is_said_plainly():
    frames = portfolio_frames()
    c = changes.compare(frames, D1, D0, Config())  # nothing moved between D0 and D1
    assert c.changes.empty
    assert changes.narrative(c, Config()).endswith("No changes above the thresholds.")


def test_thresholds_come_from_config():
    frames = portfolio_frames()
    strict = parse_config({"changes": {"milestone_move_days": 5, "risk_band": "critical"}})
    ch = changes.compare(frames, D2, D1, strict).changes
    moved = ch[ch["kind"] == "milestone"]
    assert set(moved["dimension"]) == {"Go-live", "Handover"}  # the 9-day move now counts
    # P2's risk scored 12 (high) is below the critical band now, so its closure is not listed.
    assert set(ch[ch["kind"] == "risk"]["project_id"]) == {"P4"}


def test_eac_and_forecast_end_moves():
    frames = portfolio_frames()
    rep = frames["status_reports"]
    at_d2 = (rep["project_id"] == "P8") & (rep["report_date"] == D2)
    # CPI 500/625 = 0.8: EAC 1000 -> 1250 (+25 % of budget); forecast end +40 days.
    rep.loc[at_d2, "actual_cost"] = 625.0
    rep.loc[at_d2, "forecast_end_date"] = pd.Timestamp("2027-02-09")
    ch = changes.compare(frames, D2, D1, Config()).changes
    p8 = ch[ch["project_id"] == "P8"].set_index("kind")
    assert p8.loc["eac", "detail"] == "EAC £1,000 → £1,250 (+25.0% of budget £1k)"
    assert p8.loc["forecast_end", "before"] == "2026-12-31"
    assert p8.loc["forecast_end", "after"] == "2027-02-09"
    assert p8.loc["forecast_end", "direction"] == "worsened"


def test_headline_tiles_carry_the_change(comparison):
    tiles = changes.headline(portfolio_frames(), comparison, Config()).set_index("key")
    assert tiles.loc["n_red", "now"] == 1 and tiles.loc["n_red", "change"] == 1
    assert tiles.loc["not_reported", "change"] == 1
    # Open high-or-above risks: D1 P2 (12) + P8 (16); D2 P4 (20) + P8 (16).
    assert tiles.loc["hot_risks", "now"] == 2 and tiles.loc["hot_risks", "change"] == 0
    assert tiles.loc["projects", "change"] == 1


def test_needs_attention_gives_reasons(comparison):
    frames = portfolio_frames()
    rep = frames["status_reports"]
    at_d2 = (rep["project_id"] == "P1") & (rep["report_date"] == D2)
    rep.loc[at_d2, "decisions_needed"] = "Approve CR-12"
    c = changes.compare(frames, D2, D1, Config())
    att = changes.needs_attention(c, Config()).set_index("project_id")
    assert list(att.index) == ["P1", "P3"]  # Red first, then not reported
    assert att.loc["P1", "reasons"] == (
        "Red; decision requested: Approve CR-12; worsened: overall Green → Red; "
        "worsened: schedule Green → Red; worsened: cost Green → Red"
    )
    assert att.loc["P3", "reasons"] == "not reported: no report for 14 days"
    assert att.loc["P3", "display_rag"] == "Grey"


def test_watermelon_is_flagged_with_its_rule():
    frames = portfolio_frames()
    rep = frames["status_reports"]
    at_d2 = (rep["project_id"] == "P8") & (rep["report_date"] == D2)
    rep.loc[at_d2, "earned_value"] = 400.0  # SPI 0.8 and CPI 0.8 while reported Green
    att = changes.needs_attention(changes.compare(frames, D2, D1, Config()), Config())
    reasons = att.set_index("project_id").loc["P8", "reasons"]
    assert reasons.startswith("watermelon: reported Green, computed Red")
    assert "SPI 0.80 < 0.85" in reasons


def test_filters_limit_the_change_set():
    frames = portfolio_frames()
    frames["projects"].loc[frames["projects"]["project_id"] == "P1", "portfolio"] = "Other"
    c = changes.compare(frames, D2, D1, Config(), {"portfolio": ["Other"]})
    assert set(c.changes["project_id"]) == {"P1"}
