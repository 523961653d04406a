"""People and their load: one row per project manager (or sponsor) over the projects of the
review, with what an executive asks about a person's portfolio (how many projects, how much
money, how many Red, late reports, high risks, overdue RAID items and milestones) and a flag
when one person carries too much.

Pure functions over the review's results (snapshot, open risks, RAID log, milestones): the
review model (analytics.review) computes them once. Names are grouped as loaded (the text of
the ``manager`` or ``sponsor`` column), so the page works without roles; an e-mail is shown
where one is known (``manager_email``, or a pm grant on the person's projects).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import money, risk
from analytics.snapshot import latest_snapshot
from analytics.staleness import ON_TIME, reporting_status
from config import Config

ROLES = {"manager": "Project manager", "sponsor": "Sponsor"}
NO_NAME = {"manager": "(no manager)", "sponsor": "(no sponsor)"}
FLAG = "⚠"  # shape and word beside it: never colour alone
DONE_WORDS = ("complete", "completed", "done", "achieved")  # as the quality check reads them
PERSON_COLUMNS = [
    "person", "email", "flag", "active_projects", "budget", "budget_text", "red", "amber",
    "reports_late", "high_risks", "overdue_items", "overdue_milestones", "flagged",
]  # fmt: skip


def overdue_milestones(milestones: pd.DataFrame, review_date) -> pd.Series:
    """Per project: milestones of its latest plan on or before the review date that are not
    done (no actual date, no done status) and whose forecast (else baseline) date has passed."""
    review_date = pd.Timestamp(review_date)
    plan = latest_snapshot(milestones, review_date)
    if plan.empty:
        return pd.Series(dtype=float)
    due = pd.to_datetime(plan["forecast_date"]).fillna(pd.to_datetime(plan["baseline_date"]))
    status = plan["status"].astype(object).fillna("").astype(str).str.strip().str.lower()
    done = plan["actual_date"].notna() | status.isin(DONE_WORDS)
    late = (due < review_date) & ~done
    return late.groupby(plan["project_id"].astype(str)).sum().astype(float)


def project_load(
    snap: pd.DataFrame,
    open_risks: pd.DataFrame,
    raid_log: pd.DataFrame,
    milestones: pd.DataFrame,
    review_date,
    config: Config,
) -> pd.DataFrame:
    """One row per project of the review (``snap``): who manages and sponsors it, its shown RAG,
    budget, reporting status, open risks at or above ``[changes] risk_band`` (the band the
    review watches), overdue open RAID items and overdue milestones."""
    review_date = pd.Timestamp(review_date)
    ids = snap["project_id"].astype(str)
    rules = config.risk
    wanted = config.changes.risk_band
    floor = risk.band_rank(wanted if wanted in rules.bands else list(rules.bands)[-1], rules)
    high = open_risks[open_risks["band"].map(lambda b: risk.band_rank(b, rules)) >= floor]
    high_n = high.groupby(high["project_id"].astype(str)).size()
    items = raid_log[raid_log["overdue"].astype(bool)] if len(raid_log) else raid_log
    items_n = items.groupby(items["project_id"].astype(str)).size()
    out = pd.DataFrame(
        {
            "project_id": ids,
            "name": snap["name"],
            "manager": _names(snap, "manager"),
            "sponsor": _names(snap, "sponsor"),
            "manager_email": snap.get("manager_email", np.nan),
            "stage": snap.get("stage", np.nan),
            "display_rag": snap["display_rag"],
            "budget": snap["budget"].astype(float),
            "currency": money.currencies(snap, config),
            "last_report_date": snap["last_report_date"],
            "reporting": reporting_status(review_date, snap["last_report_date"], config.staleness),
            "high_risks": ids.map(high_n).fillna(0).astype(int),
            "overdue_items": ids.map(items_n).fillna(0).astype(int),
            "overdue_milestones": ids.map(overdue_milestones(milestones, review_date))
            .fillna(0)
            .astype(int),
        }
    )
    out["reporting"] = out["reporting"].astype(object)
    return out.reset_index(drop=True)


def _names(snap: pd.DataFrame, role: str) -> pd.Series:
    """The role's names as loaded (surrounding spaces aside), a plain word where none is."""
    if role not in snap:
        return pd.Series(NO_NAME[role], index=snap.index, dtype=object)
    names = snap[role].astype(object).where(snap[role].notna(), "").astype(str).str.strip()
    return names.where(names != "", NO_NAME[role])


def flag_text(active: int, red: int, config: Config) -> str:
    """Why a person is flagged (``⚠ 7 active projects, over 6``), "" when not."""
    rules = config.people
    why = []
    if active > rules.max_active_projects:
        why.append(f"{active} active projects, over {rules.max_active_projects}")
    if red >= rules.red_projects_flag:
        why.append(f"{red} Red projects")
    return f"{FLAG} " + "; ".join(why) if why else ""


def by_person(load: pd.DataFrame, role: str, config: Config) -> pd.DataFrame:
    """One row per ``role`` (manager or sponsor) name: PERSON_COLUMNS. ``budget`` is one figure
    where the person's projects total in one currency (NaN otherwise); ``budget_text`` is the
    total per currency in the money format, never pounds added to dollars. Flagged people
    first, then the most Red, the most active, by name."""
    if load.empty:
        return pd.DataFrame(columns=PERSON_COLUMNS)
    g = load.groupby(role, sort=True)
    rag = load["display_rag"].astype(object)
    out = pd.DataFrame(
        {
            "active_projects": g.size(),
            "red": (rag == "Red").groupby(load[role]).sum(),
            "amber": (rag == "Amber").groupby(load[role]).sum(),
            "reports_late": (load["reporting"] != ON_TIME).groupby(load[role]).sum(),
            "high_risks": g["high_risks"].sum(),
            "overdue_items": g["overdue_items"].sum(),
            "overdue_milestones": g["overdue_milestones"].sum(),
        }
    ).astype(int)
    out = out.join(money.group_totals(load, role, "budget", config))
    out["email"] = emails(load, role) if role == "manager" else ""
    out["flag"] = [
        flag_text(a, r, config) for a, r in zip(out["active_projects"], out["red"], strict=True)
    ]
    out["flagged"] = out["flag"] != ""
    out = out.rename_axis("person").reset_index()
    out = out.sort_values(
        ["flagged", "red", "active_projects", "person"], ascending=[False, False, False, True]
    )
    return out[PERSON_COLUMNS].reset_index(drop=True)


def emails(load: pd.DataFrame, role: str = "manager") -> pd.Series:
    """Per person: the ``manager_email`` values recorded on their projects, as loaded."""
    known = load.dropna(subset=["manager_email"])
    found = known.groupby(role)["manager_email"].agg(lambda s: "; ".join(sorted(set(map(str, s)))))
    return found.reindex(sorted(load[role].unique())).fillna("")


def with_grants(people: pd.DataFrame, load: pd.DataFrame, grants: pd.DataFrame) -> pd.DataFrame:
    """``people`` (managers) with the e-mail of a pm granted their projects where no
    ``manager_email`` is recorded. ``grants``: principal and project_id of the pm grants (the
    roles table); a principal without an ``@`` is a subject, not an address, and is not shown."""
    if people.empty or grants.empty:
        return people
    pm = grants[grants["principal"].astype(str).str.contains("@")]
    pm = pm.astype({"project_id": str}).merge(
        load[["project_id", "manager"]], on="project_id", how="inner"
    )
    granted = pm.groupby("manager")["principal"].agg(lambda s: "; ".join(sorted(set(s))))
    fill = people["person"].map(granted).fillna("")
    return people.assign(email=people["email"].where(people["email"] != "", fill))


def projects_of(load: pd.DataFrame, role: str, person: str) -> pd.DataFrame:
    """The projects of one person in ``role``: Red first, then Amber, then by name."""
    order = {"Red": 0, "Amber": 1, "Green": 2, "Grey": 3}
    mine = load[load[role] == person]
    rank = mine["display_rag"].astype(object).map(order).fillna(4)
    return mine.assign(_r=rank).sort_values(["_r", "name"]).drop(columns="_r")


def people_note(people: pd.DataFrame, role: str, config: Config) -> str:
    """One sentence for the caption: ``16 project managers; 2 flagged (over 6 active projects
    or 2+ Red).``"""
    n, flagged = len(people), int(people["flagged"].sum()) if len(people) else 0
    word = ROLES[role].lower() + ("s" if n != 1 else "")
    rules = config.people
    return (
        f"{n} {word}; {flagged} flagged ({FLAG} over {rules.max_active_projects} active projects "
        f"or {rules.red_projects_flag}+ Red)."
    )
