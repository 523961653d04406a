"""The roadmap: every project in the review on one time axis, from its start to its forecast
end, with its baseline end, slip, RAG, gates and milestones, grouped and sorted; at scale one
summary bar per group. Pure functions of the review's frames; nothing here imports streamlit.

Slip is the forecast end against the approved baseline end (``end_date``), the same figure the
computed schedule RAG reads (``analytics.rag``); its share is slip over the planned duration
(baseline end minus start). Bars are coloured by slip band (``[roadmap] slip_band_days``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.governance import decisions_upto, gate_keys, milestone_slips
from config import Config
from models import RAG_SEVERITY

GROUPS = {"programme": "Programme", "portfolio": "Portfolio"}
SORTS = {"start": "Start", "slip": "Slip", "budget": "Budget", "rag": "RAG"}
NO_GROUP = {"programme": "(no programme)", "portfolio": "(no portfolio)"}
NO_BASELINE = "No baseline end"
ON_TIME = "On or ahead of baseline"
# Milestone states, in legend order: what a symbol on the roadmap says.
APPROVED, DONE, DUE, OVERDUE, SLIPPED = (
    "gate approved", "done", "due", "overdue", "slipped vs baseline"
)  # fmt: skip
STATES = [APPROVED, DONE, DUE, SLIPPED, OVERDUE]
ROW_COLUMNS = [
    "project_id", "name", "group", "portfolio", "programme", "manager", "stage", "display_rag",
    "start", "forecast_end", "baseline_end", "slip_days", "slip_share", "slip_band", "budget",
    "currency", "drawn",
]  # fmt: skip


def slip_bands(days: tuple[int, ...]) -> list[str]:
    """The bar colours' names, least slip first: on time, late up to each threshold, later."""
    bands, low = [ON_TIME], 1
    for d in days:
        bands.append(f"Late {low}–{d} days")
        low = d + 1
    return [*bands, f"Late over {days[-1]} days", NO_BASELINE]


def slip_band(slip_days: pd.Series, days: tuple[int, ...]) -> pd.Series:
    """Each slip's band name (``slip_bands``); no baseline end (NaN slip) has its own."""
    names = slip_bands(days)
    edges = [-np.inf, 0, *days, np.inf]
    cut = pd.cut(slip_days.astype(float), edges, labels=names[:-1], right=True)
    return cut.astype(object).where(slip_days.notna(), NO_BASELINE)


def rows(snap: pd.DataFrame, config: Config, group: str = "programme") -> pd.DataFrame:
    """One row per project in the review: dates, slip (days and share of the planned duration),
    slip band, RAG and its ``group`` (``programme`` or ``portfolio``; missing ones named)."""
    group = group if group in GROUPS else "programme"
    start = pd.to_datetime(snap["start_date"])
    end = pd.to_datetime(snap["forecast_end"])
    base = pd.to_datetime(snap["end_date"])
    slip = (end - base).dt.days.astype(float)
    planned = (base - start).dt.days.astype(float)
    out = pd.DataFrame(
        {
            "project_id": snap["project_id"].astype(str).to_numpy(),
            "name": snap["name"].astype(object).to_numpy(),
            "group": snap[group].astype(object).fillna(NO_GROUP[group]).to_numpy(),
            "portfolio": snap["portfolio"].astype(object).to_numpy(),
            "programme": snap["programme"].astype(object).to_numpy(),
            "manager": snap["manager"].astype(object).to_numpy(),
            "stage": snap["stage"].astype(object).to_numpy(),
            "display_rag": snap["display_rag"].astype(object).fillna("Grey").to_numpy(),
            "start": start.to_numpy(),
            "forecast_end": end.to_numpy(),
            "baseline_end": base.to_numpy(),
            "slip_days": slip.to_numpy(),
            "slip_share": (slip / planned.where(planned > 0)).to_numpy(),
            "budget": pd.to_numeric(snap["budget"], errors="coerce").astype(float).to_numpy(),
            "currency": snap["currency"].astype(object).to_numpy(),
        }
    )
    out["slip_band"] = slip_band(out["slip_days"], config.roadmap.slip_band_days)
    # A bar needs both ends, the right way round; the others are in the table only.
    out["drawn"] = out["start"].notna() & out["forecast_end"].notna()
    out["drawn"] &= ~(out["forecast_end"] < out["start"])
    return out[ROW_COLUMNS]


def sort_rows(frame: pd.DataFrame, key: str = "start") -> pd.DataFrame:
    """Groups by name ("(no …)" last), and within a group by ``key``: start (earliest first),
    slip (most days late first), budget (largest first) or RAG (Red, Amber, Green, Grey); ties
    by start, then project id. A gap sorts last."""
    key = key if key in SORTS else "start"
    f = frame.assign(
        _nogroup=frame["group"].astype(str).str.startswith("(no "),
        _rag=-frame["display_rag"].map(RAG_SEVERITY).fillna(0),
        _slip=-frame["slip_days"],
        _budget=-frame["budget"],
    )
    first = {"start": "start", "slip": "_slip", "budget": "_budget", "rag": "_rag"}[key]
    by = ["_nogroup", "group", *dict.fromkeys([first, "start", "project_id"])]
    f = f.sort_values(by, na_position="last", kind="stable")
    return f[frame.columns].reset_index(drop=True)


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per group: earliest start, latest forecast end, worst RAG, projects, projects
    late against baseline and the worst slip (groups in the order of ``frame``)."""
    cols = ["group", "start", "forecast_end", "display_rag", "projects", "late", "worst_slip"]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    g = frame.groupby("group", sort=False)
    worst = g["display_rag"].agg(lambda s: max(s, key=lambda r: RAG_SEVERITY.get(r, 0)))
    out = pd.DataFrame(
        {
            "start": g["start"].min(),
            "forecast_end": g["forecast_end"].max(),
            "display_rag": worst,
            "projects": g.size(),
            "late": g["slip_days"].agg(lambda s: int((s > 0).sum())),
            "worst_slip": g["slip_days"].max(),
        }
    )
    return out.rename_axis("group").reset_index()[cols]


def marks(
    frames: dict[str, pd.DataFrame], project_ids, review_date, config: Config
) -> pd.DataFrame:
    """Gates and milestones of these projects (latest plan on or before the review date), each
    with its date (actual when done, else forecast) and state:

    - ``gate approved``: a gate whose gate (``Gate 2``) has an approving decision
      (``[governance] approving_decisions``) on or before the review date;
    - ``done``: an actual date on or before the review date;
    - ``overdue``: not done and its date has passed;
    - ``slipped vs baseline``: not done, due later than its first baseline;
    - ``due``: not done, on or ahead of its baseline."""
    cols = ["project_id", "milestone_id", "name", "is_gate", "date", "baseline", "slip_days",
            "state"]  # fmt: skip
    review_date = pd.Timestamp(review_date)
    ms = frames["milestones"]
    ms = ms[ms["project_id"].isin(set(map(str, project_ids)))]
    if ms.empty:
        return pd.DataFrame(columns=cols)
    ms = milestone_slips(ms, review_date)
    if ms.empty:
        return pd.DataFrame(columns=cols)
    ms = ms.assign(project_id=ms["project_id"].astype(str))
    gate = ms["is_gate"].astype("boolean").fillna(False).astype(bool)
    approving = {d.lower() for d in config.governance.approving_decisions}
    decided = decisions_upto(frames["decisions"], review_date)
    decided = decided[decided["decision"].astype(str).str.strip().str.lower().isin(approving)]
    ok = set(zip(decided["project_id"].astype(str), decided["gate"], strict=True))
    keys = gate_keys(ms["name"])
    approved = gate & pd.Series(
        [(p, k) in ok for p, k in zip(ms["project_id"], keys, strict=True)], index=ms.index
    )
    done = ms["actual_date"].notna() & (ms["actual_date"] <= review_date)
    state = np.select(
        [approved, done, ms["due"] < review_date, ms["slip_days"] > 0],
        [APPROVED, DONE, OVERDUE, SLIPPED],
        DUE,
    )
    out = pd.DataFrame(
        {
            "project_id": ms["project_id"],
            "milestone_id": ms["milestone_id"].astype(str),
            "name": ms["name"].astype(object),
            "is_gate": gate,
            "date": ms["due"],
            "baseline": ms["original_baseline"],
            "slip_days": ms["slip_days"],
            "state": state,
        }
    )
    return out[out["date"].notna()].reset_index(drop=True)[cols]


def chunks(frame: pd.DataFrame, size: int) -> list[tuple[str, int, int, pd.DataFrame]]:
    """The charts of a sorted frame: per group, runs of at most ``size`` rows, as (group,
    part, parts, rows): a group is never mixed with another in one chart."""
    out = []
    for name, rows_ in frame.groupby("group", sort=False):
        parts = max(1, -(-len(rows_) // size))
        for i in range(parts):
            out.append((str(name), i + 1, parts, rows_.iloc[i * size : (i + 1) * size]))
    return out


def slipped_since(snap: pd.DataFrame, before: pd.DataFrame | None) -> pd.DataFrame:
    """Projects whose forecast end moved later between the compare snapshot (``before``) and
    the review's: the end then and now, days moved and slip against baseline now, most moved
    first. Empty without a compare snapshot."""
    cols = ["project_id", "name", "display_rag", "end_before", "end_now", "moved_days",
            "slip_days"]  # fmt: skip
    if before is None or before.empty or snap.empty:
        return pd.DataFrame(columns=cols)
    then = before[["project_id", "forecast_end"]].astype({"project_id": str})
    now = snap.astype({"project_id": str}).merge(
        then.rename(columns={"forecast_end": "end_before"}), on="project_id"
    )
    moved = (now["forecast_end"] - now["end_before"]).dt.days
    slip = (now["forecast_end"] - pd.to_datetime(now["end_date"])).dt.days
    now = now.assign(end_now=now["forecast_end"], moved_days=moved, slip_days=slip)
    later = now[now["moved_days"] > 0]
    later = later.sort_values(["moved_days", "project_id"], ascending=[False, True])
    return later[cols].reset_index(drop=True)


@dataclass
class Roadmap:
    """What the Roadmap page and the deck read for one (group, sort): the rows in order, the
    summary per group and whether the view is grouped (more rows than ``group_above``)."""

    group: str
    sort: str
    rows: pd.DataFrame
    summary: pd.DataFrame
    grouped: bool
    chart_rows: int

    def projects_of(self, group: str | None) -> pd.DataFrame:
        """The rows of one group (all rows for None)."""
        return self.rows if group is None else self.rows[self.rows["group"] == group]

    def charts_of(self, group: str | None) -> list[tuple[str, int, int, pd.DataFrame]]:
        """The project charts of one group (all groups for None), drawn rows only."""
        shown = self.projects_of(group)
        return chunks(shown[shown["drawn"]], self.chart_rows)


def roadmap(snap: pd.DataFrame, config: Config, group: str, sort: str) -> Roadmap:
    """The roadmap of a snapshot grouped by ``group`` and sorted by ``sort``."""
    ordered = sort_rows(rows(snap, config, group), sort)
    rules = config.roadmap
    drawn = ordered[ordered["drawn"]]
    return Roadmap(
        group=group if group in GROUPS else "programme",
        sort=sort if sort in SORTS else "start",
        rows=ordered,
        summary=summary(drawn),
        grouped=len(ordered) > rules.group_above,
        chart_rows=rules.chart_rows,
    )
