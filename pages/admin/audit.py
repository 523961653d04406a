"""Audit (pmo, admin): who uploaded, synced, replaced snapshots and changed roles, and when."""

import streamlit as st

from ui import data
from ui.components import data_table, empty_state
from ui.page import page_setup

page_setup("Audit", needs_data=False)
st.caption(
    "Every upload and SQL sync with the identity that made it (the signed-in user, or the "
    "command line's --as), the stored rows it replaced or removed, every role change and "
    "every refused write. Newest first; times in UTC."
)
table = data.audit_trail()
if table.empty:
    empty_state("Nothing has been uploaded, synced or granted yet.")
    st.stop()

kinds = sorted(table["action"].unique())
chosen = st.multiselect("What", kinds, key="audit_actions", placeholder="Everything")
shown = table[table["action"].isin(chosen)] if chosen else table
data_table(
    shown,
    "audit",
    hide_index=True,
    column_config={
        "at": st.column_config.DatetimeColumn("When (UTC)", format="YYYY-MM-DD HH:mm:ss"),
        "who": "Who",
        "email": "E-mail",
        "subject": "Subject",
        "action": "What",
        "detail": st.column_config.TextColumn("Detail", width="large"),
        "replaced": st.column_config.NumberColumn("Rows replaced", format="%d"),
        "removed": st.column_config.NumberColumn("Rows removed", format="%d"),
    },
)
