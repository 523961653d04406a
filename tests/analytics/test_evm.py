"""Earned value against hand-computed cases (DESIGN.md formulas)."""

import math

import pandas as pd
import pytest

from analytics.evm import add_evm, earned_value


def test_textbook_case():
    # BAC 1000, PV 500, EV 400, AC 500
    r = earned_value(1000.0, 500.0, 400.0, 500.0)
    assert r["sv"] == -100 and r["cv"] == -100
    assert r["spi"] == pytest.approx(0.8) and r["cpi"] == pytest.approx(0.8)
    assert r["eac_typical"] == pytest.approx(1250)  # 1000 / 0.8
    assert r["eac_atypical"] == pytest.approx(1100)  # 500 + (1000 - 400)
    assert r["eac_pressure"] == pytest.approx(1437.5)  # 500 + 600 / (0.8 * 0.8)
    assert r["etc"] == pytest.approx(750)
    assert r["vac"] == pytest.approx(-250)
    assert r["tcpi"] == pytest.approx(1.2)  # 600 / 500


def test_ahead_and_under_budget():
    r = earned_value(200.0, 100.0, 120.0, 100.0)
    assert r["spi"] == pytest.approx(1.2) and r["cpi"] == pytest.approx(1.2)
    assert r["eac_typical"] == pytest.approx(200 / 1.2)
    assert r["vac"] > 0


@pytest.mark.parametrize(
    ("pv", "ev", "ac", "not_computable"),
    [
        (0.0, 0.0, 0.0, {"spi", "cpi", "eac_typical", "eac_pressure", "etc", "vac"}),
        (100.0, 50.0, 0.0, {"cpi", "eac_typical", "eac_pressure", "etc", "vac"}),
        (0.0, 50.0, 40.0, {"spi", "eac_pressure"}),
        (None, 50.0, 40.0, {"spi", "sv", "eac_pressure"}),
    ],
)
def test_zero_or_missing_denominators_are_not_computable(pv, ev, ac, not_computable):
    r = earned_value(1000.0, pv if pv is not None else float("nan"), ev, ac)
    for key, value in r.items():
        assert not math.isinf(value), key
        assert math.isnan(value) == (key in not_computable), key


def test_tcpi_when_budget_spent():
    assert math.isnan(earned_value(100.0, 100.0, 80.0, 100.0)["tcpi"])


def test_frame_version_matches_scalar():
    df = pd.DataFrame(
        {
            "budget": [1000.0, 1000.0],
            "planned_value": [500.0, 0.0],
            "earned_value": [400.0, 0.0],
            "actual_cost": [500.0, 0.0],
        }
    )
    out = add_evm(df)
    assert out.loc[0, "eac_typical"] == pytest.approx(1250)
    assert math.isnan(out.loc[1, "spi"]) and math.isnan(out.loc[1, "cpi"])
