"""Governance versus execution: two explainable 0-100 scores per project, the quadrant they put
the project in, the stage-gate pipeline, the decision log and governance compliance.

Scores (weights and thresholds in ``[governance]`` of pmo_lens.toml):

- Governance value = weighted mean of three inputs, each scaled to 0-100 points:
  strategic alignment (``strategic_score`` 0-10 x 10), business value (``value_score`` 0-10
  x 10) and benefits (``benefits_planned / budget``, full marks at ``benefits_ratio_full``,
  i.e. benefits relative to the project's own cost, so a small project is not penalised for
  being small). Where a project has a benefits register, the benefits are ``benefits_planned``
  times the share of its targets the register forecasts (realised, once a benefit is due;
  ``analytics.benefits.project_achievement``), and the input's value text and the scores'
  ``benefits_basis`` column say so.
- Execution health = weighted mean of five inputs, continuous so that a healthy portfolio
  spreads out instead of piling up at 100: RAG by dimension (schedule and cost as computed,
  scope and resource as reported; Green 100, Amber 50, Red 0, averaged over the rated ones),
  SPI and CPI (``index_floor`` or below 0 points, ``index_full`` or above 100, linear between,
  so on plan, 1.0, is 75 with the defaults), the worst milestone slip against the original
  baseline (0 days 100, ``slip_zero_days`` or more 0) and the trend: the mean change of SPI and
  CPI from the report ``trend_reports`` reports back to the latest (no change 50 points,
  ``+trend_full_change`` or better 100, ``-trend_full_change`` or worse 0).
- A project that has not reported (beyond staleness cadence + grace) has no execution health:
  its inputs would describe the past. It keeps its last known score (``last_known_health``) and
  sits in the quadrant "not reported", never counted as healthy.

A missing input is left out and the weights of the others are scaled up to sum to 1; each
input's contribution = points x its share of the weight, so contributions add up to the score.
A project with no input at all is "not scored".

Nothing here imports streamlit.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analytics import benefits, money, portfolio
from analytics.snapshot import latest_snapshot, open_labels
from analytics.staleness import is_stale
from config import Config, Governance, get_config

RAG_POINTS = {"Green": 100.0, "Amber": 50.0, "Red": 0.0}
PROTECT = "protect and accelerate"
INTERVENE = "intervene"
QUESTION = "question the value"
STOP = "stop or reshape"
NOT_SCORED = "not scored"
NOT_REPORTED = "not reported"
QUADRANTS = [PROTECT, INTERVENE, QUESTION, STOP]
QUADRANT_HELP = {
    PROTECT: "high value, healthy delivery: keep funding and remove blockers",
    INTERVENE: "high value, unhealthy delivery: the execution needs help now",
    QUESTION: "low value, healthy delivery: delivering well, but is it worth it?",
    STOP: "low value, unhealthy delivery: candidate to stop or reshape",
    NOT_SCORED: "not enough data for one of the scores",
    NOT_REPORTED: "no current status report: shown grey at its last known health, not healthy",
}
BREAKDOWN_COLUMNS = ["project_id", "score", "input", "value", "points", "weight", "rule"]


def _num(x) -> float:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return x


def _numbers(x, positive: bool = False):
    """A scalar or a column as floats, NaN where missing or not a number (or not above 0 with
    ``positive``), so the points below work on one project or on all of them at once."""
    if np.ndim(x) == 0:
        x = _num(x)
        return x if not positive or x > 0 else float("nan")
    x = pd.to_numeric(pd.Series(x), errors="coerce").astype(float)
    return x.where(x > 0) if positive else x


def index_points(index, floor: float, full: float = 1.0):
    """SPI or CPI as 0-100 points: ``floor`` or below 0, ``full`` or above 100, linear between."""
    return 100 * np.clip((_numbers(index) - floor) / (full - floor), 0.0, 1.0)


def trend_points(change, full_change: float):
    """A change of SPI/CPI as 0-100 points: none 50, ``+full_change`` or better 100,
    ``-full_change`` or worse 0."""
    return 50 + 50 * np.clip(_numbers(change) / full_change, -1.0, 1.0)


def index_trend(reports: pd.DataFrame, review_date, n_reports: int) -> pd.DataFrame:
    """Per project: the change of SPI and CPI from the report ``n_reports`` reports before its
    last one on or before the review date (or its first, when it has fewer) to that last one.

    Columns ``project_id``, ``spi_change``, ``cpi_change``, ``trend_change`` (their mean, or the
    one that is known), ``trend_from`` (the earlier report's date) and ``trend_span`` (reports
    between the two). A project with a single report has no trend (NaN)."""
    cols = ["project_id", "report_date", "planned_value", "earned_value", "actual_cost"]
    r = reports.loc[reports["report_date"] <= pd.Timestamp(review_date), cols]
    r = r.astype({"project_id": object}).sort_values(["project_id", "report_date"], kind="stable")
    r = r.drop_duplicates(["project_id", "report_date"], keep="last")
    r = r.groupby("project_id", sort=False).tail(n_reports + 1)
    pv, ev, ac = (pd.to_numeric(r[c], errors="coerce").astype(float) for c in cols[2:])
    r = r.assign(spi=ev / pv.where(pv != 0), cpi=ev / ac.where(ac != 0))
    g = r.groupby("project_id", sort=False)
    first, last = g.head(1).set_index("project_id"), g.tail(1).set_index("project_id")
    out = pd.DataFrame(
        {
            "spi_change": last["spi"] - first["spi"],
            "cpi_change": last["cpi"] - first["cpi"],
            "trend_from": first["report_date"],
            "trend_span": g.size() - 1,
        }
    )
    out.loc[out["trend_span"] < 1, ["spi_change", "cpi_change"]] = np.nan
    out["trend_change"] = out[["spi_change", "cpi_change"]].mean(axis=1)
    return out.rename_axis("project_id").reset_index()


def slip_points(slip_days, zero_days: int):
    """Milestone slip as 0-100 points: on or ahead of baseline 100, ``zero_days`` late 0."""
    return 100 * (1 - np.clip(_numbers(slip_days) / zero_days, 0.0, 1.0))


def benefits_points(benefits, budget, ratio_full: float):
    """Benefits relative to cost: ``benefits / budget``, full marks at ``ratio_full``."""
    ratio = _numbers(benefits) / _numbers(budget, positive=True)
    return 100 * np.clip(ratio / ratio_full, 0.0, 1.0)


def _finish(inputs: list[dict]) -> pd.DataFrame:
    """Long breakdown, one row per project and input (project by project, inputs in the given
    order), with each input's share of the weight and its contribution to the score.

    ``inputs``: one dict per input of BREAKDOWN_COLUMNS, each a column over the projects or
    one value for all of them."""
    parts = [pd.DataFrame({c: _values(i[c]) for c in BREAKDOWN_COLUMNS}) for i in inputs]
    n = len(parts[0])
    df = pd.concat(parts, ignore_index=True)
    df = df.iloc[np.arange(n * len(parts)).reshape(len(parts), n).T.ravel()]
    df = df.reset_index(drop=True)
    df["points"] = df["points"].astype(float)
    df["weight"] = df["weight"].astype(float)
    used = df["weight"].where(df["points"].notna(), 0.0)
    total = used.groupby([df["project_id"], df["score"]]).transform("sum")
    df["share"] = (used / total.replace(0, np.nan)).fillna(0.0)
    df["contribution"] = df["points"].fillna(0.0) * df["share"]
    return df


def _values(x):
    """A column's values without its index (inputs come from frames with different indexes)."""
    return x.to_numpy() if isinstance(x, pd.Series) else x


def value_breakdown(
    projects: pd.DataFrame, rules: Governance, achievement: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Inputs of the governance value score, one row per project and input.

    ``achievement`` (``analytics.benefits.project_achievement``: project_id, share, basis):
    where a project has a benefits register, its benefits input is ``benefits_planned`` times
    the share of its targets the register forecasts (or realised, once due), and its value
    text says so; a project without a register keeps the planned figure."""
    ids = projects["project_id"]
    strategic, value = _numbers(projects["strategic_score"]), _numbers(projects["value_score"])
    planned = _numbers(projects["benefits_planned"])
    share, basis = _achievement(ids, achievement)
    expected = planned * np.where(np.isnan(share), 1.0, share)
    ratio = expected / _numbers(projects["budget"], positive=True)
    given = lambda x, fmt: ["not given" if np.isnan(v) else fmt.format(v) for v in x]  # noqa: E731
    benefit_text = [
        t if not b or t == "not given" else f"{t} ({b})"
        for t, b in zip(given(ratio, "{:.2f} x budget"), basis, strict=True)
    ]
    rule = f"benefits / budget, full marks at {rules.benefits_ratio_full:g}x"
    if any(basis):
        rule += "; benefits planned x the register's share of its targets where one exists"
    common = {"project_id": ids, "score": "governance"}
    return _finish(
        [
            {**common, "input": "strategic alignment", "value": given(strategic, "{:g} / 10"),
             "points": strategic * 10, "weight": rules.weight_strategic,
             "rule": "strategic_score x 10"},
            {**common, "input": "business value", "value": given(value, "{:g} / 10"),
             "points": value * 10, "weight": rules.weight_value, "rule": "value_score x 10"},
            {**common, "input": "benefits", "value": benefit_text,
             "points": benefits_points(expected, projects["budget"], rules.benefits_ratio_full),
             "weight": rules.weight_benefits, "rule": rule},
        ]
    )  # fmt: skip


def _achievement(ids: pd.Series, achievement: pd.DataFrame | None) -> tuple[np.ndarray, list]:
    """Per project of ``ids``: the register's share of its targets (NaN without a register)
    and the sentence saying so ("" without one)."""
    if achievement is None or achievement.empty:
        return np.full(len(ids), np.nan), [""] * len(ids)
    keyed = achievement.set_index("project_id")
    text = ids.astype(str)
    share = text.map(keyed["share"]).astype(float).to_numpy()
    basis = text.map(keyed["basis"]).fillna("").tolist()
    return share, basis


def benefits_basis(snap: pd.DataFrame, achievement: pd.DataFrame | None) -> list[str]:
    """Per project: what the benefits input of its value score rests on, for the scores table."""
    share, basis = _achievement(snap["project_id"], achievement)
    return [f"planned x {b}" if b else "planned (no benefits register)" for b in basis]


def original_baselines(milestones: pd.DataFrame, review_date) -> pd.DataFrame:
    """Each milestone's first recorded baseline date: slip is measured against it, so
    re-baselining cannot hide a slip."""
    key = ["project_id", "milestone_id"]
    upto = milestones[milestones["report_date"] <= pd.Timestamp(review_date)]
    upto = upto[[*key, "report_date", "baseline_date"]]
    first = upto.loc[upto.groupby(key, sort=False, observed=True)["report_date"].idxmin()]
    return first[[*key, "baseline_date"]].rename(columns={"baseline_date": "original_baseline"})


def milestone_slips(milestones: pd.DataFrame, review_date) -> pd.DataFrame:
    """Latest milestone snapshot on or before the review date with slip against the original
    baseline (actual date when done, else forecast); one row per milestone."""
    review_date = pd.Timestamp(review_date)
    upto = milestones[milestones["report_date"] <= review_date]
    if upto.empty:
        return upto.assign(original_baseline=pd.NaT, due=pd.NaT, slip_days=np.nan)
    out = latest_snapshot(upto, review_date).merge(
        original_baselines(upto, review_date), on=["project_id", "milestone_id"]
    )
    out["due"] = out["actual_date"].fillna(out["forecast_date"])
    out["slip_days"] = (out["due"] - out["original_baseline"]).dt.days.astype(float)
    return out


def worst_slip(milestones: pd.DataFrame, review_date) -> pd.DataFrame:
    """Per project: the worst milestone slip in days (negative = ahead) and its milestone."""
    slips = milestone_slips(milestones, review_date).dropna(subset=["slip_days"])
    if slips.empty:
        return pd.DataFrame(columns=["project_id", "worst_slip_days", "worst_slip_milestone"])
    top = slips.sort_values("slip_days", ascending=False).groupby("project_id").head(1)
    return top[["project_id", "slip_days", "name"]].rename(
        columns={"slip_days": "worst_slip_days", "name": "worst_slip_milestone"}
    )


RAG_DIMENSIONS = {
    "schedule (computed)": "computed_schedule_rag",
    "cost (computed)": "computed_cost_rag",
    "scope (reported)": "scope_rag",
    "resource (reported)": "resource_rag",
}


def _rag_input(df: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Per row: mean points of the rated dimensions (NaN when none) and which were rated."""
    points = pd.DataFrame(
        {k: df[c].astype(object).map(RAG_POINTS).astype(float) for k, c in RAG_DIMENSIONS.items()}
    )
    rated = [
        ", ".join(f"{k} {v}" for k, v in zip(RAG_DIMENSIONS, row, strict=True) if v in RAG_POINTS)
        or "no rated dimension"
        for row in zip(*(df[c] for c in RAG_DIMENSIONS.values()), strict=True)
    ]
    return points.mean(axis=1), rated


def _trend_text(spi, cpi, span) -> list[str]:
    def one(label, v):
        return f"{label} {v:+.3f}" if not np.isnan(v) else f"{label} n/a"

    return [
        "fewer than two reports"
        if np.isnan(s) and np.isnan(c)
        else f"{one('SPI', s)}, {one('CPI', c)} over {n:.0f} report{'s' if n != 1 else ''}"
        for s, c, n in zip(spi, cpi, span, strict=True)
    ]


def health_breakdown(
    snap: pd.DataFrame, slips: pd.DataFrame, rules: Governance, trend: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Inputs of the execution health score, one row per project and input.

    ``snap`` is ``analytics.portfolio.snapshot``; ``slips`` is ``worst_slip``; ``trend`` is
    ``index_trend`` (None: no trend input, its weight goes to the others).
    """
    df = snap.merge(slips, on="project_id", how="left")
    if trend is None:
        trend = pd.DataFrame(columns=["project_id", "spi_change", "cpi_change", "trend_change"])
    trend = trend[["project_id", "spi_change", "cpi_change", "trend_change", "trend_span"]
                  if "trend_span" in trend else ["project_id", "spi_change", "cpi_change",
                                                 "trend_change"]]  # fmt: skip
    df = df.merge(trend.astype({"project_id": object}), on="project_id", how="left")
    rag_pts, rag_text = _rag_input(df)
    spi, cpi, slip = (_numbers(df[c]) for c in ("spi", "cpi", "worst_slip_days"))
    change = _numbers(df["trend_change"])
    span = _numbers(df["trend_span"]) if "trend_span" in df else change * np.nan
    computable = lambda x: ["not computable" if np.isnan(v) else f"{v:.2f}" for v in x]  # noqa: E731
    slip_text = [
        "no milestones" if np.isnan(d) else f"{d:+.0f} d ({m})"
        for d, m in zip(slip, df["worst_slip_milestone"], strict=True)
    ]
    floor = f"{rules.index_floor:g} or below 0, {rules.index_full:g} or above 100, linear"
    full = f"{rules.trend_full_change:g}"
    common = {"project_id": df["project_id"], "score": "execution"}
    return _finish(
        [
            {**common, "input": "RAG by dimension", "value": rag_text, "points": rag_pts,
             "weight": rules.weight_rag, "rule": "mean of Green 100, Amber 50, Red 0"},
            {**common, "input": "SPI", "value": computable(spi),
             "points": index_points(spi, rules.index_floor, rules.index_full),
             "weight": rules.weight_spi, "rule": floor},
            {**common, "input": "CPI", "value": computable(cpi),
             "points": index_points(cpi, rules.index_floor, rules.index_full),
             "weight": rules.weight_cpi, "rule": floor},
            {**common, "input": "milestone slip (worst, vs original baseline)",
             "value": slip_text, "points": slip_points(slip, rules.slip_zero_days),
             "weight": rules.weight_slip,
             "rule": f"0 d or early 100, {rules.slip_zero_days} d or more 0"},
            {**common, "input": "trend (SPI/CPI change)",
             "value": _trend_text(_numbers(df["spi_change"]), _numbers(df["cpi_change"]), span),
             "points": trend_points(change, rules.trend_full_change),
             "weight": rules.weight_trend,
             "rule": f"mean change over the last {rules.trend_reports} reports: "
                     f"-{full} or worse 0, none 50, +{full} or better 100"},
        ]
    )  # fmt: skip


def totals(breakdown: pd.DataFrame) -> pd.Series:
    """Score per project (sum of contributions); NaN when the project has no input at all."""
    has_input = breakdown["points"].notna().groupby(breakdown["project_id"]).any()
    score = breakdown.groupby("project_id")["contribution"].sum()
    return score.where(has_input)


def quadrant(value, health, rules: Governance) -> str:
    """Plain-named quadrant: high value is value >= value_threshold, healthy is
    health >= health_threshold (both inclusive)."""
    value, health = _num(value), _num(health)
    if np.isnan(value) or np.isnan(health):
        return NOT_SCORED
    high = value >= rules.value_threshold
    healthy = health >= rules.health_threshold
    if high:
        return PROTECT if healthy else INTERVENE
    return QUESTION if healthy else STOP


def explain(breakdown: pd.DataFrame) -> pd.Series:
    """One line per project: ``input value -> points x share = contribution; ...`` for hovers."""
    columns = ("project_id", "input", "value", "points", "share", "contribution")
    lines: dict[str, list[str]] = {}  # per project, its inputs in the breakdown's order
    for pid, i, v, p, s, c in zip(*(breakdown[k].tolist() for k in columns), strict=True):
        text = "n/a" if np.isnan(p) else f"{p:.0f} × {s:.2f} = {c:.1f}"
        lines.setdefault(pid, []).append(f"{i}: {v} → {text}")
    # a plain loop, not groupby().agg("; ".join): that calls Python once per project
    return pd.Series({pid: "; ".join(parts) for pid, parts in lines.items()}, dtype=object)


def scores(
    frames: dict[str, pd.DataFrame], snap: pd.DataFrame, review_date, config: Config
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per project (rows of ``snap``): governance_value, execution_health, quadrant and the
    explanation texts; plus the long breakdown of every input and its contribution.

    A project that has not reported (``snap["not_reported"]``, the staleness rule) gets no
    execution health and the quadrant "not reported"; ``last_known_health`` keeps what its last
    report scored, so the chart can show it grey where it was last seen."""
    rules = config.governance
    achievement = (
        benefits.project_achievement(frames["benefits"], review_date)
        if "benefits" in frames
        else None
    )
    value = value_breakdown(snap, rules, achievement)
    trend = index_trend(frames["status_reports"], review_date, rules.trend_reports)
    slips = worst_slip(frames["milestones"], review_date)
    health = health_breakdown(snap, slips, rules, trend)
    out = snap.copy()
    stale = (
        out["not_reported"].fillna(False).astype(bool)
        if "not_reported" in out
        else pd.Series(False, index=out.index)
    )
    out["governance_value"] = out["project_id"].map(totals(value)).astype(float)
    out["last_known_health"] = out["project_id"].map(totals(health)).astype(float)
    out["execution_health"] = out["last_known_health"].where(~stale)
    out["quadrant"] = [
        NOT_REPORTED
        if old and not np.isnan(h)
        else quadrant(v, h if not old else float("nan"), rules)
        for v, h, old in zip(out["governance_value"], out["last_known_health"], stale, strict=True)
    ]
    out["benefits_basis"] = benefits_basis(out, achievement)
    out["value_why"] = out["project_id"].map(explain(value)) if len(value) else ""
    out["health_why"] = out["project_id"].map(explain(health)) if len(health) else ""
    last = pd.to_datetime(out["last_report_date"]) if "last_report_date" in out else None
    if stale.any():
        note = [
            f"NOT REPORTED since {d.date() if pd.notna(d) else 'ever'}: no current health "
            f"(last known {'n/a' if np.isnan(h) else f'{h:.0f}'}, from the last report); "
            for d, h in zip(last[stale], out.loc[stale, "last_known_health"], strict=True)
        ]
        out.loc[stale, "health_why"] = note + out.loc[stale, "health_why"].fillna("")
    return out, pd.concat([value, health], ignore_index=True)


def previous_quadrants(now: pd.DataFrame, before: pd.DataFrame | None) -> pd.Series:
    """Per project of ``now`` (by project id): its quadrant at the compare date, NaN when it was
    not in that review or there is none."""
    if before is None or before.empty:
        return pd.Series(np.nan, index=now["project_id"], dtype=object)
    was = dict(zip(before["project_id"], before["quadrant"], strict=True))
    return pd.Series([was.get(p) for p in now["project_id"]], index=now["project_id"], dtype=object)


def label_picks(
    scored: pd.DataFrame,
    before: pd.DataFrame | None,
    count: int,
    config: Config | None = None,
    also: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """The projects worth naming on the quadrant chart, at most ``count``, in priority order:
    in turn one that moved quadrant since the compare date (largest first), one of the lowest
    execution health and one of the largest budget, until ``count`` are picked.

    ``also``: (column, reason) a chart adds as a fourth turn, largest first (the value versus
    risk chart: ``("exposure", "largest exposure")``, so its outlier is named).

    Columns ``project_id`` and ``why`` (all reasons a project was picked, e.g. "moved from
    protect and accelerate; largest budget")."""
    config = config or get_config()
    if count <= 0 or scored.empty:
        return pd.DataFrame(columns=["project_id", "why"])
    df = scored.reset_index(drop=True)
    budget = money.in_base(df.assign(budget=df["budget"].fillna(0)), "budget", config)
    df = df.assign(_budget=budget.fillna(df["budget"]).fillna(0.0))
    was = previous_quadrants(df, before).to_numpy()
    moved_mask = [
        isinstance(w, str) and w != q and NOT_SCORED not in (w, q)
        for w, q in zip(was, df["quadrant"], strict=True)
    ]
    moved = df[moved_mask].sort_values(["_budget", "project_id"], ascending=[False, True])
    worst = df.dropna(subset=["execution_health"]).sort_values(
        ["execution_health", "project_id"], kind="stable"
    )
    largest = df.sort_values(["_budget", "project_id"], ascending=[False, True])
    why_moved = {p: f"moved from {w}" for p, w in zip(df["project_id"], was, strict=True)}
    lists = [
        [(p, why_moved[p]) for p in moved["project_id"]],
        [(p, "lowest execution health") for p in worst["project_id"]],
        [(p, "largest budget") for p in largest["project_id"]],
    ]
    if also is not None:
        column, reason = also
        top = df.dropna(subset=[column]).sort_values(
            [column, "project_id"], ascending=[False, True]
        )
        lists.append([(p, reason) for p in top["project_id"]])
    picked: list[str] = []
    cursors = [0] * len(lists)
    while len(picked) < count and any(c < len(lst) for c, lst in zip(cursors, lists, strict=True)):
        for i, lst in enumerate(lists):
            while cursors[i] < len(lst) and lst[cursors[i]][0] in picked:
                cursors[i] += 1
            if cursors[i] < len(lst) and len(picked) < count:
                picked.append(lst[cursors[i]][0])
                cursors[i] += 1
    # a pick's reasons: every list it is in the first ``count`` of (a moved project is news
    # however large; "lowest" and "largest" are relative, so only near the top)
    why: dict[str, list[str]] = {p: [] for p in picked}
    for lst in lists:
        for p, w in lst[:count] if lst is not lists[0] else lst:
            if p in why:
                why[p].append(w)
    return pd.DataFrame({"project_id": picked, "why": ["; ".join(why[p]) for p in picked]})


def quadrant_counts(scored: pd.DataFrame, config: Config | None = None) -> pd.DataFrame:
    """Projects and budget per quadrant, in the fixed quadrant order (empty ones included).
    ``budget`` is NaN where several currencies are left after the rates; ``budget_text`` shows
    one figure per currency (``analytics.money.group_totals``)."""
    config = config or get_config()
    order = QUADRANTS + [NOT_REPORTED, NOT_SCORED]
    g = scored.groupby("quadrant").agg(projects=("project_id", "count"))
    g = g.join(money.group_totals(scored, "quadrant", "budget", config)).reindex(order)
    nothing = g["projects"].isna()
    g.loc[nothing, ["projects", "budget"]] = 0.0
    g.loc[nothing, "budget_text"] = money.money(0.0, config.money.currency)
    g = g.rename_axis("quadrant").reset_index()
    g["projects"] = g["projects"].astype(int)
    g["meaning"] = g["quadrant"].map(QUADRANT_HELP)
    optional = g["quadrant"].isin([NOT_SCORED, NOT_REPORTED])
    return g[~optional | (g["projects"] > 0)].reset_index(drop=True)


# --- stage gates -----------------------------------------------------------------------------


def gate_key(text) -> str | None:
    """``Gate 2: Design approved`` and ``Gate 2`` both give ``gate 2``; None when no gate."""
    if not isinstance(text, str):
        return None
    m = re.search(r"\bgate\s*([0-9a-z]+)", text.lower())
    return f"gate {m.group(1)}" if m else None


def gate_keys(texts: pd.Series) -> pd.Series:
    """``gate_key`` of a column, each distinct text read once (names repeat across snapshots)."""
    codes, uniques = pd.factorize(texts)
    keys = np.array([gate_key(t) for t in uniques] + [None], dtype=object)
    return pd.Series(keys[codes], index=texts.index, dtype=object)


def pipeline(snap: pd.DataFrame, rules: Governance, config: Config | None = None) -> pd.DataFrame:
    """Projects and budget per stage, in ``stage_order`` (unknown stages after, then none);
    budget as in ``quadrant_counts`` (never pounds plus dollars)."""
    config = config or get_config()
    staged = snap.assign(stage=snap["stage"].fillna("(no stage)"))
    g = staged.groupby("stage").agg(projects=("project_id", "count"))
    g = g.join(money.group_totals(staged, "stage", "budget", config))
    order = [s for s in rules.stage_order if s in g.index]
    order += sorted(s for s in g.index if s not in order)
    return g.reindex(order).reset_index()


def decisions_upto(decisions: pd.DataFrame, review_date) -> pd.DataFrame:
    d = decisions[decisions["decision_date"] <= pd.Timestamp(review_date)]
    return d.assign(gate=gate_keys(d["forum"]))


def overdue_gates(
    frames: dict[str, pd.DataFrame], snap: pd.DataFrame, review_date, rules: Governance
) -> pd.DataFrame:
    """Gate milestones passed more than ``gate_overdue_days`` ago with no decision recorded at
    that gate (decision forum naming the same gate) on or before the review date.

    The milestone date is its actual date when done, else its forecast date (latest snapshot).
    """
    review_date = pd.Timestamp(review_date)
    ms = milestone_slips(frames["milestones"], review_date)
    ms = ms[ms["project_id"].isin(snap["project_id"]) & ms["is_gate"].fillna(False).astype(bool)]
    ms = ms.assign(gate=gate_keys(ms["name"]))
    decided = decisions_upto(frames["decisions"], review_date)[["project_id", "gate"]]
    decided = decided.dropna().drop_duplicates().assign(decided=True)
    ms = ms.merge(decided, on=["project_id", "gate"], how="left")
    ms["days_overdue"] = (review_date - ms["due"]).dt.days - rules.gate_overdue_days
    late = ms[ms["decided"].isna() & (ms["days_overdue"] > 0)]
    late = late.merge(snap[["project_id", "name", "stage", "sponsor"]].rename(
        columns={"name": "project"}), on="project_id")  # fmt: skip
    cols = ["project_id", "project", "stage", "sponsor", "name", "gate", "due", "days_overdue"]
    return (
        late[cols]
        .rename(columns={"name": "gate_milestone", "due": "gate_date"})
        .sort_values("days_overdue", ascending=False)
        .reset_index(drop=True)
    )


def latest_gate_decision(decisions: pd.DataFrame, review_date, gate: str) -> pd.DataFrame:
    """Each project's most recent decision at ``gate`` on or before the review date."""
    d = decisions_upto(decisions, review_date)
    d = d[d["gate"] == gate_key(gate)]
    return d.sort_values(["decision_date", "decision_id"]).groupby("project_id").tail(1)


def executing_without_approval(
    frames: dict[str, pd.DataFrame], snap: pd.DataFrame, review_date, rules: Governance
) -> pd.DataFrame:
    """Projects in an execution stage whose latest decision at the execution gate is not an
    approval (go/approved), or that have none."""
    executing = snap[snap["stage"].isin(tuple(rules.execution_stages))]
    last = latest_gate_decision(frames["decisions"], review_date, rules.execution_gate)
    df = executing.merge(
        last[["project_id", "decision", "decision_date", "decided_by"]], on="project_id", how="left"
    )
    approving = tuple(d.lower() for d in rules.approving_decisions)
    ok = open_labels(df["decision"]).fillna("").str.lower().isin(approving)
    df = df[~ok].copy()
    df["finding"] = [
        f"no {rules.execution_gate} decision recorded"
        if pd.isna(dec)
        else f"latest {rules.execution_gate} decision is '{dec}' ({pd.Timestamp(dt).date()})"
        for dec, dt in zip(df["decision"], df["decision_date"], strict=True)
    ]
    cols = ["project_id", "name", "stage", "sponsor", "budget", "finding"]
    cols += [c for c in ["currency"] if c in df]  # the budget's
    return df[cols].sort_values("budget", ascending=False).reset_index(drop=True)


# --- decision log ----------------------------------------------------------------------------


def decision_log(frames: dict[str, pd.DataFrame], review_date, project_ids=None) -> pd.DataFrame:
    """Every decision on or before the review date, newest first, with the status snapshot it
    was taken on: the project's last report on or before the decision date."""
    d = decisions_upto(frames["decisions"], review_date)
    if project_ids is not None:
        d = d[d["project_id"].isin(list(project_ids))]
    names = frames["projects"][["project_id", "name"]].rename(columns={"name": "project"})
    d = d.merge(names, on="project_id", how="left")
    reports = frames["status_reports"][
        ["project_id", "report_date", "overall_rag", "rag_label", "planned_value",
         "earned_value", "actual_cost"]
    ].dropna(subset=["report_date"]).sort_values("report_date")  # fmt: skip
    dated = d[d["decision_date"].notna()].sort_values("decision_date")
    # merge_asof demands identical key dtypes, and a table read empty from the database has an
    # object project_id where a filled one has strings (no decisions yet, or no reports yet).
    linked = pd.merge_asof(
        dated.astype({"project_id": str}),
        reports.astype({"project_id": str}),
        left_on="decision_date",
        right_on="report_date",
        by="project_id",
        direction="backward",
    )
    undated = d[d["decision_date"].isna()]
    out = pd.concat([linked, undated], ignore_index=True) if len(undated) else linked
    out = out.rename(
        columns={
            "report_date": "snapshot_date",
            "overall_rag": "snapshot_rag",
            "rag_label": "snapshot_label",
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        ev, pv, ac = out["earned_value"], out["planned_value"], out["actual_cost"]
        out["snapshot_spi"] = (ev / pv.where(pv != 0)).astype(float)
        out["snapshot_cpi"] = (ev / ac.where(ac != 0)).astype(float)
    cols = [
        "decision_date", "project_id", "project", "forum", "decision", "decided_by",
        "rationale", "snapshot_date", "snapshot_rag", "snapshot_label", "snapshot_spi",
        "snapshot_cpi", "decision_id", "upload_id",
    ]  # fmt: skip
    return (
        out[cols]
        .sort_values(["decision_date", "project_id"], ascending=[False, True], na_position="last")
        .reset_index(drop=True)
    )


# --- compliance ------------------------------------------------------------------------------

CHECKS = {
    "reported_on_time": "status reported on time",
    "risk_reviewed": "risk register reviewed",
    "baseline_approved": "baseline approved before execution",
}


def compliance(
    frames: dict[str, pd.DataFrame], snap: pd.DataFrame, review_date, config: Config
) -> pd.DataFrame:
    """Per project: the three governance checks (True, False, or <NA> when not applicable),
    a note per failed check, and how many applicable checks pass.

    - reported on time: last report within staleness cadence + grace days of the review date.
    - risk register reviewed: the latest risk-register snapshot is within ``risk_review_days``.
    - baseline approved before execution (projects in an execution stage only): an approving
      decision at the execution gate dated on or before the gate milestone's date (actual,
      else forecast); with no such milestone, on or before the review date.
    """
    rules = config.governance
    review_date = pd.Timestamp(review_date)
    out = snap[["project_id", "name", "manager", "stage", "last_report_date"]].copy()
    out["reported_on_time"] = ~is_stale(review_date, out["last_report_date"], config.staleness)

    risks = frames["risks"]
    last_review = (
        risks[risks["report_date"] <= review_date].groupby("project_id")["report_date"].max()
    )
    out["risk_review_date"] = pd.to_datetime(out["project_id"].map(last_review.to_dict()))
    age = (review_date - out["risk_review_date"]).dt.days
    out["risk_reviewed"] = (age <= rules.risk_review_days).fillna(False).astype(bool)

    gate = rules.execution_gate
    ms = milestone_slips(frames["milestones"], review_date)
    ms = ms[gate_keys(ms["name"]) == gate_key(gate)]
    gate_date = ms.groupby("project_id")["due"].min()
    approving = tuple(d.lower() for d in rules.approving_decisions)
    dec = decisions_upto(frames["decisions"], review_date)
    dec = dec[(dec["gate"] == gate_key(gate)) & dec["decision"].str.lower().isin(approving)]
    first_approval = dec.groupby("project_id")["decision_date"].min()
    executing = out["stage"].isin(tuple(rules.execution_stages))
    approval = pd.to_datetime(out["project_id"].map(first_approval.to_dict()))
    deadline = pd.to_datetime(out["project_id"].map(gate_date.to_dict())).fillna(review_date)
    baseline_ok = approval.notna() & (approval <= deadline)
    out["approval_date"] = approval
    out["baseline_approved"] = pd.array(
        [bool(ok) if ex else pd.NA for ok, ex in zip(baseline_ok, executing, strict=True)],
        dtype="boolean",
    )

    notes = []
    for r, ap, dl in zip(out.itertuples(index=False), approval, deadline, strict=True):
        n = []
        if not r.reported_on_time:
            n.append(
                "never reported"
                if pd.isna(r.last_report_date)
                else f"last report {pd.Timestamp(r.last_report_date).date()}"
            )
        if not r.risk_reviewed:
            n.append(
                "no risk register"
                if pd.isna(r.risk_review_date)
                else f"risk register last reviewed {pd.Timestamp(r.risk_review_date).date()}"
            )
        if r.baseline_approved is not pd.NA and not r.baseline_approved:
            n.append(
                f"no approving {gate} decision"
                if pd.isna(ap)
                else f"{gate} approved {pd.Timestamp(ap).date()}, after execution began "
                f"{pd.Timestamp(dl).date()}"
            )
        notes.append("; ".join(n))
    out["findings"] = notes
    checks = out[list(CHECKS)].astype("boolean")
    out["checks_applicable"] = checks.notna().sum(axis=1).astype(int)
    out["checks_passed"] = checks.fillna(False).astype(bool).sum(axis=1).astype(int)
    out["compliant"] = out["checks_passed"] == out["checks_applicable"]
    return out.reset_index(drop=True)


def portfolio_compliance(comp: pd.DataFrame) -> dict[str, float]:
    """Portfolio compliance % = passed checks / applicable checks; plus % per check and the
    share of fully compliant projects. NaN when nothing applies."""
    applicable = int(comp["checks_applicable"].sum()) if len(comp) else 0
    passed = int(comp["checks_passed"].sum()) if len(comp) else 0
    out: dict[str, float] = {
        "compliance_pct": 100 * passed / applicable if applicable else float("nan"),
        "projects_compliant_pct": 100 * comp["compliant"].mean() if len(comp) else float("nan"),
        "checks_applicable": applicable,
        "checks_passed": passed,
    }
    for col in CHECKS:
        vals = comp[col].astype("boolean").dropna() if len(comp) else pd.Series(dtype=bool)
        out[f"{col}_pct"] = 100 * vals.astype(bool).mean() if len(vals) else float("nan")
    return out


def check_marks(comp: pd.DataFrame) -> pd.DataFrame:
    """The checks as text (``✓ yes``, ``✗ no``, ``n/a``) and ``passed / applicable``, failing
    projects first."""

    def mark(v) -> str:
        return "n/a" if pd.isna(v) else ("✓ yes" if v else "✗ no")

    out = comp.assign(
        **{k: comp[k].astype(object).map(mark) for k in CHECKS},
        score=[
            f"{p} / {a}"
            for p, a in zip(comp["checks_passed"], comp["checks_applicable"], strict=True)
        ],
    )
    return out.sort_values(["compliant", "checks_passed", "project_id"]).reset_index(drop=True)


# --- the two lenses side by side -------------------------------------------------------------


def lens_summary(
    scored: pd.DataFrame,
    overdue: pd.DataFrame,
    unapproved: pd.DataFrame,
    comp_total: dict[str, float],
    config: Config,
) -> dict[str, list[tuple[str, str]]]:
    """What each lens says about the filtered portfolio, as (measure, value) pairs."""
    rules = config.governance
    n = len(scored)
    high = scored["governance_value"] >= rules.value_threshold
    healthy = scored["execution_health"] >= rules.health_threshold
    # Shares of budget only where every budget converts into the portfolio currency.
    budget = money.in_base(scored.assign(budget=scored["budget"].fillna(0)), "budget", config)
    total_budget = budget.sum() if budget.notna().all() else float("nan")

    def pct(mask) -> str:
        if pd.isna(total_budget):
            return f"{int(mask.sum())} of {n} (budgets in several currencies)"
        share = 100 * budget[mask].sum() / total_budget if total_budget else 0.0
        return f"{int(mask.sum())} of {n} ({share:.0f}% of budget)"

    def mean(col: str) -> str:
        v = scored[col].mean()
        return "n/a" if pd.isna(v) else f"{v:.0f} / 100"

    def fmt_pct(x: float) -> str:
        return "n/a" if pd.isna(x) else f"{x:.0f}%"

    spi, cpi = scored["spi"].median(), scored["cpi"].median()
    gap = scored.assign(gap=scored["eac_typical"].fillna(scored["budget"]) - scored["budget"])
    gap_text = money.total_text(gap, "gap", config, lambda v, c: money.money(v, c, True))
    return {
        "governance": [
            ("mean governance value", mean("governance_value")),
            (f"high value (≥ {rules.value_threshold:g})", pct(high)),
            ("gate decisions overdue", str(len(overdue))),
            ("executing without an approved gate", str(len(unapproved))),
            ("portfolio compliance", fmt_pct(comp_total["compliance_pct"])),
        ],
        "execution": [
            ("mean execution health", mean("execution_health")),
            (f"healthy (≥ {rules.health_threshold:g})", pct(healthy)),
            (portfolio.computed("Red"), str(int((scored["computed_rag"] == "Red").sum()))),
            ("watermelons (reported Green, computed worse)", str(int(scored["watermelon"].sum()))),
            (
                "median SPI / CPI",
                f"{'n/a' if pd.isna(spi) else f'{spi:.2f}'} / "
                f"{'n/a' if pd.isna(cpi) else f'{cpi:.2f}'}",
            ),
            ("EAC − budget", gap_text),
        ],
    }
