"""Who has not reported: review date minus last report date beyond cadence plus grace."""

from __future__ import annotations

import pandas as pd

from config import Staleness


def days_since(review_date: pd.Timestamp, last_report: pd.Series) -> pd.Series:
    """Whole days from each last report to the review date (NaN when never reported)."""
    return (pd.Timestamp(review_date) - pd.to_datetime(last_report)).dt.days.astype("Float64")


def is_stale(review_date: pd.Timestamp, last_report: pd.Series, rules: Staleness) -> pd.Series:
    """True when a project has not reported within cadence + grace days (or never reported)."""
    age = days_since(review_date, last_report)
    return (age.isna() | (age > rules.cadence_days + rules.grace_days)).astype(bool)


ON_TIME, LATE, NOT_REPORTED = "on time", "late", "not reported"


def reporting_status(
    review_date: pd.Timestamp, last_report: pd.Series, rules: Staleness
) -> pd.Series:
    """``on time`` (reported within the cadence), ``late`` (this cycle's report is missing but
    the grace period has not run out) or ``not reported`` (beyond cadence + grace, or never)."""
    age = days_since(review_date, last_report)
    status = pd.Series(LATE, index=last_report.index, dtype="string")
    status[(age < rules.cadence_days).fillna(False).to_numpy(dtype=bool)] = ON_TIME
    status[is_stale(review_date, last_report, rules).to_numpy()] = NOT_REPORTED
    return status
