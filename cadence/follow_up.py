"""Late reporters, followed up: per project of the reporting list, when the update request
and the reminder for the review went, and when the update arrived after them.

``sent_for_review`` reads the ``notifications`` of one review (a few rows per project);
``follow_up`` is pure and adds three columns to analytics.quality.reporting's frame.
"""

from __future__ import annotations

from datetime import timedelta

import pandas as pd
from sqlalchemy import Engine, select

import models

COLUMNS = ["request_sent", "reminder_sent", "update_arrived"]


def sent_for_review(engine: Engine, review_date, cadence_days: int) -> pd.DataFrame:
    """project_id, kind, sent_at of every request and reminder for a review on the date or
    within a cadence after it: the pages' review dates are reporting dates, and the meeting
    the mails name (a Wednesday) follows the reports they ask for."""
    n = models.notifications
    day = pd.Timestamp(review_date).date()
    until = day + timedelta(days=max(cadence_days, 1))
    with engine.connect() as conn:
        rows = conn.execute(
            select(n.c.project_id, n.c.kind, n.c.sent_at).where(
                n.c.review_date >= day,
                n.c.review_date < until,
                n.c.kind.in_(("request", "reminder")),
            )
        ).all()
    return pd.DataFrame(rows, columns=["project_id", "kind", "sent_at"])


def _naive_utc(values: pd.Series) -> pd.Series:
    """Times as naive UTC (SQLite returns naive datetimes, PostgreSQL aware ones)."""
    out = pd.to_datetime(values, utc=True)
    return out.dt.tz_convert(None)


def follow_up(
    reporting: pd.DataFrame,
    sent: pd.DataFrame,
    status_reports: pd.DataFrame,
    uploads: pd.DataFrame,
) -> pd.DataFrame:
    """``reporting`` with ``request_sent`` and ``reminder_sent`` (the first of each kind, naive
    UTC) and ``update_arrived``: when the upload holding the project's last report was made, if
    that was after the first mail (an update that came before any mail is no follow-up)."""
    out = reporting.copy()
    first = (
        sent.assign(sent_at=_naive_utc(sent["sent_at"]))
        .groupby(["project_id", "kind"])["sent_at"]
        .min()
        .unstack()
        if not sent.empty
        else pd.DataFrame(columns=["request", "reminder"])
    )
    for kind, col in (("request", "request_sent"), ("reminder", "reminder_sent")):
        # a dict, not a Series: mapping through a datetime Series with missing keys may fail
        times = first[kind].dropna().to_dict() if kind in first.columns else {}
        out[col] = pd.to_datetime(out["project_id"].astype(object).map(times))
    keys = status_reports[["project_id", "report_date", "upload_id"]]
    at = uploads.set_index("upload_id")["uploaded_at"]
    last = out[["project_id", "last_report_date"]].merge(
        keys, left_on=["project_id", "last_report_date"], right_on=["project_id", "report_date"],
        how="left",
    )  # fmt: skip
    arrived = pd.Series(_naive_utc(last["upload_id"].map(at.to_dict())).to_numpy(), index=out.index)
    mailed = out[["request_sent", "reminder_sent"]].min(axis=1)
    out["update_arrived"] = arrived.where(mailed.notna() & (arrived >= mailed))
    return out
