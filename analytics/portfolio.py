"""The portfolio as of one review date: one row per project with its latest report, EVM,
computed RAG, staleness and risk, and the aggregates the health page shows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analytics import money
from analytics.evm import add_evm
from analytics.rag import add_computed_rag
from analytics.risk import exposure_by_project, open_risks
from analytics.snapshot import asof_grid, open_labels
from analytics.staleness import days_since, is_stale
from config import Config, get_config

FILTER_FIELDS = ["portfolio", "programme", "stage", "sponsor"]
RAG_ORDER = ["Red", "Amber", "Green", "Grey"]
NOT_REPORTED = "Not reported"
NO_REPORT_YET = "First report not due yet"


def review_dates(status_reports: pd.DataFrame) -> list[pd.Timestamp]:
    """Distinct reporting dates, oldest first: the weeks a review can look at."""
    return sorted(pd.to_datetime(status_reports["report_date"]).dropna().unique())


def previous_review(dates: list[pd.Timestamp], review_date) -> pd.Timestamp | None:
    earlier = [d for d in dates if d < pd.Timestamp(review_date)]
    return earlier[-1] if earlier else None


def filter_projects(projects: pd.DataFrame, filters: dict[str, list[str]] | None) -> pd.DataFrame:
    """Projects matching every non-empty filter (field -> allowed values)."""
    mask = pd.Series(True, index=projects.index)
    for fld, allowed in (filters or {}).items():
        if allowed:
            mask &= projects[fld].isin(allowed)
    return projects[mask]


def filter_choices(
    projects: pd.DataFrame,
    filters: dict[str, list[str]] | None,
    first: list[str] = (),
) -> tuple[dict[str, list[str]], dict[str, list[str]], dict[str, list[str]]]:
    """The sidebar filters made to fit each other: per field, the values the *other* filters
    leave (``options``), the chosen values kept, and the chosen values dropped because no
    project has them together with the other choices.

    A choice is dropped, never silently kept: a programme of another portfolio would leave
    "No projects match these filters" and nobody would see why. When two fields clash (one
    portfolio, a programme of another), the field the person just changed (``first``) wins,
    then the order of FILTER_FIELDS (the broader field): the other one's misfits go, and this
    repeats until every chosen value fits. Then every value offered matches at least one project
    with every other choice, so the kept filters never match nothing."""
    order = list(dict.fromkeys([*first, *FILTER_FIELDS]))
    kept = {f: [str(v) for v in (filters or {}).get(f) or []] for f in FILTER_FIELDS}
    dropped: dict[str, list[str]] = {}
    while True:
        options = {}
        for fld in FILTER_FIELDS:
            others = {f: v for f, v in kept.items() if f != fld}
            values = filter_projects(projects, others)[fld].dropna().astype(str)
            options[fld] = sorted(values.unique().tolist())
        misfit = [f for f in order if any(v not in options[f] for v in kept[f])]
        if not misfit:
            return options, kept, dropped
        fld = misfit[-1]  # the lowest-priority field gives way
        dropped.setdefault(fld, []).extend(v for v in kept[fld] if v not in options[fld])
        kept[fld] = [v for v in kept[fld] if v in options[fld]]


def _in_review(projects: pd.DataFrame, review_date: pd.Timestamp) -> pd.DataFrame:
    # A project joins the review once it has started; projects without a start date always count.
    return projects[projects["start_date"].isna() | (projects["start_date"] <= review_date)]


def latest_reports(status_reports: pd.DataFrame, review_date) -> pd.DataFrame:
    """Each project's last status report on or before the review date."""
    upto = status_reports.loc[
        status_reports["report_date"] <= pd.Timestamp(review_date), ["project_id", "report_date"]
    ]
    # rows are picked on two columns and the whole frame is cut once (it holds long texts)
    last = upto.sort_values("report_date", kind="stable").groupby("project_id").tail(1)
    return status_reports.loc[last.index]


def display_rag(overall: pd.Series, stale: pd.Series) -> pd.Series:
    """The RAG shown for a project: its reported overall RAG, Grey when it has not reported."""
    return open_labels(overall).where(~stale, "Grey").fillna("Grey")


def snapshot(
    frames: dict[str, pd.DataFrame],
    review_date,
    config: Config,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """One row per project in the review: project fields, last report, EVM, computed RAG, risk."""
    review_date = pd.Timestamp(review_date)
    projects = _in_review(filter_projects(frames["projects"], filters), review_date)
    reports = latest_reports(frames["status_reports"], review_date).rename(
        columns={
            "report_date": "last_report_date",
            "forecast_end_date": "report_forecast_end",
            "upload_id": "report_upload_id",
        }
    )
    snap = projects.merge(reports, on="project_id", how="left")
    # one row per project: labels as plain values, so Grey and "Not reported" can be set below
    snap = snap.apply(open_labels)
    # Keep dtypes stable when the merge is empty (filters matching nothing).
    for col in ("last_report_date", "report_forecast_end", "forecast_end_date", "start_date",
                "end_date"):  # fmt: skip
        snap[col] = pd.to_datetime(snap[col])
    for col in ("budget", "contingency", "planned_value", "earned_value", "actual_cost"):
        snap[col] = pd.to_numeric(snap[col]).astype(float)
    snap["currency"] = money.currencies(snap, config)  # the portfolio's where none is recorded
    snap["forecast_end"] = snap["report_forecast_end"].fillna(snap["forecast_end_date"])
    snap["days_since_report"] = days_since(review_date, snap["last_report_date"])
    # A project that never reported is late only once its first report was due.
    due_from = snap["last_report_date"].fillna(snap["start_date"])
    snap["not_reported"] = is_stale(review_date, due_from, config.staleness)
    snap["display_rag"] = display_rag(snap["overall_rag"], snap["not_reported"])
    snap["status_label"] = (
        snap["rag_label"]
        .where(snap["last_report_date"].notna(), NO_REPORT_YET)
        .where(~snap["not_reported"], NOT_REPORTED)
    )
    snap = add_computed_rag(add_evm(snap), config)
    risk = exposure_by_project(open_risks(frames["risks"], review_date, config.risk))
    snap = snap.merge(risk, on="project_id", how="left")
    snap[["open_risks", "exposure"]] = snap[["open_risks", "exposure"]].fillna(0)
    snap["as_of"] = review_date
    return snap.reset_index(drop=True)


def kpis(snap: pd.DataFrame, config: Config | None = None) -> dict:
    """Headline figures for the tiles. EAC falls back to budget where it is not computable.

    Money is totalled per currency (``money``: currency -> budget, eac, eac_variance); the plain
    ``budget``, ``eac`` and ``eac_variance`` hold the total only when there is one currency
    (after the configured rates), NaN otherwise, so pounds are never added to dollars.
    """
    config = config or get_config()
    n = len(snap)
    counts = snap["display_rag"].value_counts()
    out: dict = {"projects": n}
    for rag in RAG_ORDER:
        out[f"n_{rag.lower()}"] = int(counts.get(rag, 0))
        out[f"pct_{rag.lower()}"] = 100 * counts.get(rag, 0) / n if n else 0.0
    figures = snap.assign(eac=snap["eac_typical"].fillna(snap["budget"]))
    by_ccy = money.totals(figures, ["budget", "eac"], config)
    for v in by_ccy.values():
        v["eac_variance"] = v["eac"] - v["budget"]
    out["money"] = by_ccy
    out["currency"] = next(iter(by_ccy)) if len(by_ccy) == 1 else None
    out["converted"] = money.converted(snap, config)
    for key in ("budget", "eac", "eac_variance"):
        out[key] = by_ccy[out["currency"]][key] if out["currency"] else float("nan")
    out["not_reported"] = int(snap["not_reported"].sum())
    out["watermelons"] = int(snap["watermelon"].sum())
    return out


def reported(rag: str) -> str:
    """``Red (reported)``: a count of the RAG project managers report (the RAG shown, Grey when
    not reported). Every tile and count names which of the two RAGs it counts."""
    return f"{rag} (reported)"


def computed(rag: str) -> str:
    """``Red (computed)``: a count of the RAG worked out from schedule and cost (the
    [schedule] and [cost] rules)."""
    return f"{rag} (computed)"


def red_gap(snap: pd.DataFrame) -> str:
    """The sentence This week and Governance both show, so the two Red counts are explained
    in one place: how many are Red as reported, how many as computed, and the watermelons
    (reported Green, computed worse) between them."""
    rep = int((snap["display_rag"] == "Red").sum())
    com = int((snap["computed_rag"] == "Red").sum())
    water = int(snap["watermelon"].sum())
    return (
        f"{reported('Red')}: {rep}, the RAG project managers report. {computed('Red')}: {com}, "
        f"worked out from schedule and cost by the [schedule] and [cost] rules. The gap: {water} "
        f"watermelon{'s' if water != 1 else ''} (reported Green, computed Amber or Red)."
    )


def rag_distribution(snap: pd.DataFrame) -> pd.DataFrame:
    """Counts of projects per RAG for overall (as shown) and each reported dimension."""
    dims = {
        "Overall": "display_rag",
        "Schedule": "schedule_rag",
        "Cost": "cost_rag",
        "Scope": "scope_rag",
        "Resource": "resource_rag",
    }
    rows = []
    for label, col in dims.items():
        values = snap[col].where(~snap["not_reported"], "Grey").fillna("Grey")
        counts = values.value_counts()
        rows += [
            {"dimension": label, "rag": r, "projects": int(counts.get(r, 0))} for r in RAG_ORDER
        ]
    return pd.DataFrame(rows)


def rag_by(snap: pd.DataFrame, group: str) -> pd.DataFrame:
    """Counts of projects per shown RAG within each value of ``group`` (portfolio, programme);
    projects without one are counted under ``(no portfolio)``, never dropped."""
    labelled = snap.assign(**{group: snap[group].fillna(f"(no {group})")})
    counts = labelled.groupby([group, "display_rag"]).size().rename("projects").reset_index()
    return counts.rename(columns={"display_rag": "rag"})


def picked(snap: pd.DataFrame, group: str, value: str, rag: str | None = None) -> pd.Series:
    """Ids of the projects of one bar of ``rag_by``: ``group`` (portfolio, programme) equal to
    ``value`` ("(no portfolio)" for none) and, when given, shown RAG ``rag``."""
    labelled = snap[group].astype(object).fillna(f"(no {group})")
    mask = labelled == value
    if rag:
        mask &= snap["display_rag"] == rag
    return snap.loc[mask, "project_id"].astype(str)


def rag_trend(
    frames: dict[str, pd.DataFrame],
    dates: list[pd.Timestamp],
    config: Config,
    filters: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Projects per shown RAG at every review date (long format: report_date, rag, projects).

    One pass over the grid of projects x dates: each cell takes the project's last report on or
    before the date (``merge_asof``), as ``snapshot`` would on that date.
    """
    if not len(dates):
        return pd.DataFrame()
    projects = filter_projects(frames["projects"], filters)
    reports = frames["status_reports"][["project_id", "report_date", "overall_rag"]]
    last = asof_grid(projects["project_id"], dates, reports)
    last["start_date"] = pd.to_datetime(projects["start_date"]).to_numpy()[last["pos"]]
    last = last[last["start_date"].isna() | (last["start_date"] <= last["date"])]
    # the snapshot's rule: not reported (or never, once due) shows Grey, as does a blank RAG
    due_from = last["report_date"].fillna(last["start_date"])
    age = (last["date"] - due_from).dt.days
    stale = age.isna() | (age > config.staleness.cadence_days + config.staleness.grace_days)
    grey = RAG_ORDER.index("Grey")
    shown = pd.Index(RAG_ORDER).get_indexer(last["overall_rag"])
    shown = np.where(stale.to_numpy() | last["overall_rag"].isna().to_numpy(), grey, shown)
    counted = shown >= 0  # a RAG outside RAG_ORDER is shown as reported but counted nowhere
    cells = last["week"].to_numpy()[counted] * len(RAG_ORDER) + shown[counted]
    counts = np.bincount(cells, minlength=len(dates) * len(RAG_ORDER)).reshape(-1, len(RAG_ORDER))
    return pd.DataFrame(
        [
            {"report_date": d, "rag": r, "projects": int(n)}
            for d, row in zip(dates, counts, strict=True)
            for r, n in zip(RAG_ORDER, row, strict=True)
        ]
    )


def exceptions(snap: pd.DataFrame) -> pd.DataFrame:
    """Projects that need a look: Red or Amber (reported or computed), watermelons, not reported.

    Worst first; reported and computed RAG side by side with the rule that fired.
    """
    mask = (
        snap["display_rag"].isin(["Red", "Amber"])
        | snap["computed_rag"].isin(["Red", "Amber"])
        | snap["watermelon"]
        | snap["not_reported"]
    )
    out = snap[mask].copy()
    out["flags"] = [
        ", ".join(f for f, on in (("watermelon", w), (NOT_REPORTED.lower(), s)) if on)
        for w, s in zip(out["watermelon"], out["not_reported"], strict=True)
    ]
    out["eac_vs_budget"] = out["eac_typical"] - out["budget"]
    severity = {"Red": 0, "Amber": 1, "Grey": 2, "Green": 3}
    order = out["display_rag"].map(severity).astype(float).fillna(4)
    out["_order"] = order - out["watermelon"].astype(int)
    out = out.sort_values(["_order", "name"])
    cols = [
        "project_id", "name", "manager", "display_rag", "status_label", "computed_rag",
        "computed_rule", "flags", "spi", "cpi", "eac_typical", "budget", "eac_vs_budget",
        "currency", "last_report_date", "days_since_report",
    ]  # fmt: skip
    return out[cols].reset_index(drop=True)


def source_note(snap: pd.DataFrame, uploads: pd.DataFrame) -> str:
    """Where the figures come from: how many uploads fed this snapshot, and the latest one."""
    ids = snap["report_upload_id"].dropna().astype(int).unique()
    if len(ids) == 0:
        return "no status reports"
    latest = uploads[uploads["upload_id"] == ids.max()]
    name = latest["file_name"].iloc[0] if len(latest) else "?"
    plural = "s" if len(ids) != 1 else ""
    return f"status reports from {len(ids)} upload{plural}, latest #{ids.max()} ({name})"
