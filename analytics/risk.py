"""Risk arithmetic: score, band, probability, the open register as of a date, exposure."""

from __future__ import annotations

import pandas as pd

from config import RiskRules


def band(score, rules: RiskRules) -> str | None:
    """The band name for a 1-25 score (bands from config), None when unscored."""
    if score is None or pd.isna(score):
        return None
    name = None
    for band_name, lowest in rules.bands.items():
        if score >= lowest:
            name = band_name
    return name


def latest_register(risks: pd.DataFrame, review_date) -> pd.DataFrame:
    """Each project's most recent risk-register snapshot on or before the review date."""
    upto = risks[risks["report_date"] <= pd.Timestamp(review_date)]
    if upto.empty:
        return upto
    last = upto.groupby("project_id")["report_date"].transform("max")
    return upto[upto["report_date"] == last]


def with_scores(register: pd.DataFrame, rules: RiskRules) -> pd.DataFrame:
    """Add score, residual_score, band, is_open, probability and exposure columns."""
    out = register.copy()
    out["score"] = out["likelihood"] * out["impact"]
    out["residual_score"] = out["residual_likelihood"] * out["residual_impact"]
    out["band"] = [band(s, rules) for s in out["score"]]
    out["is_open"] = ~out["status"].fillna("").str.strip().str.lower().isin(rules.closed_statuses)
    prob = {int(k): v for k, v in rules.probability.items()}
    out["probability"] = out["likelihood"].map(prob).astype(float)
    out["exposure"] = out["probability"] * out["cost_impact"].astype(float)
    return out


def open_risks(risks: pd.DataFrame, review_date, rules: RiskRules) -> pd.DataFrame:
    reg = with_scores(latest_register(risks, review_date), rules)
    return reg[reg["is_open"]]


def exposure_by_project(open_register: pd.DataFrame) -> pd.DataFrame:
    """Per project: open risk count, highest score, and exposure (sum of probability x cost)."""
    return (
        open_register.groupby("project_id")
        .agg(
            open_risks=("risk_id", "count"),
            max_risk_score=("score", "max"),
            exposure=("exposure", "sum"),
        )
        .reset_index()
    )
