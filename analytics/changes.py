"""What changed between two review dates, as one tidy change set, and the narrative built from it.

The change set has one row per change: ``project_id, name, kind, dimension, before, after,
direction, detail``. The landing page table, the narrative and the slide export all read it.

Kinds (in reading order): ``project`` (new, closed, stopped or resumed reporting), ``rag``
(reported RAG per dimension; only when the project reported on both dates, a project that
stopped reporting is a ``project`` change instead), ``risk`` (new, escalated, closed or
de-escalated at or above ``Changes.risk_band``), ``milestone`` (forecast moved more than
``Changes.milestone_move_days``), ``rebaseline`` (a milestone's baseline date changed),
``forecast_end`` and ``eac`` (project forecast end and EAC moves above their thresholds).
``direction`` is ``improved``, ``worsened`` or ``changed`` (neither better nor worse).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics import money, portfolio
from analytics.risk import (
    RiskFilter,
    band_names,
    band_rank,
    latest_register,
    new_and_closed,
    with_scores,
)
from analytics.snapshot import latest_snapshot
from config import Config
from models import RAG_SEVERITY

COLUMNS = ["project_id", "name", "kind", "dimension", "before", "after", "direction", "detail"]
KIND_ORDER = ["project", "rag", "risk", "milestone", "rebaseline", "forecast_end", "eac"]
KIND_LABELS = {
    "project": "Project",
    "rag": "RAG",
    "risk": "Risk",
    "milestone": "Milestone forecast",
    "rebaseline": "Re-baseline",
    "forecast_end": "Forecast end",
    "eac": "EAC",
}
RAG_FIELDS = {
    "overall": "overall_rag",
    "schedule": "schedule_rag",
    "cost": "cost_rag",
    "scope": "scope_rag",
    "resource": "resource_rag",
}
IMPROVED, WORSENED, CHANGED = "improved", "worsened", "changed"


@dataclass(frozen=True)
class Comparison:
    """Both snapshots and the change set between them (``before`` is None in the first week)."""

    review_date: pd.Timestamp
    compare_date: pd.Timestamp | None
    before: pd.DataFrame | None
    after: pd.DataFrame
    changes: pd.DataFrame


def _d(x) -> str:
    return "" if x is None or pd.isna(x) else str(pd.Timestamp(x).date())


def _money(x, currency: str | None) -> str:
    return money.money(x, currency)


def _row(p, kind, dimension, before, after, direction, detail) -> dict:
    return {
        "project_id": p["project_id"],
        "name": p["name"],
        "kind": kind,
        "dimension": dimension,
        "before": "" if before is None else str(before),
        "after": "" if after is None else str(after),
        "direction": direction,
        "detail": detail,
    }


def rag_direction(before: str, after: str) -> str:
    """Worse when severity rose (Green < Amber < Red); Grey (not rated) is neither."""
    b, a = RAG_SEVERITY.get(before, 0), RAG_SEVERITY.get(after, 0)
    if b == 0 or a == 0:
        return CHANGED
    return WORSENED if a > b else IMPROVED


def _project_changes(before: pd.DataFrame, after: pd.DataFrame, compare_date) -> list[dict]:
    cols = ["project_id", "name", "not_reported", "display_rag", "percent_complete"]
    both = after[[*cols, "last_report_date", "days_since_report"]].merge(
        before[cols], on="project_id", how="left", suffixes=("", "_b"), indicator=True
    )
    new = (both["_merge"] == "left_only").to_numpy()
    now_quiet = both["not_reported"].to_numpy(dtype=bool)
    was_quiet = both["not_reported_b"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    pc_a, pc_b = (
        pd.to_numeric(both[c], errors="coerce") for c in ("percent_complete", "percent_complete_b")
    )
    closed = (
        ~new
        & (pc_a >= 100).fillna(False).to_numpy(dtype=bool)
        & ~(pc_b >= 100).fillna(False).to_numpy(dtype=bool)
    )
    rows = []
    # only the projects with a change are walked, in the order of the review
    for p in both[new | (now_quiet != was_quiet) | closed].to_dict("records"):
        if p["_merge"] == "left_only":
            reported = "" if p["not_reported"] else f", first report {_d(p['last_report_date'])}"
            rows.append(
                _row(p, "project", "new", "", "in review", CHANGED, f"new in the review{reported}")
            )
            continue
        if p["not_reported"] and not p["not_reported_b"]:
            rows.append(
                _row(
                    p,
                    "project",
                    "stopped reporting",
                    p["display_rag_b"],
                    "Grey",
                    WORSENED,
                    f"no report since {_d(p['last_report_date'])} "
                    f"({p['days_since_report']:.0f} days); was {p['display_rag_b']}",
                )
            )
        elif p["not_reported_b"] and not p["not_reported"]:
            rows.append(
                _row(
                    p,
                    "project",
                    "resumed reporting",
                    "Grey",
                    p["display_rag"],
                    IMPROVED,
                    f"reported again on {_d(p['last_report_date'])}: {p['display_rag']}",
                )
            )
        pc_b, pc_a = p["percent_complete_b"], p["percent_complete"]
        if pd.notna(pc_a) and pc_a >= 100 and not (pd.notna(pc_b) and pc_b >= 100):
            rows.append(
                _row(p, "project", "closed", f"{pc_b:.0f}%", "100%", IMPROVED, "reported complete")
            )
    gone = before[~before["project_id"].isin(after["project_id"])]
    for b in sorted(gone.to_dict("records"), key=lambda b: b["project_id"]):
        rows.append(
            _row(
                b,
                "project",
                "closed",
                b["display_rag"],
                "",
                CHANGED,
                f"no longer in the review (was in it on {_d(compare_date)})",
            )
        )
    return rows


def _rag_changes(both: pd.DataFrame) -> list[dict]:
    rows = []
    for dim, col in RAG_FIELDS.items():
        b, a = both[f"{col}_b"], both[f"{col}_a"]
        moved = both[(b.notna() & a.notna() & (b.astype(object) != a.astype(object))).to_numpy()]
        labels = [c for c in ("rag_label_b", "rag_label_a") if c in moved]
        for p in moved[["project_id", "name", f"{col}_b", f"{col}_a", *labels]].to_dict("records"):
            before, after = p[f"{col}_b"], p[f"{col}_a"]
            detail = f"{dim} {before} → {after}"
            label_b, label_a = p.get("rag_label_b"), p.get("rag_label_a")
            if dim == "overall" and isinstance(label_a, str) and label_a != after:
                detail += f" (reported as {label_a}"
                detail += f", was {label_b})" if isinstance(label_b, str) else ")"
            rows.append(_row(p, "rag", dim, before, after, rag_direction(before, after), detail))
    return rows


def _risk_changes(frames, ids, compare_date, review_date, config: Config) -> list[dict]:
    """New, reopened, escalated, closed and de-escalated risks at or above the changes band."""
    names = frames["projects"].set_index("project_id")["name"]
    moved = new_and_closed(
        frames["risks"],
        compare_date,
        review_date,
        config.risk,
        config.changes.risk_band,
        RiskFilter(project_ids=list(ids)),
    )
    rows = []
    for r in moved.itertuples(index=False):
        p = {"project_id": r.project_id, "name": names.get(r.project_id, r.project_id)}
        label = f"{r.risk_id} {r.title}"
        before = "" if pd.isna(r.score_before) else f"{r.score_before:.0f} ({r.band_before})"
        now = "" if pd.isna(r.score_now) else f"{r.score_now:.0f} ({r.band_now})"
        if r.change in ("new", "escalated"):
            if r.score_before is None or pd.isna(r.score_before):
                dim, detail = "new", f"new {r.band_now} risk {label}, score {r.score_now:.0f}"
            elif not r.open_before:
                dim, detail = "reopened", f"risk {label} reopened at {now}"
            else:
                dim, detail = "escalated", f"risk {label} rose from {before} to {now}"
            rows.append(_row(p, "risk", dim, before, now, WORSENED, detail))
        else:
            if r.score_now is None or pd.isna(r.score_now):
                dim, detail = "closed", f"risk {label} ({before}) removed from the register"
            elif not r.open_now:
                dim, detail = "closed", f"{r.band_before} risk {label} closed"
            else:
                dim, detail = "de-escalated", f"risk {label} fell from {before} to {now}"
            rows.append(
                _row(p, "risk", dim, before, now if r.open_now else "closed", IMPROVED, detail)
            )
    return rows


def _milestone_changes(frames, ids, compare_date, review_date, config: Config) -> list[dict]:
    ms = frames["milestones"]
    names = frames["projects"].set_index("project_id")["name"]
    key = ["project_id", "milestone_id"]
    cols = key + ["name", "baseline_date", "forecast_date", "actual_date"]

    def plan(as_of) -> pd.DataFrame:  # a project's plan is its own, so filtering after is the same
        last = latest_snapshot(ms, as_of)
        return last.loc[last["project_id"].isin(ids), cols]

    merged = plan(review_date).merge(plan(compare_date), on=key, suffixes=("_a", "_b"))
    limit = config.changes.milestone_move_days
    fb, fa, bb, ba = (
        pd.to_datetime(merged[c])
        for c in ("forecast_date_b", "forecast_date_a", "baseline_date_b", "baseline_date_a")
    )
    forecast_moved = (fa - fb).dt.days.abs() > limit  # NaT on either side: no move
    rebaselined = bb.notna() & ba.notna() & (bb != ba)
    rows = []
    # only the milestones that moved are walked
    for m in merged[(forecast_moved | rebaselined).to_numpy()].to_dict("records"):
        p = {"project_id": m["project_id"], "name": names.get(m["project_id"], m["project_id"])}
        title = m["name_a"] if isinstance(m["name_a"], str) else m["milestone_id"]
        fb, fa = m["forecast_date_b"], m["forecast_date_a"]
        base = m["baseline_date_a"]
        if pd.notna(fb) and pd.notna(fa) and abs((fa - fb).days) > limit:
            move = (fa - fb).days
            detail = f"{title}: forecast {_d(fb)} → {_d(fa)} ({move:+d} d)"
            if pd.notna(base):
                detail += f", {(fa - base).days:+d} d against baseline {_d(base)}"
            rows.append(
                _row(
                    p,
                    "milestone",
                    title,
                    _d(fb),
                    _d(fa),
                    WORSENED if move > 0 else IMPROVED,
                    detail,
                )
            )
        bb, ba = m["baseline_date_b"], m["baseline_date_a"]
        if pd.notna(bb) and pd.notna(ba) and bb != ba:
            move = (ba - bb).days
            detail = (
                f"{title}: baseline moved {_d(bb)} → {_d(ba)} ({move:+d} d); "
                "slip is still measured against the approved baseline"
            )
            rows.append(_row(p, "rebaseline", title, _d(bb), _d(ba), CHANGED, detail))
    return rows


def _delivery_changes(both: pd.DataFrame, config: Config) -> list[dict]:
    fb, fa = both["forecast_end_b"], both["forecast_end_a"]
    eb, ea, budget = both["eac_typical_b"], both["eac_typical_a"], both["budget_a"]
    end_moved = (fa - fb).dt.days.abs() > config.changes.end_move_days
    eac_moved = ((ea - eb) / budget.where(budget > 0) * 100).abs() > config.changes.eac_move_pct
    rows = []
    # only the projects whose end date or EAC moved are walked
    for p in both[(end_moved | eac_moved).to_numpy()].to_dict("records"):
        fb, fa = p["forecast_end_b"], p["forecast_end_a"]
        if pd.notna(fb) and pd.notna(fa) and abs((fa - fb).days) > config.changes.end_move_days:
            move = (fa - fb).days
            detail = f"forecast end {_d(fb)} → {_d(fa)} ({move:+d} d)"
            if pd.notna(p["end_date_a"]):
                detail += f", {(fa - p['end_date_a']).days:+d} d against baseline end"
            direction = WORSENED if move > 0 else IMPROVED
            rows.append(_row(p, "forecast_end", "end date", _d(fb), _d(fa), direction, detail))
        eb, ea, budget = p["eac_typical_b"], p["eac_typical_a"], p["budget_a"]
        ccy = p.get("currency_a", config.money.currency)
        if pd.notna(eb) and pd.notna(ea) and pd.notna(budget) and budget > 0:
            pct = (ea - eb) / budget * 100
            if abs(pct) > config.changes.eac_move_pct:
                before, after = money.pair(eb, ea, ccy)
                share = f"{pct:+.1f}%".replace("-", money.MINUS)
                detail = f"EAC {before} → {after} ({share} of budget {_money(budget, ccy)})"
                direction = WORSENED if pct > 0 else IMPROVED
                rows.append(_row(p, "eac", "EAC", before, after, direction, detail))
    return rows


def _empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="string") for c in COLUMNS})


def changes(
    before: pd.DataFrame,
    after: pd.DataFrame,
    frames: dict[str, pd.DataFrame],
    compare_date,
    review_date,
    config: Config,
) -> pd.DataFrame:
    """Every change between two snapshots (from ``portfolio.snapshot``), worst first per kind."""
    compare_date, review_date = pd.Timestamp(compare_date), pd.Timestamp(review_date)
    rows = _project_changes(before, after, compare_date)
    # RAG, EAC and forecast end compare only projects that reported on both dates: a project
    # that went quiet is already listed as "stopped reporting".
    both = after[~after["not_reported"]].merge(
        before[~before["not_reported"]], on="project_id", suffixes=("_a", "_b")
    )
    both["name"] = both["name_a"]
    rows += _rag_changes(both)
    ids = set(after["project_id"]) | set(before["project_id"])
    rows += _risk_changes(frames, ids, compare_date, review_date, config)
    rows += _milestone_changes(frames, ids, compare_date, review_date, config)
    rows += _delivery_changes(both, config)
    if not rows:
        return _empty()
    out = pd.DataFrame(rows, columns=COLUMNS)
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    rank = {WORSENED: 0, CHANGED: 1, IMPROVED: 2}
    dim_rank = {d: i for i, d in enumerate(RAG_FIELDS)}
    out["_k"] = out["kind"].map(order)
    out["_d"] = out["direction"].map(rank)
    out["_m"] = out["dimension"].map(dim_rank).fillna(len(dim_rank))
    out = out.sort_values(["_k", "_d", "_m", "name", "dimension"], kind="stable")
    return out[COLUMNS].reset_index(drop=True)


def compare(
    frames: dict[str, pd.DataFrame],
    review_date,
    compare_date,
    config: Config,
    filters: dict[str, list[str]] | None = None,
) -> Comparison:
    """Snapshots on both dates and the change set; no changes when there is nothing to compare."""
    after = portfolio.snapshot(frames, review_date, config, filters)
    before = (
        None if compare_date is None else portfolio.snapshot(frames, compare_date, config, filters)
    )
    return comparison_of(frames, after, before, review_date, compare_date, config)


def comparison_of(
    frames, after: pd.DataFrame, before: pd.DataFrame | None, review_date, compare_date, config
) -> Comparison:
    """The comparison of two snapshots already made (``before`` None: nothing to compare)."""
    review_date = pd.Timestamp(review_date)
    if before is None:
        return Comparison(review_date, None, None, after, _empty())
    compare_date = pd.Timestamp(compare_date)
    found = changes(before, after, frames, compare_date, review_date, config)
    return Comparison(review_date, compare_date, before, after, found)


# --- headline figures and needs attention ------------------------------------------------------


def open_hot_risks(frames, snap: pd.DataFrame, as_of, config: Config) -> int:
    """Open risks at or above ``Changes.risk_band`` on the projects in ``snap``."""
    reg = latest_register(frames["risks"], as_of)  # per project, so the same before or after
    reg = with_scores(reg[reg["project_id"].isin(snap["project_id"])], config.risk)
    if reg.empty:
        return 0
    floor = band_rank(config.changes.risk_band, config.risk)
    ranks = pd.Index(band_names(config.risk)).get_indexer(reg["band"])
    return int((reg["is_open"].to_numpy() & (floor >= 0) & (ranks >= floor)).sum())


def headline(frames, comparison: Comparison, config: Config) -> pd.DataFrame:
    """The tiles: metric, now, before (NaN in the first week), change, and whether up is bad."""
    now = portfolio.kpis(comparison.after, config)
    now["hot_risks"] = open_hot_risks(frames, comparison.after, comparison.review_date, config)
    prev = None
    if comparison.before is not None:
        prev = portfolio.kpis(comparison.before, config)
        prev["hot_risks"] = open_hot_risks(
            frames, comparison.before, comparison.compare_date, config
        )
    band = config.changes.risk_band
    specs = [
        (portfolio.reported("Red"), "n_red", True),
        (portfolio.reported("Amber"), "n_amber", True),
        (portfolio.reported("Green"), "n_green", False),
        ("Not reported", "not_reported", True),
        ("Total budget", "budget", None),
        ("Total EAC", "eac", True),
        (f"Open {band}+ risks", "hot_risks", True),
        ("Projects", "projects", None),
    ]
    rows = []
    for label, key, up_is_bad in specs:
        before = prev[key] if prev else float("nan")
        is_money = key in ("budget", "eac")
        rows.append(
            {
                "metric": label,
                "key": key,
                "now": now[key],
                "before": before,
                "change": now[key] - before,
                "up_is_bad": up_is_bad,
                # money: one figure per currency when they cannot be added (no rate)
                "text": money.per_currency(now["money"], key) if is_money else f"{now[key]:,.0f}",
                "currency": now["currency"] if is_money else None,
            }
        )
    return pd.DataFrame(rows)


def needs_attention(comparison: Comparison, config: Config) -> pd.DataFrame:
    """Projects to discuss, one row each with every reason: Red, worsened, watermelon,
    not reported, decision requested. Worst first."""
    snap = comparison.after
    reasons: dict[str, list[str]] = {pid: [] for pid in snap["project_id"]}
    rank: dict[str, int] = {}
    asked = snap["decisions_needed"].astype("string").str.strip().fillna("") != ""
    flagged = (
        (snap["display_rag"] == "Red") | snap["watermelon"] | snap["not_reported"] | asked
    ).to_numpy(dtype=bool)
    cols = ["project_id", "display_rag", "status_label", "watermelon", "computed_rule",
            "computed_rag", "not_reported", "days_since_report", "decisions_needed"]  # fmt: skip
    for p in snap.loc[flagged, cols].to_dict("records"):  # only the projects with a reason
        pid = p["project_id"]
        if p["display_rag"] == "Red":
            label = p["status_label"] if isinstance(p["status_label"], str) else "Red"
            reasons[pid].append(f"Red (reported as {label})" if label != "Red" else "Red")
            rank[pid] = min(rank.get(pid, 9), 0)
        if p["watermelon"]:
            rule = str(p["computed_rule"]).split(" — ", 1)[-1]
            reasons[pid].append(
                f"watermelon: reported Green, computed {p['computed_rag']} ({rule})"
            )
            rank[pid] = min(rank.get(pid, 9), 1)
        if p["not_reported"]:
            since = (
                f"no report for {p['days_since_report']:.0f} days"
                if pd.notna(p["days_since_report"])
                else "never reported"
            )
            reasons[pid].append(f"not reported: {since}")
            rank[pid] = min(rank.get(pid, 9), 3)
        ask = p["decisions_needed"]
        if not p["not_reported"] and isinstance(ask, str) and ask.strip():
            reasons[pid].append(f"decision requested: {ask.strip()}")
            rank[pid] = min(rank.get(pid, 9), 2)
    # Worsened = overall RAG worse, or any dimension turned Red (Amber flickers are noise here).
    ch = comparison.changes
    worse = ch[
        (ch["kind"] == "rag")
        & (ch["direction"] == WORSENED)
        & ((ch["dimension"] == "overall") | (ch["after"] == "Red"))
    ]
    for _, c in worse.iterrows():
        if c["project_id"] in reasons:
            reasons[c["project_id"]].append(f"worsened: {c['detail']}")
            rank[c["project_id"]] = min(rank.get(c["project_id"], 9), 1)
    cols = ["project_id", "name", "manager", "display_rag", "reasons", "last_report_date"]
    keep = [pid for pid, r in reasons.items() if r]
    if not keep:
        return pd.DataFrame(columns=cols)
    out = snap[snap["project_id"].isin(keep)].copy()
    out["reasons"] = ["; ".join(reasons[pid]) for pid in out["project_id"]]
    out["_r"] = out["project_id"].map(rank)
    return out.sort_values(["_r", "name"])[cols].reset_index(drop=True)


# --- the narrative ------------------------------------------------------------------------------


def _names(rows: pd.DataFrame, limit: int, with_detail: bool = False) -> str:
    items = []
    # Only the first ``limit`` rows are named: the rest are counted, not formatted.
    for _, r in rows.head(limit).iterrows():
        item = f"{r['name']} ({r['project_id']})"
        if with_detail:
            item += f": {r['detail']}"
        items.append(item)
    if len(rows) > limit:
        return ", ".join(items) + f" and {len(rows) - limit} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def narrative(comparison: Comparison, config: Config) -> str:
    """Plain sentences for the minutes, built only from the change set and the two snapshots."""
    if comparison.before is None:
        return (
            f"Review of {_d(comparison.review_date)}: first review on record, "
            "nothing to compare with."
        )
    now = portfolio.kpis(comparison.after, config)
    prev = portfolio.kpis(comparison.before, config)
    limit = config.changes.narrative_names

    def delta(key: str) -> str:
        diff = now[key] - prev[key]
        return f" ({diff:+.0f})" if diff else ""

    lines = [
        f"Review of {_d(comparison.review_date)} compared with {_d(comparison.compare_date)}: "
        f"{now['projects']} projects, {now['n_red']} Red{delta('n_red')}, "
        f"{now['n_amber']} Amber{delta('n_amber')}, {now['n_green']} Green{delta('n_green')}, "
        f"{now['not_reported']} not reported{delta('not_reported')}."
    ]
    ch = comparison.changes
    overall = ch[(ch["kind"] == "rag") & (ch["dimension"] == "overall")]
    for rag in ("Red", "Amber", "Green"):
        turned = overall[(overall["after"] == rag)]
        for direction, verb in ((WORSENED, "turned"), (IMPROVED, "improved to")):
            rows = turned[turned["direction"] == direction]
            if len(rows):
                who = _count(len(rows), "project")
                lines.append(f"{who} {verb} {rag}: {_names(rows, limit)}.")
    dims = ch[(ch["kind"] == "rag") & (ch["dimension"] != "overall")]
    for direction in (WORSENED, IMPROVED):
        rows = dims[dims["direction"] == direction]
        if len(rows):
            n = rows["project_id"].nunique()
            lines.append(
                f"Dimension RAG {direction} on {_count(n, 'project')}: "
                f"{_names(rows, limit, with_detail=True)}."
            )
    proj = ch[ch["kind"] == "project"]
    for dim, text in (
        ("stopped reporting", "stopped reporting"),
        ("resumed reporting", "reported again"),
        ("new", "joined the review"),
        ("closed", "closed or left the review"),
    ):
        rows = proj[proj["dimension"] == dim]
        if len(rows):
            verb = text if len(rows) > 1 or dim != "closed" else "closed or left the review"
            lines.append(f"{_count(len(rows), 'project')} {verb}: {_names(rows, limit)}.")
    risk = ch[ch["kind"] == "risk"]
    band = config.changes.risk_band
    up = risk[risk["direction"] == WORSENED]
    down = risk[risk["direction"] == IMPROVED]
    if len(up):
        lines.append(
            f"{_count(len(up), f'new or escalated {band}-or-above risk')}: "
            f"{_names(up, limit, with_detail=True)}."
        )
    if len(down):
        lines.append(
            f"{_count(len(down), f'{band}-or-above risk')} closed or reduced: "
            f"{_names(down, limit, with_detail=True)}."
        )
    moves = ch[ch["kind"] == "milestone"]
    if len(moves):
        later = int((moves["direction"] == WORSENED).sum())
        lines.append(
            f"{_count(len(moves), 'milestone forecast')} moved more than "
            f"{config.changes.milestone_move_days} days ({later} later): "
            f"{_names(moves, limit, with_detail=True)}."
        )
    rebase = ch[ch["kind"] == "rebaseline"]
    if len(rebase):
        lines.append(
            f"{_count(rebase['project_id'].nunique(), 'project')} re-baselined: "
            f"{_names(rebase, limit, with_detail=True)}."
        )
    for kind, what in (("forecast_end", "Forecast end dates"), ("eac", "EAC")):
        rows = ch[ch["kind"] == kind]
        for direction, verb in ((WORSENED, "worsened"), (IMPROVED, "improved")):
            sel = rows[rows["direction"] == direction]
            if len(sel):
                lines.append(
                    f"{what} {verb} on {_count(len(sel), 'project')}: "
                    f"{_names(sel, limit, with_detail=True)}."
                )
    if len(lines) == 1:
        lines.append("No changes above the thresholds.")
    return "\n".join(lines)
