"""Audit (pmo, admin): who uploaded, synced, replaced snapshots and changed roles, and when."""

import streamlit as st

import store
from access import audit
from ui import data
from ui.components import data_table, empty_state

st.title("Audit")
st.caption(
    "Every upload and SQL sync with the identity that made it (the signed-in user, or the "
    "command line's --as), the stored rows it replaced or removed, every role change and "
    "every refused write. Newest first; times in UTC."
)
engine = data.engine()


@store._plain_errors
def read_events(engine):
    with engine.connect() as conn:
        return audit.read_events(conn)


events = data.or_stop(lambda: read_events(engine))
replaced = data.or_stop(lambda: store.replaced_counts(engine))
table = audit.activity(data.frames()["uploads"], replaced, events)
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
