"""RAID log: the risks, assumptions, issues and dependencies (and actions) of every project in
the review, filtered by type, owner, status, age and due date; every filter in the URL.
Layout and widgets only: the log and its filters are analytics.raid, through the review."""

import streamlit as st

from analytics import raid
from ui import data
from ui.components import (
    SHOW_ROWS,
    data_table,
    empty_state,
    plain,
    project_link_column,
    project_links,
    provenance,
)
from ui.page import page_setup, stop_if_no_match
from ui.url_state import bound

AGE_LABELS = {0: "Any age"} | {d: f"Raised {d}+ days ago" for d in raid.AGES if d}
DUE_LABELS = {"any": "Any", "overdue": "Overdue", "not overdue": "Not overdue"}
COLUMNS = {
    "link": project_link_column("ID"),
    "name": "Project",
    "item_id": "Item",
    "type": "Type",
    "priority": "Priority",
    "owner": "Owner",
    "status": "Status",
    "raised_date": st.column_config.DateColumn("Raised"),
    "age_days": st.column_config.NumberColumn("Age (days)", format="%d"),
    "due_date": st.column_config.DateColumn("Due"),
    "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
    "description": st.column_config.TextColumn("Description", width="large"),
}


def oldest(days: float) -> str:
    return "" if days != days else f"; the oldest open one was raised {days:.0f} days ago"


ctx = page_setup("RAID log")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
if rv.raid_log.empty:
    empty_state(
        "No RAID log has been uploaded for these projects up to this review date. Upload a "
        "RAID log (assumptions, issues, dependencies) on the Upload page."
    )
    st.stop()

# Filters, each kept in the URL (?raid_type=issue&raid_due=overdue) so a link shows this view.
options = rv.raid_options
cols = st.columns([2, 2, 2, 2, 3])
with cols[0]:
    types = bound(
        st.multiselect, "Type", options["type"], key="raid_type", multi=True,
        format_func=raid.type_label, placeholder="All",
    )  # fmt: skip
with cols[1]:
    owners = bound(
        st.multiselect, "Owner", options["owner"], key="raid_owner", multi=True, placeholder="All"
    )
with cols[2]:
    statuses = bound(
        st.multiselect,
        "Status",
        options["status"],
        key="raid_status",
        multi=True,
        placeholder="Open items",
        help="Empty: every open status (not "
        + ", ".join(sorted(raid.closed_statuses(rv.config.risk.closed_statuses)))
        + ")",
    )
with cols[3]:
    min_age = bound(
        st.selectbox,
        "Age",
        raid.AGES,
        key="raid_age",
        default=0,
        format_func=AGE_LABELS.get,
        help="Days from the raised date to the review date; items without a raised date "
        "show only under Any age",
    )
with cols[4]:
    due = bound(
        st.radio,
        "Due date",
        raid.DUE,
        key="raid_due",
        default="any",
        horizontal=True,
        format_func=DUE_LABELS.get,
        help="Overdue: open and due before the review date",
    )

view = rv.raid(types, owners, statuses, min_age, due)
items = view.items
provenance(ctx, f"source: {view.source}")
if items.empty:
    empty_state(
        "No RAID items match these filters. Clear the type, owner, status, age or due-date filter."
    )
    st.stop()

# One tile per type: items in view, and how many of them are overdue.
summary = view.summary
tiles = st.columns(max(len(summary), 4))
for tile, row in zip(tiles, summary.itertuples(), strict=False):
    tile.metric(
        plain(raid.type_label(row.type)),  # a SQL source may bring any type text
        row.items,
        f"{row.overdue} overdue",
        delta_color="inverse" if row.overdue else "off",
        delta_arrow="off",
        help=f"{row.open} open" + oldest(row.oldest_open_days),
        border=True,
    )

# Chosen rows are positions in this table: another filter or date makes another table, so the
# choice starts again (else the descriptions shown would belong to other items).
this_view = (view.filter, rv.review_date, tuple(sorted(rv.filters.items())))
if st.session_state.get("raid_table_view") != this_view:
    if "raid_table" in st.session_state:
        st.session_state["raid_table"] = {"selection": {"rows": [], "columns": []}}
    st.session_state["raid_table_view"] = this_view

st.subheader(f"{len(items)} items")
event = data_table(
    items,
    "raid_log",
    prepare=lambda rows: rows.assign(
        link=project_links(rows["project_id"], ctx), type=rows["type"].map(raid.type_label)
    )[[c for c in COLUMNS if c in rows.columns or c == "link"]].reset_index(drop=True),
    hide_index=True,
    column_config=COLUMNS,
    key="raid_table",
    on_select="rerun",
    selection_mode="multi-row",
)
st.caption(
    "Open items first, the most overdue and then the oldest at the top. Select rows to read "
    "their descriptions below (the CSV holds the table without them)."
)

# Descriptions are long text kept out of the cached frames: read for the chosen rows only,
# in one query for all their projects, so the page stays fast at thousands of projects.
shown = min(len(items), SHOW_ROWS)  # the rows the table holds (data_table)
chosen = [r for r in event.selection.rows if r < shown] if event is not None else []
if chosen:
    described = data.with_text(
        items.iloc[chosen][["project_id", "name", "item_id", "type", "owner", "status"]],
        "raid_items",
    ).assign(type=lambda d: d["type"].map(raid.type_label))
    st.subheader("Descriptions")
    data_table(
        described.assign(link=project_links(described["project_id"], ctx))[
            ["link", "name", "item_id", "type", "owner", "status", "description"]
        ],
        "raid_descriptions",
        hide_index=True,
        column_config=COLUMNS,
    )
    provenance(ctx, f"{len(described)} chosen items", f"source: {view.source}")
