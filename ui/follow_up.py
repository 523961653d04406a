"""The Data quality page's reporting list with the follow-up: requests and reminders sent for
the review (``python -m cadence remind``) and when the update arrived."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cadence.follow_up import follow_up, sent_for_review
from ui import data

COLUMN_CONFIG = {
    "request_sent": st.column_config.DatetimeColumn(
        "Request sent (UTC)", format="YYYY-MM-DD HH:mm"
    ),
    "reminder_sent": st.column_config.DatetimeColumn(
        "Reminder sent (UTC)", format="YYYY-MM-DD HH:mm"
    ),
    "update_arrived": st.column_config.DatetimeColumn(
        "Update arrived (UTC)", format="YYYY-MM-DD HH:mm"
    ),
}


def with_follow_up(
    status: pd.DataFrame, frames: dict, review_date, cadence_days: int
) -> pd.DataFrame:
    """``status`` (analytics.quality.reporting) with the three follow-up columns."""
    sent = data.or_stop(lambda: sent_for_review(data.engine(), review_date, cadence_days))
    return follow_up(status, sent, frames["status_reports"], frames["uploads"])
