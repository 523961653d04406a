"""The scale benchmark's portfolio (sample_data.generator.WEEKLY_REGISTERS) has the shape issue 13
states, per project, and bench/ refuses to run when the menu lists no page."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import models
from analytics import portfolio
from analytics.risk import open_risks
from config import get_config
from sample_data.generator import MILESTONES_8, WEEKLY_REGISTERS, Shape, generate, report_dates

ROOT = Path(__file__).resolve().parents[2]
PROJECTS, WEEKS = 100, 156


@pytest.fixture(scope="module")
def portfolio_frames():
    return generate(n_projects=PROJECTS, weeks=WEEKS, shape=WEEKLY_REGISTERS).tables()


def test_every_frame_passes_its_schema(portfolio_frames):
    for name, frame in portfolio_frames.items():
        models.SCHEMAS[name].validate(frame, lazy=True)


def test_projects_report_every_week(portfolio_frames):
    reports = portfolio_frames["status_reports"]
    weeks = reports.groupby("project_id", observed=True)["report_date"].nunique()
    # all but the few new and stopped projects report every week of the window
    assert (weeks == WEEKS).mean() >= 0.9


def test_registers_kept_weekly_for_a_quarter_then_quarterly(portfolio_frames):
    dates = report_dates(WEEKS)
    expected = {dates[-1 - back] for back in range(WEEKS) if back < 13 or back % 13 == 0}
    assert len(expected) == 24
    for table in ("risks", "milestones"):
        assert set(portfolio_frames[table]["report_date"]) == expected, table


def test_latest_register_holds_twenty_open_risks_a_project(portfolio_frames):
    last = portfolio_frames["status_reports"]["report_date"].max()
    n_open = len(open_risks(portfolio_frames["risks"], last, get_config().risk))
    assert 17 * PROJECTS <= n_open <= 23 * PROJECTS
    # closed risks leave the register after four weeks: the latest one is mostly open
    latest = portfolio_frames["risks"][portfolio_frames["risks"]["report_date"] == last]
    assert (latest["status"] == "Open").mean() > 0.8


def test_eight_milestones_and_three_decisions_a_project(portfolio_frames):
    ms = portfolio_frames["milestones"]
    latest = ms[ms["report_date"] == ms["report_date"].max()]
    assert set(latest["name"]) == set(MILESTONES_8)
    assert latest.groupby("project_id", observed=True).size().eq(8).all()
    per_project = len(portfolio_frames["decisions"]) / PROJECTS
    assert 2.5 <= per_project <= 3.5


def test_a_fifth_of_projects_need_attention(portfolio_frames):
    last = portfolio_frames["status_reports"]["report_date"].max()
    snap = portfolio.snapshot(portfolio_frames, last, get_config())
    attention = snap["display_rag"].isin(["Red", "Amber"]) | snap["watermelon"]
    attention |= snap["not_reported"]
    assert 0.12 <= attention.mean() <= 0.3


def test_the_default_shape_keeps_every_register():
    assert all(Shape().keeps(w, 26) for w in range(26))
    thin = Shape(register_every=13, weekly_for=0)
    assert [w for w in range(27) if thin.keeps(w, 27)] == [0, 13, 26]  # counted from the latest


def test_a_small_generated_portfolio_is_the_same_twice():
    shape = Shape(register_every=4, weekly_for=2, risks=(10, 12), closed_kept=2)
    a, b = (generate(n_projects=8, weeks=30, shape=shape).tables() for _ in range(2))
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name])


@pytest.mark.parametrize("script", ["bench_scale.py", "bench_browser.py"])
def test_a_bench_with_no_page_in_the_menu_exits_non_zero(script):
    # the menu emptied before the bench reads it: it must stop, not print a table of nothing
    code = (
        "import runpy, sys; sys.path.insert(0, '.'); import ui.navigation as n; "
        f"n.SCRIPTS.clear(); sys.argv = ['{script}', '--help']; "
        f"runpy.run_path('bench/{script}', run_name='__main__')"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0
    assert "no pages found in ui/navigation.py" in run.stderr
