"""Staleness by manager, plausibility rules, and quality scores on hand-built frames."""

from __future__ import annotations

import pandas as pd

from analytics import quality
from analytics.staleness import reporting_status
from config import Config, Staleness, parse_config
from tests.analytics.test_changes import milestone, project, report, table

R = pd.Timestamp("2026-01-16")  # the review date


def test_reporting_status_on_time_late_not_reported():
    last = pd.Series(pd.to_datetime(["2026-01-16", "2026-01-10", "2026-01-09", "2026-01-06",
                                     "2026-01-05", None]))  # fmt: skip
    got = reporting_status(R, last, Staleness(cadence_days=7, grace_days=3)).tolist()
    # ages 0, 6 -> on time; 7, 10 -> late (within grace); 11, never -> not reported
    assert got == ["on time", "on time", "late", "late", "not reported", "not reported"]


def frames_with(reports: list[dict], projects: list[dict], milestones=(), decisions=()):
    return {
        "projects": table("projects", projects),
        "status_reports": table("status_reports", reports),
        "risks": table("risks", []),
        "milestones": table("milestones", list(milestones)),
        "decisions": table("decisions", list(decisions)),
        "raid_items": table("raid_items", []),
        "uploads": pd.DataFrame(
            {
                "upload_id": [1, 2],
                "file_name": ["week1.xlsx", "week2.xlsx"],
                "uploaded_at": pd.to_datetime(["2026-01-09", "2026-01-16"], utc=True),
            }
        ),
    }


def test_reporting_grouped_by_manager():
    projects = [
        project("A1", "Apple", manager="Ann"),
        project("A2", "Apricot", manager="Ann"),
        project("B1", "Banana", manager="Bob"),
        project("B2", "Blueberry", manager="Bob"),
    ]
    reports = [
        report("A1", R),
        report("A2", "2026-01-09"),  # 7 days: late
        report("B1", "2025-12-19"),  # 28 days: not reported
        report("B2", R),
    ]
    status = quality.reporting(frames_with(reports, projects), R, Config())
    assert status[["project_id", "status", "age_days"]].values.tolist() == [
        ["A2", "late", 7],
        ["A1", "on time", 0],
        ["B1", "not reported", 28],
        ["B2", "on time", 0],
    ]
    assert status.set_index("project_id").loc["B1", "display_rag"] == "Grey"
    summary = quality.by_manager(status).set_index("manager")
    assert summary.loc["Bob", ["on_time", "late", "not_reported", "oldest_days"]].tolist() == [
        1, 0, 1, 28,
    ]  # fmt: skip
    assert summary.index[0] == "Bob"  # managers with unreported projects first


def test_plausibility_rules_name_project_field_value_and_rule():
    projects = [project(p, f"Project {p}") for p in ("P1", "P2", "P3", "P4", "P5", "P6")]
    d1, d2 = pd.Timestamp("2026-01-09"), R
    reports = [
        report("P1", d1, percent_complete=40.0, upload_id=1),
        report("P1", d2, percent_complete=35.0, upload_id=2),  # went down
        report("P2", d2, actual_cost=1600.0, upload_id=2),  # budget 1000: over 1.5x
        report("P3", d2, actual_cost=1500.0, forecast_end_date="2026-01-10", upload_id=2),
        report("P4", d2, forecast_end_date="2026-01-10", percent_complete=100.0, upload_id=2),
        report("P5", d2, upload_id=2),  # Green with an overdue milestone
        report("P6", d2, rag="Amber", upload_id=2),  # overdue milestone, but not Green
    ]
    ms = [
        milestone("P5", "M1", d2, "2026-01-12", "2026-01-12", name="Design sign-off"),
        milestone("P6", "M1", d2, "2026-01-12", "2026-01-12", name="Design sign-off"),
        milestone("P5", "M2", d2, "2026-01-12", "2026-01-12", name="Done one")
        | {"actual_date": "2026-01-12"},
    ]
    found = quality.findings(frames_with(reports, projects, ms), Config(), upto=R)
    got = {(r.project_id, r.field, r.value, r.rule) for r in found.itertuples()}
    assert got == {
        (
            "P1",
            "percent_complete",
            "35% (was 40% on 2026-01-09)",
            "percent complete went down since the previous report",
        ),
        ("P2", "actual_cost", "£1,600 vs budget £1,000", "actual cost above 1.5 x budget"),
        (
            "P3",
            "forecast_end_date",
            "2026-01-10 (report 2026-01-16)",
            "forecast end date before the report date (project not complete)",
        ),
        (
            "P5",
            "overall_rag",
            "Green; overdue: Design sign-off (due 2026-01-12)",
            "overall RAG Green with an overdue milestone",
        ),
    }
    assert set(found["name"]) == {"Project P1", "Project P2", "Project P3", "Project P5"}
    assert (found["upload_id"] == 2).all()
    # The factor is configurable: at 1.7x, P2's 1.6x is no longer a finding.
    lenient = parse_config({"quality": {"cost_overrun_factor": 1.7}})
    found = quality.findings(frames_with(reports, projects, ms), lenient, upto=R)
    assert "P2" not in set(found["project_id"])


def test_rebaseline_needs_a_recorded_decision():
    projects = [project("P1", "Unapproved"), project("P2", "Approved")]
    d1, d2 = pd.Timestamp("2026-01-09"), R
    reports = [report(p, d) for p in ("P1", "P2") for d in (d1, d2)]
    ms = [
        milestone(p, "M1", d, "2026-03-01" if d == d1 else "2026-04-01", "2026-04-01")
        for p in ("P1", "P2")
        for d in (d1, d2)
    ]
    decisions = [
        {"project_id": "P2", "decision_id": "D9", "decision_date": "2026-01-12",
         "decision": "approved", "forum": "Board"},
        # P1's decision predates the window (14 days before the previous snapshot)
        {"project_id": "P1", "decision_id": "D1", "decision_date": "2025-12-01",
         "decision": "go", "forum": "Gate 1"},
    ]  # fmt: skip
    found = quality.findings(frames_with(reports, projects, ms, decisions), Config(), upto=R)
    assert found[["project_id", "field", "rule"]].values.tolist() == [
        ["P1", "baseline_date", "baseline date changed without a recorded decision"]
    ]
    assert found["value"].iloc[0].startswith("Go-live: 2026-03-01 → 2026-04-01")


def test_scores_per_project_and_per_upload():
    projects = [project("P1", "Clean"), project("P2", "Gappy")]
    d1, d2 = pd.Timestamp("2026-01-09"), R
    reports = [
        report("P1", d1, upload_id=1),
        report("P1", d2, upload_id=2),
        report("P2", d1, percent_complete=60.0, upload_id=1),
        # two of the 11 required fields blank, and percent complete went down
        report("P2", d2, summary="  ", cost_rag=None, percent_complete=55.0, upload_id=2),
    ]
    frames = frames_with(reports, projects)
    found = quality.findings(frames, Config(), upto=R)
    per_project = quality.project_scores(frames, found, R, Config()).set_index("project_id")
    assert per_project.loc["P1", "score"] == 100
    # completeness (100 + 9/11*100)/2 = 90.9; plausibility 50 (1 of 2 reports flagged)
    assert round(per_project.loc["P2", "completeness"], 1) == 90.9
    assert per_project.loc["P2", "plausibility"] == 50
    assert round(per_project.loc["P2", "score"], 1) == 70.5
    assert per_project.loc["P2", "latest_missing"] == "cost_rag, summary"
    assert per_project.index[0] == "P2"  # worst first

    per_upload = quality.upload_scores(frames, found, upto=R).set_index("upload_id")
    assert per_upload.loc[1, "score"] == 100
    assert per_upload.loc[2, "findings"] == 1
    assert round(per_upload.loc[2, "completeness"], 1) == round(100 * 20 / 22, 1)
    assert per_upload.loc[2, "plausibility"] == 50
    assert per_upload.loc[2, "missing"] == "cost_rag ×1, summary ×1"
    assert per_upload.loc[2, "file_name"] == "week2.xlsx"


def test_empty_frames_give_empty_results():
    frames = frames_with([], [])
    found = quality.findings(frames, Config(), upto=R)
    assert found.empty and list(found.columns) == quality.FINDING_COLUMNS
    assert quality.upload_scores(frames, found, upto=R).empty


def test_skipped_rows_from_the_stored_upload_reports():
    uploads = pd.DataFrame({"upload_id": [1, 2], "file_name": ["a.xlsx", "b.csv"]})
    skipped = {"sheet": "S", "row": 12, "column": "Budget", "value": "-5",
               "message": "budget: must not be negative", "severity": "error",
               "outcome": "skipped"}  # fmt: skip
    warned = {**skipped, "row": 3, "severity": "warning", "outcome": "warned"}
    reports = {
        1: {"sheets": [{"problems": [skipped, warned]}]},
        2: {"sheets": [{"problems": [{**skipped, "row": 178, "sheet": "T"}]}]},
    }
    out = quality.skipped_rows(reports, uploads)
    assert list(out.columns) == quality.SKIPPED_COLUMNS
    assert list(zip(out["upload_id"], out["file_name"], out["row"], strict=True)) == [
        (2, "b.csv", 178), (1, "a.xlsx", 12),
    ]  # fmt: skip
    assert quality.skipped_rows({}, uploads).empty
