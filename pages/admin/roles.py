"""Roles (admin): who holds which role, grant and revoke. The same rules as ``python -m access``;
every change is checked again in its transaction and written to the access log (Audit)."""

import pandas as pd
import streamlit as st

from access import grants
from access.roles import ROLES
from ui import data, identity
from ui.components import data_table, plain
from ui.page import page_setup

ROLE_HELP = {
    "viewer": "reads every page and exports",
    "pm": "also uploads, for the projects named here only",
    "pmo": "uploads for any project, runs SQL syncs, sees the audit",
    "admin": "everything, including roles",
}

page_setup("Roles", needs_data=False)
st.caption(
    "Roles are keyed by e-mail (or sub:SUBJECT, the provider's user id). "
    + " · ".join(f"**{r}**: {h}" for r, h in ROLE_HELP.items())
    + ". Group mappings from the sign-in are set in `[access.groups]` in pmo_lens.toml."
)
engine = data.engine()
who = identity.current()


def change(done: str, action, *args) -> None:
    """Run a grant or revoke; say what was done, or its refusal or mistake, after the rerun."""
    try:
        action(engine, who, *args)
    except grants.REFUSALS as exc:
        st.session_state["roles_message"] = ("error", f"Nothing was changed: {exc}")
    else:
        st.session_state["roles_message"] = ("success", done)


held = data.or_stop(lambda: grants.assignments(engine))
if message := st.session_state.pop("roles_message", None):
    kind, text = message
    (st.error if kind == "error" else st.success)(plain(text))

if held:
    table = pd.DataFrame(held).assign(projects=lambda d: d["projects"].map(", ".join))
    data_table(
        table,
        "roles",
        hide_index=True,
        column_config={
            "principal": "Who",
            "role": "Role",
            "projects": "Projects (pm)",
            "granted_by": "Granted by",
            "granted_at": st.column_config.DatetimeColumn("Granted", format="YYYY-MM-DD HH:mm"),
        },
    )
else:
    st.info(
        "No role is granted: everyone may do everything. Grant yourself admin first; that "
        "switches roles on.",
        icon=":material/lock_open:",
    )

known = sorted(data.frames()["projects"]["project_id"].astype(str))
with st.form("grant", clear_on_submit=True, border=True):
    st.subheader("Grant a role")
    cols = st.columns([3, 1, 3])
    email = cols[0].text_input("E-mail (or sub:SUBJECT)", key="grant_who")
    role = cols[1].selectbox("Role", ROLES, key="grant_role")
    projects = cols[2].multiselect("Projects (pm only)", known, key="grant_projects")
    if st.form_submit_button("Grant", type="primary", key="grant_submit"):
        change(f"Granted {role} to {email}.", grants.grant, email, role, projects)
        st.rerun()

if held:
    with st.form("revoke", border=True):
        st.subheader("Revoke a role")
        labels = {f"{h['principal']} · {h['role']}": h for h in held}
        pick = st.selectbox("Assignment", list(labels), key="revoke_pick")
        if st.form_submit_button("Revoke", key="revoke_submit"):
            chosen = labels[pick]
            change(f"Revoked {pick}.", grants.revoke, chosen["principal"], chosen["role"])
            st.rerun()
