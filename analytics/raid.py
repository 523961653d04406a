"""The portfolio RAID log: risks, assumptions, issues, dependencies (and actions and decisions a
log may carry) of every project in the review, with their age and how far past due they are.

A RAID log is uploaded as it stands, not as weekly snapshots: a row's status is the latest one
uploaded. On an earlier review date the log leaves out items raised after that date; an item
without a raised date is always in.

An item is identified by (project_id, item_id): logs number their items per project.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from config import RiskRules

KEY = ["project_id", "item_id"]
# The RAID letters first, then what else a log may hold (models.py allows these types).
TYPE_ORDER = ["risk", "assumption", "issue", "dependency", "action", "decision"]
TYPE_LABELS = {
    "risk": "Risk",
    "assumption": "Assumption",
    "issue": "Issue",
    "dependency": "Dependency",
    "action": "Action",
    "decision": "Decision",
}
NO_TYPE = "no type"
# Statuses that close an item (compared lower-case, trimmed), besides the risk rules' closed
# statuses ([risk] closed_statuses): issues are resolved, actions done.
CLOSED_EXTRA = ("resolved", "done", "complete", "completed", "superseded")
# Minimum age choices, in days since raised (0: any age).
AGES = [0, 30, 90, 180]
# Which items the due-date filter keeps.
DUE = ["any", "overdue", "not overdue"]
COLUMNS = [
    "project_id", "name", "item_id", "type", "priority", "owner", "status", "is_open",
    "raised_date", "age_days", "due_date", "overdue", "days_overdue", "upload_id",
]  # fmt: skip


def closed_statuses(risk_closed: tuple[str, ...] | list[str] | None = None) -> set[str]:
    """The statuses that close a RAID item: the risk rules' (default ones when None) and
    ``CLOSED_EXTRA``."""
    if risk_closed is None:
        risk_closed = RiskRules().closed_statuses
    return {s.strip().lower() for s in (*risk_closed, *CLOSED_EXTRA)}


def type_label(kind) -> str:
    return TYPE_LABELS.get(kind, str(kind).capitalize()) if isinstance(kind, str) else NO_TYPE


def log(
    raid_items: pd.DataFrame,
    projects: pd.DataFrame,
    review_date,
    closed: set[str] | None = None,
) -> pd.DataFrame:
    """The RAID items of ``projects`` (rows with project_id and name: the review's snapshot)
    as of ``review_date``: ``COLUMNS``, open items first, then the most overdue, the oldest.

    ``is_open``: the status is not in ``closed`` (no status counts as open); ``age_days``:
    days from raised to the review date (NaN without a raised date); ``overdue``: open and due
    before the review date, ``days_overdue`` by how many days (NaN otherwise)."""
    closed = closed_statuses() if closed is None else closed
    review_date = pd.Timestamp(review_date)
    names = dict(zip(projects["project_id"].astype(str), projects["name"], strict=True))
    items = raid_items.astype({"project_id": str, "item_id": str})
    items = items[items["project_id"].isin(names)]
    raised = (
        pd.to_datetime(items["raised_date"])
        if "raised_date" in items
        else pd.Series(pd.NaT, index=items.index, dtype="datetime64[s]")
    )
    items = items[raised.isna() | (raised <= review_date)]
    raised = raised.loc[items.index]
    if items.empty:
        return pd.DataFrame(columns=COLUMNS)
    due = pd.to_datetime(items["due_date"])
    # each distinct status is judged once (a log repeats a handful of them)
    codes, statuses = pd.factorize(items["status"])
    shut = pd.Index(statuses.astype(str)).str.strip().str.lower().isin(list(closed))
    is_open = ~np.append(shut, False)[codes]  # code -1 (no status) is open
    late = (review_date - due).dt.days
    overdue = is_open & (late > 0).fillna(False).to_numpy(bool)
    out = pd.DataFrame(
        {
            "project_id": items["project_id"],
            "name": items["project_id"].map(names),
            "item_id": items["item_id"],
            "type": items["type"].where(items["type"].notna(), NO_TYPE).astype(str),
            "priority": items["priority"],
            "owner": items["owner"],
            "status": items["status"],
            "is_open": is_open,
            "raised_date": raised,
            "age_days": (review_date - raised).dt.days.astype(float),
            "due_date": due,
            "overdue": overdue,
            "days_overdue": late.where(overdue).astype(float),
            "upload_id": items.get("upload_id", np.nan),
        }
    )
    out = out.sort_values(
        ["is_open", "days_overdue", "age_days", "project_id", "item_id"],
        ascending=[False, False, False, True, True],
        na_position="last",
    )
    return out[COLUMNS].reset_index(drop=True)


@dataclass(frozen=True)
class RaidFilter:
    """Which items a view keeps. Empty lists keep everything; ``statuses`` empty keeps open
    items only. ``min_age``: raised at least this many days before the review date (0: any,
    and items without a raised date only then). ``due``: one of ``DUE``."""

    types: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    min_age: int = 0
    due: str = "any"

    def apply(self, items: pd.DataFrame) -> pd.DataFrame:
        mask = pd.Series(True, index=items.index)
        if self.types:
            mask &= items["type"].isin(self.types)
        if self.owners:
            mask &= items["owner"].isin(self.owners)
        if self.statuses:
            mask &= items["status"].isin(self.statuses)
        else:
            mask &= items["is_open"].astype(bool)
        if self.min_age:
            mask &= (items["age_days"] >= self.min_age).fillna(False).astype(bool)
        if self.due == "overdue":
            mask &= items["overdue"].astype(bool)
        elif self.due == "not overdue":
            mask &= ~items["overdue"].astype(bool)
        return items[mask]


def filter_options(items: pd.DataFrame) -> dict[str, list[str]]:
    """The log's types (in ``TYPE_ORDER``, others after), owners and statuses, for filters."""
    present = set(items["type"].dropna().astype(str))
    types = [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))
    return {
        "type": types,
        **{
            col: sorted(items[col].dropna().astype(str).unique().tolist())
            for col in ("owner", "status")
        },
    }


def summary(items: pd.DataFrame) -> pd.DataFrame:
    """Per type in the view: items, open, overdue, and the oldest open item's age in days."""
    if items.empty:
        return pd.DataFrame(columns=["type", "items", "open", "overdue", "oldest_open_days"])
    open_age = items["age_days"].where(items["is_open"].astype(bool))
    out = (
        items.assign(open_age=open_age, is_open=items["is_open"].astype(int))
        .groupby("type", sort=False)
        .agg(
            items=("item_id", "size"),
            open=("is_open", "sum"),
            overdue=("overdue", "sum"),
            oldest_open_days=("open_age", "max"),
        )
        .reset_index()
    )
    rank = {t: i for i, t in enumerate(TYPE_ORDER)}
    out = out.sort_values("type", key=lambda s: s.map(rank).fillna(len(rank)))
    return out.astype({"items": int, "open": int, "overdue": int}).reset_index(drop=True)


def source_note(items: pd.DataFrame, uploads: pd.DataFrame) -> str:
    """Where the log comes from: how many uploads wrote these items, and the latest one."""
    ids = pd.to_numeric(items["upload_id"], errors="coerce").dropna().astype(int).unique()
    if len(ids) == 0:
        return "no RAID logs"
    latest = uploads[uploads["upload_id"] == ids.max()]
    name = latest["file_name"].iloc[0] if len(latest) else "?"
    plural = "s" if len(ids) != 1 else ""
    return f"RAID logs from {len(ids)} upload{plural}, latest #{ids.max()} ({name})"
