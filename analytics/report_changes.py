"""What an upload changes against each project's previous report: the Upload preview's "3 cells
changed on 2 projects", and the narratives that have not moved for weeks.

Pure: the status rows of the upload and the stored status reports in, frames and a sentence
out. A project's previous report is its latest stored one dated before the uploaded report
(a report that replaces one on the same date is compared with the one before it; the overwrite
preview shows the replacement itself).
"""

from __future__ import annotations

import math

import pandas as pd

import models

# The values a PM reports; overall_rag stands for the RAG (rag_label only where both reports
# have one: a sheet may write the canonical word where the stored label was empty).
FIELDS = [
    f for f in models.FIELDS["status_reports"]
    if f not in ("project_id", "report_date", "rag_label", "reported_by")
]  # fmt: skip
NARRATIVE = "summary"


def missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def same(a, b) -> bool:
    """Equal as reported: numbers to a millionth, dates by day, text without outer spaces."""
    if missing(a) or missing(b):
        return missing(a) and missing(b)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(a)))
    if isinstance(a, pd.Timestamp | str) and isinstance(b, pd.Timestamp | str):
        try:
            return pd.Timestamp(a).normalize() == pd.Timestamp(b).normalize()
        except (ValueError, TypeError):
            pass
    if isinstance(a, str) and isinstance(b, str):
        return a.strip() == b.strip()
    return a == b


def _previous(new: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """For each uploaded row (same index), the project's latest stored report dated before it;
    a row of NaN where there is none. One as-of merge, not a scan per row."""
    cols = [c for c in stored.columns if c != "upload_id"]
    if stored.empty or new.empty:
        return pd.DataFrame(index=new.index, columns=cols)
    left = pd.DataFrame({
        "project_id": new["project_id"].astype(str).to_numpy(),
        "report_date": pd.to_datetime(new["report_date"]).to_numpy().astype("datetime64[ns]"),
        "_row": range(len(new)),
    })  # fmt: skip
    # stored frames hold categoricals: plain objects, so ids match and values compare as text
    right = stored[cols].astype(
        {c: object for c in cols if isinstance(stored[c].dtype, pd.CategoricalDtype)}
    )
    right = right.assign(project_id=right["project_id"].astype(str))
    right = right[right["project_id"].isin(set(left["project_id"]))]
    at = pd.to_datetime(right["report_date"]).to_numpy().astype("datetime64[ns]")
    right = right.assign(_at=at).sort_values("_at")
    merged = pd.merge_asof(
        left.sort_values("report_date"), right, left_on="report_date", right_on="_at",
        by="project_id", allow_exact_matches=False, suffixes=("_new", ""),
    )  # fmt: skip
    merged = merged.sort_values("_row")
    merged.index = new.index
    return merged[cols]


def changed_cells(new: pd.DataFrame, stored: pd.DataFrame) -> pd.DataFrame:
    """One row per value that differs from the project's previous report: project_id, field,
    before, after, previous_date. A project with no previous report is left out (all new)."""
    prev = _previous(new, stored)
    out = []
    for i in new.index:
        if missing(prev.at[i, "report_date"]):
            continue
        for f in FIELDS:
            a = prev.at[i, f] if f in prev.columns else None
            b = new.at[i, f] if f in new.columns else None
            if not same(a, b):
                out.append((new.at[i, "project_id"], f, a, b, prev.at[i, "report_date"]))
        a, b = prev.at[i, "rag_label"], new.at[i, "rag_label"] if "rag_label" in new else None
        if not (missing(a) or missing(b)) and not same(a, b):
            out.append((new.at[i, "project_id"], "rag_label", a, b, prev.at[i, "report_date"]))
    return pd.DataFrame(out, columns=["project_id", "field", "before", "after", "previous_date"])


def summary(changes: pd.DataFrame, new: pd.DataFrame, stored: pd.DataFrame) -> str:
    """``3 cells changed on 2 projects since their last report; 4 projects unchanged``."""
    prev = _previous(new, stored)
    compared = new.loc[prev["report_date"].notna(), "project_id"] if len(prev) else new[:0]
    n_new = len(new) - len(compared)
    cells, projects = len(changes), changes["project_id"].nunique()
    unchanged = compared.nunique() - projects
    if not cells and len(compared):
        parts = [f"no value changed since the last report ({unchanged} project"
                 f"{'s' if unchanged != 1 else ''})"]  # fmt: skip
        return "; ".join(parts + ([f"{n_new} first report{'s' if n_new != 1 else ''}"]
                                  if n_new else []))  # fmt: skip
    parts = [
        f"{cells} cell{'s' if cells != 1 else ''} changed on {projects} "
        f"project{'s' if projects != 1 else ''} since their last report"
    ]
    if unchanged:
        parts.append(f"{unchanged} project{'s' if unchanged != 1 else ''} unchanged")
    if n_new:
        parts.append(f"{n_new} first report{'s' if n_new != 1 else ''}")
    return "; ".join(parts)


def unchanged_narratives(new: pd.DataFrame, stored: pd.DataFrame, weeks: int) -> pd.DataFrame:
    """Uploaded reports whose narrative (summary) is the same text as in every stored report
    of at least ``weeks`` weeks before it: project_id, since (the first report with that
    text), weeks."""
    columns = ["project_id", "since", "weeks"]
    if NARRATIVE not in new or stored.empty:
        return pd.DataFrame([], columns=columns)
    mine = stored[stored["project_id"].astype(str).isin(set(new["project_id"].astype(str)))]
    mine = mine.assign(project_id=mine["project_id"].astype(str))
    history = {
        pid: (list(g["report_date"]), list(g[NARRATIVE]))
        for pid, g in mine.sort_values("report_date", ascending=False).groupby("project_id")
    }
    out = []
    for pid, day, text in zip(
        new["project_id"], pd.to_datetime(new["report_date"]), new[NARRATIVE], strict=True
    ):
        if missing(text) or not str(text).strip():
            continue
        since = day
        for prev_day, prev_text in zip(*history.get(pid, ([], [])), strict=True):
            if prev_day >= day:
                continue  # the report this one replaces, or a later one
            if missing(prev_text) or not same(str(prev_text), str(text)):
                break
            since = prev_day
        span = (day - since).days // 7
        if span >= weeks:
            out.append((pid, since, span))
    return pd.DataFrame(out, columns=columns)
