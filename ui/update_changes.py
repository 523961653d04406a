"""The Upload preview's "what changed": cells that differ from each project's previous report,
and narratives that have not moved for ``[cadence] narrative_unchanged_weeks`` weeks
(analytics.report_changes)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import money as fmt
from analytics import report_changes
from config import Config
from ui import data
from ui.escape import plain

NAMES_SHOWN = 8  # narratives named in the warning before "and N more"


def _text(value) -> str:
    if report_changes.missing(value):
        return ""
    if isinstance(value, pd.Timestamp):
        return fmt.day(value)
    return str(value)


def panel(parsed, config: Config) -> None:
    """Shown under the preview's counts when the file holds status reports."""
    new = parsed.frames.get("status_reports")
    if new is None or new.empty:
        return
    stored = data.frames()["status_reports"]
    changes = report_changes.changed_cells(new, stored)
    st.info(
        "What changed: " + plain(report_changes.summary(changes, new, stored)) + ".",
        icon=":material/difference:",
    )
    if len(changes):
        with st.expander(f"The {len(changes)} changed cells"):
            shown = changes.assign(
                before=changes["before"].map(_text),
                after=changes["after"].map(_text),
                previous_date=changes["previous_date"].map(_text),
            )
            st.dataframe(
                shown,
                hide_index=True,
                key="update_changes",
                column_config={
                    "project_id": "Project",
                    "field": "Field",
                    "before": "Before",
                    "after": "Now",
                    "previous_date": "Previous report",
                },
            )
    weeks = config.cadence.narrative_unchanged_weeks
    stale = report_changes.unchanged_narratives(new, stored, weeks)
    if len(stale):
        names = [
            f"{r.project_id} ({r.weeks} weeks, since {fmt.day(r.since)})"
            for r in stale.head(NAMES_SHOWN).itertuples()
        ]
        more = f" and {len(stale) - NAMES_SHOWN} more" if len(stale) > NAMES_SHOWN else ""
        st.warning(
            f"Narrative unchanged for {weeks} weeks or more: " + plain(", ".join(names)) + more,
            icon=":material/history:",
        )
