"""The sample portfolio is deterministic, believable, and its numbers add up."""

import pandas as pd
import pytest

from analytics import portfolio
from config import get_config
from sample_data import generate


@pytest.fixture(scope="module")
def sample():
    return generate()


def test_deterministic(sample):
    again = generate()
    for name, frame in sample.tables().items():
        pd.testing.assert_frame_equal(frame, getattr(again, name))


def test_shape(sample):
    p = sample.projects
    assert len(p) == 60
    assert p["portfolio"].nunique() == 4 and p["programme"].nunique() == 8
    assert p["project_id"].is_unique
    assert sample.status_reports["report_date"].nunique() == 26
    # weekly cadence
    dates = sorted(sample.status_reports["report_date"].unique())
    assert {(b - a).days for a, b in zip(dates, dates[1:], strict=False)} == {7}


def test_every_frame_passes_its_schema(sample):
    import models

    for name, frame in sample.tables().items():
        models.SCHEMAS[name].validate(frame, lazy=True)


def test_earned_value_adds_up(sample):
    r = sample.status_reports.merge(sample.projects[["project_id", "budget"]], on="project_id")
    assert (r["earned_value"] <= r["budget"]).all()
    assert (r["planned_value"] <= r["budget"]).all()
    pct = 100 * r["earned_value"] / r["budget"]
    assert (pct - r["percent_complete"]).abs().max() < 0.1


def test_trajectories_are_all_present(sample):
    snap = portfolio.snapshot(
        sample.tables(), sample.status_reports["report_date"].max(), get_config()
    )
    assert snap["watermelon"].sum() >= 2, "some projects report Green while SPI/CPI say otherwise"
    assert snap["not_reported"].sum() >= 1, "some projects stop reporting"
    assert (snap["display_rag"] == "Red").sum() >= 2
    assert (snap["display_rag"] == "Green").sum() > len(snap) / 2
    assert set(sample.status_reports["rag_label"]) >= {"Amber/Green", "Green"}
    first = sample.status_reports["report_date"].min()
    assert (sample.projects["start_date"] > first).any(), "some projects start mid-period"


def test_milestone_forecasts_drift(sample):
    m = sample.milestones
    moved = m.groupby(["project_id", "milestone_id"])["forecast_date"].nunique()
    assert (moved > 1).sum() >= 5
