"""Replaced snapshots: what an upload changes in a stored status report, and which changes
are jumps worth a second look (EV, AC or forecast end moving more than
``[quality] overwrite_jump_pct`` %). Used by the upload preview before a commit and by the
data-quality findings after it. Pure: frames in, frames out.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from analytics import money
from analytics.snapshot import open_labels
from config import Config

KEY = ["project_id", "report_date"]
FIGURES = ["overall_rag", "percent_complete", "planned_value", "earned_value", "actual_cost",
           "forecast_end_date"]  # fmt: skip
LABELS = {"overall_rag": "RAG", "percent_complete": "% complete", "planned_value": "PV",
          "earned_value": "EV", "actual_cost": "AC",
          "forecast_end_date": "forecast end"}  # fmt: skip
MIN_DATE_BASE_DAYS = 30  # a forecast end due within a month: moves are measured against 30 days


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if pd.isna(a) or pd.isna(b):
        return False
    if isinstance(a, float) or isinstance(b, float):
        return abs(float(a) - float(b)) < 1e-9
    return pd.Timestamp(a) == pd.Timestamp(b) if "date" in str(type(a)).lower() else a == b


def jumps(before: Mapping, after: Mapping, config: Config, currency: str | None) -> list[str]:
    """EV, AC or forecast end moving more than the configured jump, as plain sentences
    (``before`` and ``after``: a row as a Series or a dict)."""
    limit = config.quality.overwrite_jump_pct
    out = []
    for f in ("earned_value", "actual_cost"):
        a, b = before.get(f), after.get(f)
        if pd.notna(a) and pd.notna(b) and a > 0:
            pct = (b - a) / a * 100
            if abs(pct) > limit:
                out.append(
                    f"{LABELS[f]} {money.plain(a, currency)} → {money.plain(b, currency)} "
                    f"({pct:+.0f}%)"
                )
    a, b = before.get("forecast_end_date"), after.get("forecast_end_date")
    if pd.notna(a) and pd.notna(b):
        moved = (pd.Timestamp(b) - pd.Timestamp(a)).days
        base = max((pd.Timestamp(a) - pd.Timestamp(before["report_date"])).days, MIN_DATE_BASE_DAYS)
        if abs(moved) / base * 100 > limit:
            out.append(
                f"forecast end {pd.Timestamp(a).date()} → {pd.Timestamp(b).date()} "
                f"({moved:+d} days, {abs(moved) / base * 100:.0f}% of the time that was left)"
            )
    return out


def compare(
    stored: pd.DataFrame, new: pd.DataFrame, config: Config, currencies: dict[str, str]
) -> pd.DataFrame:
    """One row per stored snapshot the new rows replace: before and after of the key figures,
    and the jumps. Identical rows replace nothing and are left out."""
    cols = [*KEY, "changes", "jumps"]
    if stored.empty or new.empty:
        return pd.DataFrame(columns=cols)
    both = stored.merge(new, on=KEY, suffixes=("_before", "_after"))
    # A re-sent workbook repeats most stored rows as they are: only rows with a figure that is not
    # exactly equal are walked (and judged by _same, which also forgives float noise).
    same = np.ones(len(both), dtype=bool)
    for f in FIGURES:
        if f"{f}_before" in both and f"{f}_after" in both:
            a, b = open_labels(both[f"{f}_before"]), open_labels(both[f"{f}_after"])
            same &= ((a == b).fillna(False) | (a.isna() & b.isna())).to_numpy(dtype=bool)
    rows = []
    for _, r in both[~same].iterrows():
        before = pd.Series(
            {f: r.get(f"{f}_before") for f in FIGURES} | {"report_date": r["report_date"]}
        )
        after = pd.Series({f: r.get(f"{f}_after") for f in FIGURES if f"{f}_after" in r})
        changed = [f for f in after.index if not _same(before[f], after[f])]
        if not changed:
            continue
        ccy = currencies.get(r["project_id"])
        row = {"project_id": r["project_id"], "report_date": r["report_date"]}
        for f in FIGURES:
            row[f"{LABELS[f]} before"] = _show(before.get(f), f, ccy)
            row[f"{LABELS[f]} after"] = _show(after.get(f, before.get(f)), f, ccy)
        row["changes"] = ", ".join(LABELS[f] for f in changed)
        row["jumps"] = "; ".join(jumps(before, after, config, ccy))
        rows.append(row)
    if not rows:
        return pd.DataFrame(columns=cols)
    return pd.DataFrame(rows)


def _show(value, f: str, currency: str | None) -> str:
    if value is None or pd.isna(value):
        return ""
    if f in ("planned_value", "earned_value", "actual_cost"):
        return money.plain(value, currency)
    if f == "percent_complete":
        return f"{value:g}%"
    if f == "forecast_end_date":
        return str(pd.Timestamp(value).date())
    return str(value)
