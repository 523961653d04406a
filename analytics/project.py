"""What the project detail page shows, as of a review date: header, RAG strip of the last
reports, earned value over time, milestone trend (with re-baselines), risks, RAID, decisions
and lineage (the uploads that fed the project). Pure functions; nothing imports streamlit."""

from __future__ import annotations

import pandas as pd

from analytics.evm import add_evm, as_float
from analytics.governance import decision_log, original_baselines
from analytics.risk import latest_register, with_scores
from analytics.snapshot import plain_text
from config import Config

STRIP_DIMENSIONS = {
    "overall_rag": "Overall",
    "schedule_rag": "Schedule",
    "cost_rag": "Cost",
    "scope_rag": "Scope",
    "resource_rag": "Resource",
}
HEADER_FIELDS = [
    "project_id", "name", "portfolio", "programme", "department", "sponsor", "manager",
    "stage", "priority", "budget", "currency", "contingency", "start_date", "end_date",
    "forecast_end_date", "benefits_planned", "strategic_score", "value_score",
]  # fmt: skip


def project_ids(projects: pd.DataFrame) -> list[str]:
    return sorted(projects["project_id"].dropna().astype(str).tolist())


def header(projects: pd.DataFrame, project_id: str) -> dict | None:
    """The project's register fields (None where a field has no value, never NaN, which
    would show as "nan"), or None when the id is unknown."""
    row = projects[projects["project_id"] == project_id]
    if row.empty:
        return None
    return {
        k: None if pd.isna(v := row.iloc[0][k]) else v for k in HEADER_FIELDS if k in row.columns
    }


def reports(status_reports: pd.DataFrame, project_id: str, review_date) -> pd.DataFrame:
    """The project's status reports on or before the review date, oldest first."""
    r = status_reports[
        (status_reports["project_id"] == project_id)
        & (status_reports["report_date"] <= pd.Timestamp(review_date))
    ]
    return r.sort_values("report_date").reset_index(drop=True)


def rag_strip(
    status_reports: pd.DataFrame, project_id: str, review_date, n: int = 12
) -> pd.DataFrame:
    """The last ``n`` reports as a long frame: report_date, dimension, rag (missing = Grey)."""
    last = reports(status_reports, project_id, review_date).tail(n)
    rows = [
        {
            "report_date": r["report_date"],
            "dimension": label,
            "rag": r[col] if isinstance(r[col], str) and r[col] else "Grey",
        }
        for _, r in last.iterrows()
        for col, label in STRIP_DIMENSIONS.items()
    ]
    return pd.DataFrame(rows, columns=["report_date", "dimension", "rag"])


def latest_narrative(status_reports: pd.DataFrame, project_id: str, review_date) -> dict | None:
    """Summary, next steps and decisions needed of the last report (plain text), or None."""
    r = reports(status_reports, project_id, review_date)
    if r.empty:
        return None
    last = r.iloc[-1]

    def text(col: str) -> str:
        v = last.get(col)
        return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)

    return {
        "report_date": last["report_date"],
        "reported_by": text("reported_by"),
        "rag_label": text("rag_label"),
        "overall_rag": text("overall_rag") or "Grey",
        "summary": text("summary"),
        "next_steps": text("next_steps"),
        "decisions_needed": text("decisions_needed"),
    }


EVM_INPUTS = ["planned_value", "earned_value", "actual_cost"]


def has_earned_value(reports: pd.DataFrame) -> bool:
    """Whether any report gives planned value, earned value or actual cost (a RAG-only status
    sheet gives none, and then there is no S-curve to draw)."""
    return bool(reports[EVM_INPUTS].notna().any().any())


def evm_series(frames: dict[str, pd.DataFrame], project_id: str, review_date) -> pd.DataFrame:
    """PV, EV, AC and the EVM indices (SPI, CPI, EAC variants...) at each report date."""
    r = reports(frames["status_reports"], project_id, review_date)
    proj = frames["projects"][frames["projects"]["project_id"] == project_id]
    r = r.assign(budget=as_float(proj["budget"].iloc[0]) if len(proj) else float("nan"))
    cols = ["report_date", "budget", *EVM_INPUTS]
    return add_evm(r[cols].copy())


def milestone_trend(milestones: pd.DataFrame, project_id: str, review_date) -> pd.DataFrame:
    """For each milestone and reporting date: forecast (or actual) date, the baseline as
    reported then, the original baseline, slip against the original, and whether the baseline
    changed at that report (a re-baseline event)."""
    review_date = pd.Timestamp(review_date)
    m = plain_text(
        milestones[
            (milestones["project_id"] == project_id) & (milestones["report_date"] <= review_date)
        ].sort_values(["milestone_id", "report_date"])
    )
    if m.empty:
        return m.assign(
            original_baseline=pd.NaT, due=pd.NaT, slip_days=float("nan"), rebaselined=False
        )
    m = m.merge(original_baselines(m, review_date), on=["project_id", "milestone_id"])
    m["due"] = m["actual_date"].fillna(m["forecast_date"])
    m["slip_days"] = (m["due"] - m["original_baseline"]).dt.days.astype(float)
    prev = m.groupby("milestone_id")["baseline_date"].shift()
    m["rebaselined"] = (prev.notna() & (m["baseline_date"] != prev)).astype(bool)
    return m.reset_index(drop=True)


def rebaselines(trend: pd.DataFrame) -> pd.DataFrame:
    """Re-baseline events: milestone, report date, baseline before and after."""
    if trend.empty:
        return pd.DataFrame(columns=["milestone_id", "name", "report_date", "from", "to"])
    prev = trend.groupby("milestone_id")["baseline_date"].shift()
    ev = trend.assign(**{"from": prev, "to": trend["baseline_date"]})[trend["rebaselined"]]
    return ev[["milestone_id", "name", "report_date", "from", "to"]].reset_index(drop=True)


def milestone_table(trend: pd.DataFrame) -> pd.DataFrame:
    """Latest snapshot of each milestone with slip against the original baseline."""
    if trend.empty:
        return trend
    last = trend[trend["report_date"] == trend["report_date"].max()]
    cols = ["milestone_id", "name", "is_gate", "original_baseline", "baseline_date",
            "forecast_date", "actual_date", "status", "slip_days"]  # fmt: skip
    return last[cols].sort_values("original_baseline").reset_index(drop=True)


def project_risks(
    risks: pd.DataFrame, project_id: str, review_date, config: Config
) -> pd.DataFrame:
    """The project's latest risk register on or before the review date, highest score first."""
    reg = latest_register(risks[risks["project_id"] == project_id], review_date)
    if reg.empty:
        return reg
    reg = with_scores(reg, config.risk)
    return reg.sort_values(["is_open", "score"], ascending=[False, False]).reset_index(drop=True)


def project_raid(raid_items: pd.DataFrame, project_id: str) -> pd.DataFrame:
    r = raid_items[raid_items["project_id"] == project_id]
    return r.sort_values(["type", "item_id"]).reset_index(drop=True)


def project_decisions(
    frames: dict[str, pd.DataFrame], project_id: str, review_date
) -> pd.DataFrame:
    return decision_log(frames, review_date, [project_id])


def lineage(frames: dict[str, pd.DataFrame], project_id: str) -> pd.DataFrame:
    """Uploads that wrote any current row of the project: id, file, who, when, and the rows
    per table it still provides. Newest first."""
    counts = []
    for name in ("projects", "status_reports", "risks", "milestones", "decisions", "raid_items"):
        df = frames.get(name)
        if df is None or df.empty or "upload_id" not in df:
            continue
        ids = df.loc[df["project_id"] == project_id, "upload_id"].dropna()
        for uid, n in ids.astype(int).value_counts().items():
            counts.append({"upload_id": int(uid), "table": name, "rows": int(n)})
    cols = ["upload_id", "file_name", "uploaded_by", "uploaded_at", "source", "rows"]
    if not counts:
        return pd.DataFrame(columns=cols)
    c = pd.DataFrame(counts)
    per_upload = (
        c.groupby("upload_id")
        .apply(
            lambda g: ", ".join(f"{t} {n}" for t, n in zip(g["table"], g["rows"], strict=True)),
            include_groups=False,
        )
        .rename("rows")
        .reset_index()
    )
    up = frames["uploads"].copy()
    up["upload_id"] = up["upload_id"].astype(int)
    out = per_upload.merge(up, on="upload_id", how="left")
    return out[cols].sort_values("upload_id", ascending=False).reset_index(drop=True)
