"""PMO Lens: entry point. Builds the navigation and the shared sidebar, then runs the page."""

from pathlib import Path

import streamlit as st

from ui import identity, layout, navigation, sign_in
from ui.context import render_sidebar

# An emoji favicon is drawn locally; a :material/…: page icon is fetched from fonts.gstatic.com.
st.set_page_config(
    page_title="PMO Lens", page_icon="📊", layout="wide", initial_sidebar_state="auto"
)
layout.apply()  # narrow screens: the sidebar starts collapsed, tile figures never cut
# Keyboard users see where they are on every page, the sign-in screen included: a clear
# outline on whatever has keyboard focus. Style-only HTML takes no space on the page.
st.html("<style>:focus-visible{outline:3px solid #1565c0!important;outline-offset:2px}</style>")

# A configuration that cannot be used (or open local mode for a visitor from elsewhere) stops
# every page: it must never fall back to local mode, where everyone is the admin.
stopped = identity.configuration_problem() or identity.local_mode_refusal()
who = None if stopped else identity.current()


def page(script: str, title: str, icon: str) -> st.Page:
    """A page in the menu; out of the menu (still at its address) for a role that may not
    open it, where the check below shows "not allowed" instead."""
    shown = identity.may_open(Path(script).stem, who)
    return st.Page(
        script,
        title=title,
        icon=icon,
        default=script == navigation.START,
        visibility="visible" if shown else "hidden",
    )


PAGES = {
    section: [page(*entry) for entry in entries] for section, entries in navigation.PAGES.items()
}

if stopped:
    sign_in.gate(PAGES, sign_in.stopped_page, "PMO Lens").run()
elif who is None:  # sign-in is configured and nobody is signed in
    sign_in.gate(PAGES, sign_in.sign_in_page, "Sign in").run()
elif not who.roles:
    sign_in.gate(PAGES, sign_in.no_role_page, "No access").run()
else:
    # Every page listed: collapsed, the menu hides the pages past the tenth behind "View more"
    nav = st.navigation(PAGES, expanded=True)
    render_sidebar()
    sign_in.sidebar_status(who)
    # The store checks every write again: the menu and this check are never the only guard.
    if identity.may_open(nav.url_path, who):
        nav.run()
    else:
        sign_in.not_allowed(nav)
