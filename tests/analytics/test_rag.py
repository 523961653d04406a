"""Computed RAG rules, the rule text that fired, overall = worst, and the watermelon flag."""

import pandas as pd
import pytest

from analytics.rag import add_computed_rag, cost_rag, schedule_rag, worst
from config import Config, CostRules, ScheduleRules, parse_config

S, C = ScheduleRules(), CostRules()


@pytest.mark.parametrize(
    ("spi", "slip", "planned", "rag", "rule_part"),
    [
        (1.0, 0, 100, "Green", "no slip"),
        (0.96, 0, 100, "Green", "SPI 0.96"),
        (0.94, 0, 100, "Amber", "SPI 0.94 < 0.95"),
        (0.84, 0, 100, "Red", "SPI 0.84 < 0.85"),
        (1.0, 5, 100, "Amber", "slip 5 d > 0"),
        (1.0, 10, 100, "Amber", "slip 10 d"),  # exactly 10 % is not more than 10 %
        (1.0, 11, 100, "Red", "11.0% of planned duration > 10%"),
        (None, None, None, "Grey", "not computable"),
        (float("nan"), 3, 100, "Amber", "slip 3 d"),
    ],
)
def test_schedule(spi, slip, planned, rag, rule_part):
    got, rule = schedule_rag(spi, slip, planned, S)
    assert got == rag
    assert rule_part in rule


@pytest.mark.parametrize(
    ("cpi", "eac", "budget", "contingency", "rag", "rule_part"),
    [
        (1.0, 100, 100, 10, "Green", "CPI 1.00"),
        (0.94, 100, 100, 10, "Amber", "CPI 0.94 < 0.95"),
        (0.84, 100, 100, 10, "Red", "CPI 0.84 < 0.85"),
        (0.96, 105, 100, 10, "Amber", "EAC 105 > budget 100"),
        (0.96, 111, 100, 10, "Red", "budget + contingency 110"),
        (None, None, 100, 10, "Grey", "not computable"),
    ],
)
def test_cost(cpi, eac, budget, contingency, rag, rule_part):
    got, rule = cost_rag(cpi, eac, budget, contingency, C)
    assert got == rag
    assert rule_part in rule


def test_both_red_rules_are_reported():
    _, rule = schedule_rag(0.7, 50, 100, S)
    assert "SPI 0.70" in rule and "slip 50 d" in rule


def test_worst():
    assert worst("Green", "Amber") == "Amber"
    assert worst("Amber", "Red", "Green") == "Red"
    assert worst("Grey", "Green") == "Green"
    assert worst("Grey", None) == "Grey"


def test_thresholds_come_from_config():
    strict = parse_config({"schedule": {"amber_spi": 0.99}})
    assert schedule_rag(0.97, 0, 100, strict.schedule)[0] == "Amber"
    assert schedule_rag(0.97, 0, 100, Config().schedule)[0] == "Green"
    with pytest.raises(ValueError, match="unknown setting"):
        parse_config({"cost": {"red_cpii": 0.8}})


def _frame(**overrides):
    row = {
        "spi": 1.0,
        "cpi": 1.0,
        "eac_typical": 100.0,
        "budget": 100.0,
        "contingency": 10.0,
        "start_date": pd.Timestamp("2026-01-01"),
        "end_date": pd.Timestamp("2026-12-31"),
        "forecast_end": pd.Timestamp("2026-12-31"),
        "overall_rag": "Green",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_watermelon_is_reported_green_computed_red():
    out = add_computed_rag(_frame(spi=0.8), Config())
    assert out.loc[0, "computed_rag"] == "Red"
    assert bool(out.loc[0, "watermelon"])
    assert "schedule: SPI 0.80 < 0.85" in out.loc[0, "computed_rule"]


def test_honest_red_is_not_a_watermelon():
    out = add_computed_rag(_frame(spi=0.8, overall_rag="Red"), Config())
    assert not out.loc[0, "watermelon"]


def test_slip_is_measured_against_baseline_end():
    # 365-day plan, forecast 60 days late: 16 % slip -> Red even with SPI 1.0
    out = add_computed_rag(_frame(forecast_end=pd.Timestamp("2027-03-01")), Config())
    assert out.loc[0, "slip_days"] == 60
    assert out.loc[0, "computed_schedule_rag"] == "Red"
