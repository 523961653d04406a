"""Benefits realisation from the benefits register: planned (target) versus forecast versus
realised, per benefit, per portfolio and over time, and the benefits at risk.

Benefits are measured in their own units (calls per week, days per case, GBP per year), and a
benefit may be a reduction (target below baseline). So figures are never added across
benefits: each benefit's forecast and realised are read as a share of its planned change,
``(value - baseline) / (target - baseline)``: 100 % is the target reached, in either
direction. Without a baseline the change is measured from zero (said in ``basis``). A
portfolio's or a date's figure is the mean share over its benefits.

Pure functions; the review model (analytics.review) computes them once per review.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics.snapshot import latest_snapshot

# What a benefit's row says when it is at risk, in the order they are listed.
SHORT = "forecast short of target"
OVERDUE = "due date passed, not realised"
NO_OWNER = "no owner"
REGISTER_COLUMNS = [
    "project_id", "name", "portfolio", "benefit_id", "title", "owner", "category", "measure",
    "baseline", "target", "forecast", "realised", "forecast_share", "realised_share", "due_date",
    "report_date", "at_risk", "why", "basis",
]  # fmt: skip


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with ``forecast_share`` and ``realised_share`` (share of the planned change;
    NaN where target equals baseline or a figure is missing) and ``basis``."""
    base = pd.to_numeric(frame["baseline"], errors="coerce").astype(float)
    target = pd.to_numeric(frame["target"], errors="coerce").astype(float)
    change = (target - base.fillna(0.0)).replace(0.0, np.nan)
    out = frame.assign(
        forecast_share=(pd.to_numeric(frame["forecast"], errors="coerce") - base.fillna(0.0))
        / change,
        realised_share=(pd.to_numeric(frame["realised"], errors="coerce") - base.fillna(0.0))
        / change,
    )
    out["basis"] = np.where(base.isna(), "no baseline: change measured from zero", "")
    return out


def register(benefits: pd.DataFrame, snap: pd.DataFrame, review_date) -> pd.DataFrame:
    """The benefits of the projects in the review (``snap``) as of the review date, with their
    shares and why each is at risk: REGISTER_COLUMNS, at-risk benefits first."""
    review_date = pd.Timestamp(review_date)
    names = snap[["project_id", "name", "portfolio"]].astype({"project_id": str})
    reg = latest_snapshot(benefits, review_date)  # a benefit a later register leaves out has gone
    reg = reg.astype({"project_id": str}).merge(names, on="project_id", how="inner")
    if reg.empty:
        return pd.DataFrame(columns=REGISTER_COLUMNS)
    reg = shares(reg)
    owner = reg["owner"].astype(object).where(reg["owner"].notna(), "").astype(str).str.strip()
    due = pd.to_datetime(reg["due_date"])
    short = (reg["forecast_share"] < 1).to_numpy(bool)
    overdue = ((due < review_date) & ~(reg["realised_share"] >= 1)).to_numpy(bool)
    ownerless = (owner == "").to_numpy(bool)
    why = [
        "; ".join(w for w, hit in ((SHORT, s), (OVERDUE, o), (NO_OWNER, n)) if hit)
        for s, o, n in zip(short, overdue, ownerless, strict=True)
    ]
    reg = reg.assign(why=why, at_risk=[bool(w) for w in why], due_date=due)
    reg = reg.sort_values(["at_risk", "forecast_share", "project_id", "benefit_id"],
                          ascending=[False, True, True, True], na_position="last")  # fmt: skip
    return reg[REGISTER_COLUMNS].reset_index(drop=True)


def summary(reg: pd.DataFrame) -> dict:
    """The tiles: benefits, mean forecast and realised share, at risk, and each reason."""
    return {
        "benefits": len(reg),
        "projects": reg["project_id"].nunique(),
        "forecast_share": float(reg["forecast_share"].mean()) if len(reg) else np.nan,
        "realised_share": float(reg["realised_share"].mean()) if len(reg) else np.nan,
        "at_risk": int(reg["at_risk"].sum()),
        **{
            w: int(reg["why"].str.contains(w, regex=False).sum())
            for w in (SHORT, OVERDUE, NO_OWNER)
        },
    }


def by_portfolio(reg: pd.DataFrame) -> pd.DataFrame:
    """Per portfolio: benefits, planned (100 %), mean forecast and realised share, at risk."""
    cols = ["portfolio", "benefits", "planned", "forecast", "realised", "at_risk"]
    if reg.empty:
        return pd.DataFrame(columns=cols)
    keyed = reg.assign(portfolio=reg["portfolio"].astype(object).fillna("(no portfolio)"))
    g = keyed.groupby("portfolio", sort=True)
    out = pd.DataFrame(
        {
            "benefits": g.size(),
            "planned": 1.0,
            "forecast": g["forecast_share"].mean(),
            "realised": g["realised_share"].mean(),
            "at_risk": g["at_risk"].sum().astype(int),
        }
    )
    return out.rename_axis("portfolio").reset_index()[cols]


def over_time(benefits: pd.DataFrame, snap: pd.DataFrame, review_date) -> pd.DataFrame:
    """Per register date up to the review date, for the projects in the review: benefits
    reported, mean forecast and realised share (each register as reported that day)."""
    cols = ["report_date", "benefits", "planned", "forecast", "realised"]
    ids = set(snap["project_id"].astype(str))
    upto = benefits[
        (benefits["report_date"] <= pd.Timestamp(review_date))
        & benefits["project_id"].astype(str).isin(ids)
    ]
    if upto.empty:
        return pd.DataFrame(columns=cols)
    s = shares(upto)
    g = s.groupby("report_date", sort=True)
    out = pd.DataFrame(
        {
            "benefits": g.size(),
            "planned": 1.0,
            "forecast": g["forecast_share"].mean(),
            "realised": g["realised_share"].mean(),
        }
    )
    return out.rename_axis("report_date").reset_index()[cols]


def project_achievement(benefits: pd.DataFrame, review_date) -> pd.DataFrame:
    """Per project with a register on the review date: the share of its planned benefits it
    expects, for the governance value score. Each benefit counts its realised share once its
    due date has passed (what it delivered), its forecast share before (what it expects);
    the project's share is their mean, each capped to 0-150 % so one benefit with a tiny
    planned change cannot swamp the others. ``basis``: the sentence the score shows."""
    cols = ["project_id", "share", "basis"]
    reg = latest_snapshot(benefits, review_date)
    if reg.empty:
        return pd.DataFrame(columns=cols)
    reg = shares(reg)
    due = pd.to_datetime(reg["due_date"]) < pd.Timestamp(review_date)
    used = reg["realised_share"].where(due, reg["forecast_share"])
    used = used.fillna(reg["forecast_share"]).clip(0.0, 1.5)
    kind = np.where(due & reg["realised_share"].notna(), "realised", "forecast")
    reg = reg.assign(used=used, kind=kind).dropna(subset=["used"])
    if reg.empty:
        return pd.DataFrame(columns=cols)
    key = reg["project_id"].astype(str)
    share = reg["used"].groupby(key).mean()
    # which kinds each project's shares are: any forecast, any realised (no Python per group)
    forecast = (reg["kind"] == "forecast").groupby(key).any()
    realised = (reg["kind"] == "realised").groupby(key).any()
    out = pd.DataFrame({"share": share})
    out["basis"] = [
        f"register {' and '.join(k for k, has in (('forecast', f), ('realised', r)) if has)} "
        f"{s:.0%} of target"
        for s, f, r in zip(share, forecast, realised, strict=True)
    ]
    return out.rename_axis("project_id").reset_index()[cols]


def project_benefits(benefits: pd.DataFrame, project_id: str, review_date) -> pd.DataFrame:
    """One project's latest benefits register on the review date, with shares and risks."""
    mine = benefits[benefits["project_id"].astype(str) == str(project_id)]
    stub = pd.DataFrame({"project_id": [str(project_id)], "name": [""], "portfolio": [""]})
    return register(mine, stub, review_date)


def source_note(reg: pd.DataFrame) -> str:
    """``benefits registers of 60 projects, latest 2026-11-20``."""
    if reg.empty:
        return "no benefits register"
    last = pd.Timestamp(reg["report_date"].max()).date().isoformat()
    n = reg["project_id"].nunique()
    return f"benefits registers of {n} project{'s' if n != 1 else ''}, latest {last}"
