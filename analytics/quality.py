"""Data quality for the PMO: who reported, and how complete and plausible the reports are.

- ``reporting``: per project for a review date, on time / late / not reported with the age
  of the last report, for the by-manager view.
- ``findings``: plausibility checks, one row per finding naming project, field, value and rule.
- ``upload_scores`` and ``project_scores``: quality score = mean of completeness (% of the
  fields the reviews rely on that are filled) and plausibility (% of reports without a finding).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import money, overwrite, portfolio
from analytics.staleness import NOT_REPORTED, days_since, reporting_status
from config import Config

# The status-report fields the review pages rely on; a blank one lowers completeness.
REQUIRED_FIELDS = [
    "overall_rag",
    "schedule_rag",
    "cost_rag",
    "scope_rag",
    "resource_rag",
    "percent_complete",
    "planned_value",
    "earned_value",
    "actual_cost",
    "forecast_end_date",
    "summary",
]
FINDING_COLUMNS = [
    "project_id",
    "name",
    "report_date",
    "upload_id",
    "field",
    "value",
    "rule",
]
RULES = {
    "percent_down": "percent complete went down since the previous report",
    "cost_overrun": "actual cost above {factor:g} x budget",
    "end_before_report": "forecast end date before the report date (project not complete)",
    "rebaseline_no_decision": "baseline date changed without a recorded decision",
    "green_overdue": "overall RAG Green with an overdue milestone",
    "overwrite_jump": "a re-upload replaced this report and moved EV, AC or forecast end by "
    "more than {pct:g}%",
}
STATUS_ORDER = {NOT_REPORTED: 0, "late": 1, "on time": 2}


def _d(x) -> str:
    return "" if x is None or pd.isna(x) else str(pd.Timestamp(x).date())


def reporting(
    frames: dict[str, pd.DataFrame],
    review_date,
    config: Config,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """One row per project in the review: manager, last report, age in days, reporting status.

    Sorted by manager, worst status first, so a PMO analyst can chase by manager.
    """
    snap = portfolio.snapshot(frames, review_date, config, filters)
    out = snap[
        ["manager", "project_id", "name", "last_report_date", "display_rag", "status_label"]
    ].copy()
    out["manager"] = out["manager"].fillna("(no manager)")
    out["age_days"] = days_since(pd.Timestamp(review_date), out["last_report_date"])
    out["status"] = reporting_status(
        pd.Timestamp(review_date), out["last_report_date"], config.staleness
    )
    out["_s"] = out["status"].map(STATUS_ORDER)
    out = out.sort_values(
        ["manager", "_s", "age_days", "name"], ascending=[True, True, False, True]
    )
    return out.drop(columns="_s").reset_index(drop=True)


def by_manager(report: pd.DataFrame) -> pd.DataFrame:
    """Counts per manager: on time, late, not reported, and the oldest last report in days."""
    counts = pd.crosstab(report["manager"], report["status"])
    for col in STATUS_ORDER:
        if col not in counts:
            counts[col] = 0
    out = counts[["on time", "late", NOT_REPORTED]].astype(int)
    out["projects"] = out.sum(axis=1)
    out["oldest_days"] = report.groupby("manager")["age_days"].max()
    out = out.reset_index().rename(columns={NOT_REPORTED: "not_reported", "on time": "on_time"})
    return out.sort_values(["not_reported", "late", "manager"], ascending=[False, False, True])


# --- plausibility findings --------------------------------------------------------------------


def _finding(r, field: str, value: str, rule: str, date_col: str = "report_date") -> dict:
    return {
        "project_id": r["project_id"],
        "report_date": r[date_col],
        "upload_id": r.get("upload_id"),
        "field": field,
        "value": value,
        "rule": rule,
    }


def _findings(hits: pd.DataFrame, field: str, values: list[str], rule: str) -> list[dict]:
    """One finding per row of ``hits`` (the rows a check flagged), ``values`` aligned to them."""
    upload = hits["upload_id"] if "upload_id" in hits else [None] * len(hits)
    return [
        {"project_id": p, "report_date": d, "upload_id": u, "field": field, "value": v,
         "rule": rule}
        for p, d, u, v in zip(hits["project_id"], hits["report_date"], upload, values, strict=True)
    ]  # fmt: skip


def _report_findings(reports: pd.DataFrame, projects: pd.DataFrame, config: Config) -> list[dict]:
    # the columns the checks read: every report is here, so no copy of its long texts
    used = ["project_id", "report_date", "upload_id", "percent_complete", "actual_cost",
            "forecast_end_date"]  # fmt: skip
    rep = reports[[c for c in used if c in reports]].sort_values(["project_id", "report_date"])
    rep["prev_pc"] = rep.groupby("project_id")["percent_complete"].shift()
    rep["prev_date"] = rep.groupby("project_id")["report_date"].shift()
    rep = rep.merge(projects[["project_id", "budget"]], on="project_id", how="left")
    down = rep[rep["percent_complete"] < rep["prev_pc"]]
    values = [
        f"{pc:g}% (was {prev:g}% on {_d(d)})"
        for pc, prev, d in zip(
            down["percent_complete"], down["prev_pc"], down["prev_date"], strict=True
        )
    ]
    rows = _findings(down, "percent_complete", values, RULES["percent_down"])
    factor = config.quality.cost_overrun_factor
    over = rep[rep["actual_cost"] > factor * rep["budget"]]
    values = [
        f"£{ac:,.0f} vs budget £{b:,.0f}"
        for ac, b in zip(over["actual_cost"], over["budget"], strict=True)
    ]
    rows += _findings(over, "actual_cost", values, RULES["cost_overrun"].format(factor=factor))
    done = rep["percent_complete"].fillna(0) >= 100
    early = rep[(rep["forecast_end_date"] < rep["report_date"]) & ~done]
    values = [
        f"{_d(end)} (report {_d(d)})"
        for end, d in zip(early["forecast_end_date"], early["report_date"], strict=True)
    ]
    rows += _findings(early, "forecast_end_date", values, RULES["end_before_report"])
    return rows


def _milestone_findings(
    milestones: pd.DataFrame,
    reports: pd.DataFrame,
    decisions: pd.DataFrame,
    config: Config,
) -> list[dict]:
    ms = milestones.sort_values(["project_id", "milestone_id", "report_date"]).copy()
    g = ms.groupby(["project_id", "milestone_id"])
    ms["prev_baseline"] = g["baseline_date"].shift()
    ms["prev_date"] = g["report_date"].shift()
    moved = ms[ms["prev_baseline"].notna() & (ms["baseline_date"] != ms["prev_baseline"])]
    window = pd.Timedelta(days=config.quality.decision_window_days)
    # A re-baseline is covered by a decision of its project dated in the window before it.
    pairs = (
        moved[["project_id", "prev_date", "report_date"]]
        .assign(_m=np.arange(len(moved)))
        .merge(decisions[["project_id", "decision_date"]], on="project_id")
    )
    in_window = (pairs["decision_date"] > pairs["prev_date"] - window) & (
        pairs["decision_date"] <= pairs["report_date"]
    )
    covered = np.isin(np.arange(len(moved)), pairs.loc[in_window, "_m"])
    bare = moved[~covered]
    values = [
        f"{name}: {_d(prev)} → {_d(base)} (no decision dated {_d(since - window)} to {_d(d)})"
        for name, prev, base, since, d in zip(
            bare["name"], bare["prev_baseline"], bare["baseline_date"], bare["prev_date"],
            bare["report_date"], strict=True,
        )
    ]  # fmt: skip
    rows = _findings(bare, "baseline_date", values, RULES["rebaseline_no_decision"])
    # Green while a milestone is overdue: forecast (or baseline) passed, no actual date.
    due = ms["forecast_date"].fillna(ms["baseline_date"])
    # a blank status is not done (isin is False for it; a categorical takes no fillna(""))
    done = ms["actual_date"].notna() | ms["status"].str.lower().isin(
        ["complete", "completed", "done", "achieved"]
    )
    late = (due < ms["report_date"]) & ~done
    overdue = ms[late].assign(due=due[late])
    green = reports[reports["overall_rag"] == "Green"][["project_id", "report_date", "upload_id"]]
    hits = overdue.drop(columns="upload_id").merge(green, on=["project_id", "report_date"])
    late = [f"{n} (due {_d(x)})" for n, x in zip(hits["name"], hits["due"], strict=True)]
    hits = hits[["project_id", "report_date", "upload_id"]].assign(
        late=pd.Series(late, index=hits.index, dtype=object)
    )
    # the upload is the Green report's, the same for every overdue milestone of the report
    per_report = hits.groupby(["project_id", "report_date"], sort=True, observed=True).agg(
        upload_id=("upload_id", "first"), late=("late", ", ".join)
    )
    for (pid, date), upload, late in zip(
        per_report.index, per_report["upload_id"], per_report["late"], strict=True
    ):
        rows.append(
            {
                "project_id": pid,
                "report_date": date,
                "upload_id": upload,
                "field": "overall_rag",
                "value": f"Green; overdue: {late}",
                "rule": RULES["green_overdue"],
            }
        )
    return rows


def _overwrite_findings(frames, reports: pd.DataFrame, config: Config) -> list[dict]:
    """Each stored report whose upload replaced an earlier version with a jump."""
    replaced = frames.get("replaced_status")
    if replaced is None or replaced.empty:
        return []
    currencies = money.currencies(frames["projects"], config)
    ccy = dict(zip(frames["projects"]["project_id"], currencies, strict=True))
    # the version each current report replaced (the last one, if replaced several times)
    old = replaced.sort_values("replaced_by_upload").drop_duplicates(overwrite.KEY, keep="last")
    both = reports.merge(old, on=overwrite.KEY, suffixes=("", "_old"))
    both = both[both["upload_id"] == both["replaced_by_upload"]]
    rule = RULES["overwrite_jump"].format(pct=config.quality.overwrite_jump_pct)
    rows = []
    for r in both.to_dict("records"):  # the replaced reports only
        before = {f: r[f"{f}_old"] for f in overwrite.FIGURES[1:]}
        before["report_date"] = r["report_date"]
        found = overwrite.jumps(before, r, config, ccy.get(r["project_id"]))
        if found:
            rows.append(_finding(r, "earned_value", "; ".join(found), rule))
    return rows


def findings(frames: dict[str, pd.DataFrame], config: Config, upto=None) -> pd.DataFrame:
    """Every plausibility finding in reports and milestone plans dated on or before ``upto``."""
    reports, ms = frames["status_reports"], frames["milestones"]
    if upto is not None:
        reports = reports[reports["report_date"] <= pd.Timestamp(upto)]
        ms = ms[ms["report_date"] <= pd.Timestamp(upto)]
    rows = _report_findings(reports, frames["projects"], config)
    rows += _milestone_findings(ms, reports, frames["decisions"], config)
    rows += _overwrite_findings(frames, reports, config)
    if not rows:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="datetime64[ns]" if c == "report_date" else "object")
                for c in FINDING_COLUMNS
            }
        )
    out = pd.DataFrame(rows)
    out = out.merge(frames["projects"][["project_id", "name"]], on="project_id", how="left")
    out = out.sort_values(["report_date", "name", "field"], ascending=[False, True, True])
    return out[FINDING_COLUMNS].reset_index(drop=True)


# --- rows skipped at upload --------------------------------------------------------------------

SKIPPED_COLUMNS = ["upload_id", "file_name", "sheet", "row", "column", "value", "reason"]


def skipped_rows(reports: dict[int, dict], uploads: pd.DataFrame) -> pd.DataFrame:
    """Rows an upload left out (its stored report): upload, file, sheet, row, column, value and
    the reason, newest upload first."""
    names = dict(zip(uploads["upload_id"], uploads["file_name"], strict=True))
    out = [
        {
            "upload_id": uid,
            "file_name": names.get(uid, report.get("file")),
            "sheet": p.get("sheet"),
            "row": p.get("row"),
            "column": p.get("column"),
            "value": p.get("value"),
            "reason": p.get("message"),
        }
        for uid, report in reports.items()
        for sheet in report.get("sheets", [])
        for p in sheet.get("problems", [])
        if p.get("outcome") == "skipped"
    ]
    frame = pd.DataFrame(out, columns=SKIPPED_COLUMNS)
    frame["row"] = frame["row"].astype("Int64")
    return frame.sort_values(["upload_id", "sheet", "row"], ascending=[False, True, True])


# --- scores ------------------------------------------------------------------------------------


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    """True where a required field holds a value (blank text counts as missing)."""
    cols = {}
    for c in REQUIRED_FIELDS:
        s = frame[c] if c in frame else pd.Series(pd.NA, index=frame.index)
        ok = s.notna()
        if isinstance(s.dtype, pd.CategoricalDtype):  # blank text judged once per category
            cats = s.cat.categories
            ok &= ~s.isin(cats[pd.Index(cats.astype(str)).str.strip() == ""])
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            ok &= s.astype("string").str.strip().fillna("") != ""
        cols[c] = ok.astype(bool)
    return pd.DataFrame(cols, index=frame.index)


def _missing(filled: pd.DataFrame) -> pd.Series:
    """Per row, the blank fields by name (``summary, cost_rag``): each distinct pattern of blanks
    is spelled once, as reports repeat a few patterns."""
    bits = filled.to_numpy() @ (1 << np.arange(filled.shape[1]))
    patterns, inverse = np.unique(bits, return_inverse=True)
    names = [", ".join(c for i, c in enumerate(filled.columns) if not p >> i & 1) for p in patterns]
    return pd.Series(np.array(names, dtype=object)[inverse], index=filled.index, dtype=object)


def _score(completeness: pd.Series, plausibility: pd.Series) -> pd.Series:
    return (completeness + plausibility) / 2


def upload_scores(frames: dict[str, pd.DataFrame], found: pd.DataFrame, upto=None) -> pd.DataFrame:
    """Per upload with status reports: reports, completeness %, findings, plausibility %, score."""
    reports = frames["status_reports"]
    if upto is not None:
        reports = reports[reports["report_date"] <= pd.Timestamp(upto)]
    cols = ["upload_id", "file_name", "uploaded_at", "reports", "report_dates", "completeness",
            "findings", "plausibility", "score", "missing"]  # fmt: skip
    if reports.empty:
        return pd.DataFrame(columns=cols)
    filled = _filled(reports)
    rep = reports[["upload_id", "project_id", "report_date"]].assign(
        filled=filled.sum(axis=1), cells=len(REQUIRED_FIELDS)
    )
    flagged = found.drop_duplicates(["project_id", "report_date"])[["project_id", "report_date"]]
    rep = rep.merge(flagged.assign(flagged=True), on=["project_id", "report_date"], how="left")
    rep["flagged"] = rep["flagged"].fillna(False).astype(bool)
    missing = filled.rename(columns=lambda c: c).assign(upload_id=reports["upload_id"])
    gaps = (~missing.drop(columns="upload_id")).groupby(missing["upload_id"]).sum()
    per = rep.groupby("upload_id").agg(
        reports=("project_id", "size"),
        first_date=("report_date", "min"),
        last_date=("report_date", "max"),
        filled=("filled", "sum"),
        cells=("cells", "sum"),
        flagged=("flagged", "sum"),
    )
    counts = found.groupby("upload_id").size() if len(found) else pd.Series(dtype=int)
    per["findings"] = counts.reindex(per.index).fillna(0).astype(int)
    per["completeness"] = 100 * per["filled"] / per["cells"]
    per["plausibility"] = 100 * (1 - per["flagged"] / per["reports"])
    per["score"] = _score(per["completeness"], per["plausibility"])
    per["report_dates"] = [
        _d(a) if a == b else f"{_d(a)} to {_d(b)}"
        for a, b in zip(per["first_date"], per["last_date"], strict=True)
    ]
    per["missing"] = [
        ", ".join(f"{c} ×{int(n)}" for c, n in gaps.loc[uid].items() if n) or ""
        for uid in per.index
    ]
    per = per.reset_index()
    uploads = frames["uploads"][["upload_id", "file_name", "uploaded_at"]]
    per = per.merge(uploads, on="upload_id", how="left")
    return per.sort_values("upload_id", ascending=False)[cols].reset_index(drop=True)


def project_scores(
    frames: dict[str, pd.DataFrame],
    found: pd.DataFrame,
    review_date,
    config: Config,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Per project in the review, over its reports up to the review date: completeness,
    plausibility, score, and the completeness of its latest report."""
    status = reporting(frames, review_date, config, filters)
    reports = frames["status_reports"]
    reports = reports[
        (reports["report_date"] <= pd.Timestamp(review_date))
        & reports["project_id"].isin(status["project_id"])
    ]
    filled = _filled(reports)
    rep = reports[["project_id", "report_date"]].assign(
        pct=100 * filled.mean(axis=1), missing=_missing(filled)
    )
    flagged = found.drop_duplicates(["project_id", "report_date"])[["project_id", "report_date"]]
    rep = rep.merge(flagged.assign(flagged=True), on=["project_id", "report_date"], how="left")
    rep["flagged"] = rep["flagged"].fillna(False).astype(bool)
    latest = rep.sort_values("report_date").groupby("project_id").tail(1)
    per = rep.groupby("project_id").agg(
        reports=("report_date", "size"), completeness=("pct", "mean"), flagged=("flagged", "sum")
    )
    per["findings"] = (
        found.groupby("project_id").size().reindex(per.index).fillna(0).astype(int)
        if len(found)
        else 0
    )
    per["plausibility"] = 100 * (1 - per["flagged"] / per["reports"])
    per["score"] = _score(per["completeness"], per["plausibility"])
    per = per.reset_index().merge(
        latest[["project_id", "pct", "missing"]].rename(
            columns={"pct": "latest_completeness", "missing": "latest_missing"}
        ),
        on="project_id",
        how="left",
    )
    out = status.merge(per, on="project_id", how="left")
    out["reports"] = out["reports"].fillna(0).astype(int)
    out["findings"] = out["findings"].fillna(0).astype(int)
    cols = ["project_id", "name", "manager", "status", "age_days", "reports", "completeness",
            "latest_completeness", "latest_missing", "findings", "plausibility",
            "score"]  # fmt: skip
    return out.sort_values(["score", "name"], na_position="first")[cols].reset_index(drop=True)
