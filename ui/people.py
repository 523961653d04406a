"""The People page's two tables (project managers, sponsors): one row per person with their
load and flag, and the chosen person's projects with links to Project detail. The choice is a
selectbox kept in the URL (``?people_manager=Maya+Singh``); selecting a table row chooses too."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import people
from analytics.review import Review
from ui.components import data_table, empty_state, project_link_column, project_links, provenance
from ui.review_context import ReviewContext
from ui.url_state import bound

NOBODY = ""
PERSON_COLUMNS = {
    "flag": st.column_config.TextColumn(
        "Flag",
        width="medium",
        help="⚠ over [people] max_active_projects active projects, or "
        "[people] red_projects_flag or more Red projects",
    ),
    "person": "Name",
    "email": "E-mail",
    "active_projects": st.column_config.NumberColumn("Active projects", format="%d"),
    "budget_text": st.column_config.TextColumn(
        "Total budget", help="Per currency: never pounds added to dollars ([money.rates])"
    ),
    "red": st.column_config.NumberColumn("■ Red", format="%d"),
    "amber": st.column_config.NumberColumn("▲ Amber", format="%d"),
    "reports_late": st.column_config.NumberColumn(
        "Reports late", format="%d", help="Late or not reported by the review date ([staleness])"
    ),
    "high_risks": st.column_config.NumberColumn(
        "Open high risks", format="%d", help="Open risks at or above [changes] risk_band"
    ),
    "overdue_items": st.column_config.NumberColumn(
        "Overdue RAID items", format="%d", help="Open actions, issues, ... past their due date"
    ),
    "overdue_milestones": st.column_config.NumberColumn(
        "Overdue milestones", format="%d", help="Not done, forecast (else baseline) date passed"
    ),
}
PROJECT_COLUMNS = {
    "link": project_link_column("ID"),
    "name": "Project",
    "stage": "Stage",
    "display_rag": "RAG",
    "budget": "Budget",
    "currency": "Currency",
    "reporting": "Reporting",
    "last_report_date": st.column_config.DateColumn("Last report"),
    "high_risks": st.column_config.NumberColumn("Open high risks", format="%d"),
    "overdue_items": st.column_config.NumberColumn("Overdue RAID items", format="%d"),
    "overdue_milestones": st.column_config.NumberColumn("Overdue milestones", format="%d"),
    "manager": "Project manager",
    "sponsor": "Sponsor",
}


def _choose_from_row(table_key: str, pick_key: str, names: list[str]):
    """An ``on_select`` callback: the selected row's person becomes the selectbox's choice."""

    def choose() -> None:
        state = st.session_state.get(table_key)
        rows = state.selection.rows if state is not None else []
        if rows and rows[0] < len(names):
            st.session_state[pick_key] = names[rows[0]]

    return choose


def person_table(rv: Review, ctx: ReviewContext, role: str, grants: pd.DataFrame) -> None:
    """One role's table (``manager`` or ``sponsor``), then the chosen person's projects."""
    found = rv.managers if role == "manager" else rv.sponsors
    if role == "manager":
        found = people.with_grants(found, rv.people_load, grants)
    label = people.ROLES[role]
    if found.empty or found["person"].eq(people.NO_NAME[role]).all():
        empty_state(
            f"No {label.lower()} is recorded for the projects in this review. Add a "
            f"{label} column to the project list (Upload page) to see each one's projects here."
        )
        return
    names = found["person"].tolist()
    show = [c for c in PERSON_COLUMNS if c != "email" or found["email"].astype(bool).any()]
    pick_key = f"people_{role}"  # ?people_manager=… / ?people_sponsor=…
    data_table(
        found[show],
        f"people_{role}s",
        hide_index=True,
        column_config=PERSON_COLUMNS,
        key=f"{role}_table",
        on_select=_choose_from_row(f"{role}_table", pick_key, names),
        selection_mode="single-row",
    )
    st.caption(people.people_note(found, role, rv.config))
    chosen = bound(
        st.selectbox,
        f"Projects of a {label.lower()}",
        [NOBODY, *names],
        key=pick_key,
        default=NOBODY,
        format_func=lambda n: n or "Choose a name (or select a row above)",
    )
    if chosen:
        person_projects(rv, ctx, role, chosen)


def person_projects(rv: Review, ctx: ReviewContext, role: str, person: str) -> None:
    """The projects of one person, worst RAG first, each linked to Project detail."""
    mine = people.projects_of(rv.people_load, role, person)
    other = "sponsor" if role == "manager" else "manager"
    cols = [c for c in PROJECT_COLUMNS if c not in (role,)]
    cols = [c for c in cols if c != other] + [other]
    shown = mine.assign(link=project_links(mine["project_id"], ctx))[cols]
    data_table(
        shown.reset_index(drop=True),
        f"people_{role}_projects",
        rag=["display_rag"],
        money=["budget"],
        currency="currency",
        hide_index=True,
        column_config=PROJECT_COLUMNS,
    )
    provenance(ctx, f"{len(mine)} projects of {person}", f"source: {rv.source}")
