"""Registers that arrive as weekly snapshots (risks, milestones): the one in force on a date."""

from __future__ import annotations

import pandas as pd


def latest_snapshot(frame: pd.DataFrame, as_of) -> pd.DataFrame:
    """Each project's most recent snapshot (all its rows) on or before ``as_of``."""
    upto = frame[frame["report_date"] <= pd.Timestamp(as_of)]
    if upto.empty:
        return upto
    last = upto.groupby("project_id")["report_date"].transform("max")
    return upto[upto["report_date"] == last]
