"""The sign-in screens and the menu by role: who may open which page, and what the others see."""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from access.roles import ROLES, Identity
from config import get_config
from ui import identity
from ui.auth_settings import README_HINT
from ui.components import plain


def providers() -> list[str]:
    """The named providers of ``[auth]`` (``[auth.microsoft]``…); empty for a single provider
    configured in ``[auth]`` itself."""
    return [name for name, value in st.secrets["auth"].items() if isinstance(value, Mapping)]


def sign_in_page() -> None:
    st.title("PMO Lens")
    if ended := identity.session_ended():
        st.info(f"Your session has ended: {ended}. Sign in again.", icon=":material/timer_off:")
    st.write("Sign in with your organisation account to open the portfolio review.")
    named = providers()
    for name in named or [None]:
        label = f"Sign in with {name.title()}" if name else "Sign in"
        if st.button(label, type="primary", key=f"sign_in_{name}", icon=":material/login:"):
            st.login(name) if name else st.login()


def no_role_page() -> None:
    """Signed in, but no role: the app shows nothing until an admin grants one."""
    who = identity.current()
    st.title("PMO Lens")
    st.warning(
        f"You are signed in as {plain(who.label)}, but you have no role in PMO Lens yet. "
        "Ask your PMO to grant you one (viewer, pm, pmo or admin).",
        icon=":material/lock:",
    )
    claimed = (identity.signed_in_claims() or {}).get("email")
    if claimed and not who.email:
        st.caption(
            f"Your sign-in names the e-mail {plain(claimed)}, but the provider does not confirm "
            "it as verified, so roles granted to that address do not apply to you. An admin "
            f"can grant a role to {plain(who.label)} instead. {README_HINT}"
        )
    sign_out_button()


def gate(pages: dict[str, list[st.Page]], screen, title: str):
    """A navigation of one screen (sign in, or no role) that also answers at every page's
    address, so a deep link shows the screen rather than "page not found"."""
    stand_ins = [
        st.Page(screen, title=p.title, url_path=p.url_path, visibility="hidden")
        for section in pages.values()
        for p in section
        if p.url_path  # the default page's address ("") is the screen itself
    ]
    return st.navigation([st.Page(screen, title=title, default=True), *stand_ins])


def not_allowed(page: st.Page) -> None:
    """What a direct link to a page the role may not open shows instead of the page."""
    st.title(page.title)
    needs = " or ".join(r for r in ROLES if r in identity.PAGE_ROLES[page.url_path])
    st.error(
        f"Not allowed: this page is for the {needs} role. Ask an admin if you need it.",
        icon=":material/block:",
    )


def sign_out_button() -> None:
    if st.button("Sign out", key="sign_out", icon=":material/logout:"):
        identity.sign_out()


def stopped_page() -> None:
    """The app as configured must not run, or not for this visitor: say why, show nothing else."""
    st.title("PMO Lens")
    reason = identity.configuration_problem() or identity.local_mode_refusal()
    st.error(
        plain(reason or "The app cannot run as configured. " + README_HINT), icon=":material/block:"
    )


def sidebar_status(who: Identity) -> None:
    """Who is signed in, with which roles, or that sign-in is off."""
    with st.sidebar:
        if who.is_local:
            reach = (
                "everyone who can reach it is too ([access] allow_open_local_mode)"
                if get_config().access.allow_open_local_mode
                else "the app serves only this computer (127.0.0.1)"
            )
            st.caption(
                f"Sign-in is off: you are the local admin, and {reach}. Configure sign-in "
                f"before sharing the app. {README_HINT}"
            )
            return
        roles = ", ".join(r for r in ROLES if r in who.roles)
        st.caption(f"Signed in as {plain(who.name or who.label)} ({plain(who.label)}) · {roles}")
        if who.open_mode:
            st.warning(
                "No role is granted yet, so everyone who signs in may do everything. "
                "Grant the first admin on the Roles page.",
                icon=":material/warning:",
            )
        sign_out_button()
