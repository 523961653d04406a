"""Who is using the app: the user signed in through ``st.login`` (OIDC, when ``[auth]`` is in
``.streamlit/secrets.toml``), or, without ``[auth]``, the single local admin.

The roles decide which pages the menu offers (``may_open``); the store checks every write
again with the same identity (access/roles.py), so a hidden button is never the only guard.
"""

from __future__ import annotations

import streamlit as st

import store
from access.roles import Identity, from_claims, resolve
from ui import data

# Pages open to some roles only (by url path); every other page is open to every role.
PAGE_ROLES = {
    "upload": {"pm", "pmo", "admin"},
    "sources": {"pmo", "admin"},
    "audit": {"pmo", "admin"},
    "roles": {"admin"},
}


def sign_in_configured() -> bool:
    """True when ``[auth]`` is in the secrets: then everyone signs in."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:  # no secrets.toml at all
        return False


def signed_in_claims() -> dict | None:
    """The signed-in user's claims, or None when nobody is signed in."""
    return st.user.to_dict() if st.user.is_logged_in else None


def current(name: str = "local user") -> Identity | None:
    """The acting identity with its roles read now (a revoked role counts at once).

    None when sign-in is configured and nobody is signed in. Without sign-in: the local
    admin, named ``name`` in the upload history.
    """
    if not sign_in_configured():
        return _resolved(Identity.local(name))
    claims = signed_in_claims()
    return _resolved(from_claims(claims)) if claims else None


def _resolved(who: Identity) -> Identity:
    if who.is_local:  # the local admin's roles need no database (resolve reads none)
        return resolve(None, who)
    return data.or_stop(lambda: _read_roles(data.engine(), who))


@store._plain_errors
def _read_roles(engine, who: Identity) -> Identity:
    with engine.connect() as conn:
        return resolve(conn, who)


def may_open(url_path: str, who: Identity | None) -> bool:
    """Whether ``who`` may open the page at ``url_path``; nobody without a role may open any."""
    if who is None or not who.roles:
        return False
    needs = PAGE_ROLES.get(url_path)
    return needs is None or bool(who.roles & needs)


def pm_only(who: Identity | None) -> bool:
    """A pm without a role that covers every project: offered only their projects."""
    return who is not None and "pm" in who.roles and not who.roles & {"pmo", "admin"}
