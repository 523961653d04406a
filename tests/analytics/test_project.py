"""Project detail analytics: RAG strip, EVM series, milestone trend with re-baselines, lineage."""

import pandas as pd
import pytest

import models
from analytics import project as proj
from config import Config

REVIEW = pd.Timestamp("2026-11-20")


def _frames(**tables):
    names = ("projects", "status_reports", "risks", "milestones", "decisions", "raid_items")
    out = {n: models.conform(n, pd.DataFrame(tables.get(n, []))) for n in names}
    out["uploads"] = pd.DataFrame(
        {"upload_id": [1, 2], "file_name": ["register.xlsx", "week.xlsx"],
         "uploaded_by": ["ann", "bob"], "source": ["upload", "cli"],
         "uploaded_at": pd.to_datetime(["2026-11-01", "2026-11-14"], utc=True)}
    )  # fmt: skip
    return out


def _rep(date, rag, pv, ev, ac, upload=2):
    return {"project_id": "A", "report_date": date, "overall_rag": rag, "schedule_rag": rag,
            "cost_rag": "Green", "scope_rag": None, "resource_rag": "Amber", "planned_value": pv,
            "earned_value": ev, "actual_cost": ac, "summary": "<b>not html</b>",
            "upload_id": upload}  # fmt: skip


def _sample():
    reports = [
        _rep(pd.Timestamp("2026-11-20") - pd.Timedelta(weeks=w), "Red" if w == 0 else "Green",
             100.0 * (15 - w), 90.0 * (15 - w), 120.0 * (15 - w))
        for w in range(15)
    ] + [_rep("2026-11-27", "Amber", 1, 1, 1)]  # after the review date  # fmt: skip
    return _frames(
        projects=[{"project_id": "A", "name": "Alpha", "budget": 2000.0, "upload_id": 1},
                  {"project_id": "B", "name": "Bravo", "budget": 10.0, "upload_id": 1}],
        status_reports=reports,
        milestones=[
            {"project_id": "A", "milestone_id": "M1", "report_date": "2026-11-06", "name": "Go",
             "baseline_date": "2027-01-10", "forecast_date": "2027-01-10", "upload_id": 2},
            {"project_id": "A", "milestone_id": "M1", "report_date": "2026-11-13", "name": "Go",
             "baseline_date": "2027-02-10", "forecast_date": "2027-02-12", "upload_id": 2},
        ],
        decisions=[{"project_id": "A", "decision_id": "D1", "forum": "Gate 1",
                    "decision_date": "2026-11-10", "decision": "go", "upload_id": 1}],
    )  # fmt: skip


def test_rag_strip_last_12_reports_up_to_review_date():
    f = _sample()
    strip = proj.rag_strip(f["status_reports"], "A", REVIEW)
    dates = strip["report_date"].unique()
    assert len(dates) == 12 and dates.max() == REVIEW  # not the report of 27 Nov
    assert set(strip["dimension"]) == {"Overall", "Schedule", "Cost", "Scope", "Resource"}
    last = strip[strip["report_date"] == REVIEW].set_index("dimension")["rag"]
    assert last["Overall"] == "Red" and last["Scope"] == "Grey"  # missing -> Grey
    assert proj.rag_strip(f["status_reports"], "B", REVIEW).empty


def test_narrative_is_the_last_report_as_plain_text():
    f = _sample()
    story = proj.latest_narrative(f["status_reports"], "A", REVIEW)
    assert story["report_date"] == REVIEW and story["summary"] == "<b>not html</b>"
    assert story["decisions_needed"] == ""
    assert proj.latest_narrative(f["status_reports"], "B", REVIEW) is None


def test_evm_series():
    s = proj.evm_series(_sample(), "A", REVIEW)
    assert len(s) == 15
    last = s.iloc[-1]  # PV 1500, EV 1350, AC 1800, BAC 2000
    assert last["spi"] == pytest.approx(0.9) and last["cpi"] == pytest.approx(0.75)
    assert last["eac_typical"] == pytest.approx(2000 / 0.75)
    assert last["eac_atypical"] == pytest.approx(1800 + 650)
    assert last["eac_pressure"] == pytest.approx(1800 + 650 / (0.75 * 0.9))


def test_milestone_trend_marks_rebaseline_and_keeps_original():
    trend = proj.milestone_trend(_sample()["milestones"], "A", REVIEW)
    assert trend["rebaselined"].tolist() == [False, True]
    assert (trend["original_baseline"] == pd.Timestamp("2027-01-10")).all()
    assert trend["slip_days"].tolist() == [0, 33]
    events = proj.rebaselines(trend)
    assert len(events) == 1 and events.loc[0, "to"] == pd.Timestamp("2027-02-10")
    assert events.loc[0, "from"] == pd.Timestamp("2027-01-10")
    table = proj.milestone_table(trend)
    assert len(table) == 1 and table.loc[0, "slip_days"] == 33
    assert proj.milestone_trend(_sample()["milestones"], "B", REVIEW).empty


def test_lineage_lists_the_uploads_that_fed_the_project():
    lin = proj.lineage(_sample(), "A")
    assert lin["upload_id"].tolist() == [2, 1]
    assert lin.loc[0, "file_name"] == "week.xlsx" and lin.loc[0, "uploaded_by"] == "bob"
    assert "status_reports 16" in lin.loc[0, "rows"] and "milestones 2" in lin.loc[0, "rows"]
    assert lin.loc[1, "rows"] == "projects 1, decisions 1"


def test_unknown_or_empty_project():
    f = _sample()
    assert proj.header(f["projects"], "ZZZ") is None
    assert proj.header(f["projects"], "B")["name"] == "Bravo"
    assert proj.project_risks(f["risks"], "B", REVIEW, Config()).empty
    assert proj.project_raid(f["raid_items"], "B").empty
    assert proj.project_decisions(f, "B", REVIEW).empty
    assert proj.project_decisions(f, "A", REVIEW)["decision_id"].tolist() == ["D1"]
