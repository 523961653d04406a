"""Who is using the app: the user signed in through ``st.login`` (OIDC, when ``[auth]`` is in
``.streamlit/secrets.toml``), or, without ``[auth]``, the single local admin.

The roles decide which pages the menu offers (``may_open``); the store checks every write
again with the same identity (access/roles.py), so a hidden button is never the only guard.
"""

from __future__ import annotations

import streamlit as st
from streamlit import config as st_config

import store
from access import sessions
from access.roles import Identity, from_claims, resolve
from config import ConfigError, get_config
from ui import auth_settings, data

# Pages open to some roles only (by url path); every other page is open to every role.
PAGE_ROLES = {
    "upload": {"pm", "pmo", "admin"},
    "sources": {"pmo", "admin"},
    "audit": {"pmo", "admin"},
    "roles": {"admin"},
}


def configuration_problem() -> str | None:
    """What stops the app as configured: pmo_lens.toml ($PMO_CONFIG) or the secrets files
    cannot be read, or ``[auth]`` cannot work. None when the app may run. Never falls back
    to local mode: a broken secrets file may be the one that holds ``[auth]``."""
    try:
        get_config()
    except ConfigError as exc:
        return f"{exc}. Fix the file (or unset PMO_CONFIG) and reload. {auth_settings.README_HINT}"
    try:
        sign_in_configured()
    except auth_settings.SignInMisconfigured as exc:
        return str(exc)
    return None


def sign_in_configured() -> bool:
    """True when ``[auth]`` is in the secrets: then everyone signs in.

    Raises ``SignInMisconfigured`` when a secrets file cannot be read or ``[auth]`` cannot
    work (see ``configuration_problem``, which app.py asks first)."""
    # The files first, read as Streamlit reads them: st.secrets takes an unparsable file for a
    # missing one. Then st.secrets itself, which is what st.login uses (and what tests set).
    found = auth_settings.auth_section(st_config.get_option("secrets.files"))
    try:
        auth = st.secrets.get("auth") if "auth" in st.secrets else None
    except FileNotFoundError:  # no secrets file at all
        auth = None
    if auth is None and found:  # st.secrets not yet reloaded after an edit: the file decides
        auth = found[0]
    if auth is None:
        return False
    where = found[1] if found else "the secrets"
    if problem := auth_settings.auth_problem(auth):
        raise auth_settings.misconfigured(problem, where)
    return True


def local_mode_refusal() -> str | None:
    """Why this visitor may not use local mode (no sign-in: everyone is the local admin): the
    request comes from beyond this machine and ``[access] allow_open_local_mode`` is off.
    The server refuses to start that way (ui.serve); this also covers ``streamlit run`` and
    an address the start check could not judge. None when allowed (or sign-in is on)."""
    if sign_in_configured() or get_config().access.allow_open_local_mode:
        return None
    # Streamlit gives None for 127.0.0.1 and ::1, and when no browser connection is known (a
    # script run without a client, as in AppTest, where the value is no string at all).
    ip = st.context.ip_address
    if not isinstance(ip, str) or auth_settings.is_loopback(ip):
        return None
    return (
        "Sign-in is off, so this app serves only the computer it runs on (127.0.0.1), and this "
        f"request comes from {ip}. Configure sign-in, or set allow_open_local_mode = true under "
        f"[access] in pmo_lens.toml to serve everyone as the local admin. "
        f"{auth_settings.README_HINT}"
    )


def signed_in_claims() -> dict | None:
    """The signed-in user's claims, or None when nobody is signed in."""
    return st.user.to_dict() if st.user.is_logged_in else None


def session_ended() -> str | None:
    """Why the signed-in browser no longer counts (signed out since, too old, undated); None
    when nobody is signed in or the sign-in counts. See access.sessions."""
    claims = signed_in_claims()
    if not claims:
        return None
    return data.or_stop(lambda: _session_refusal(data.engine(), claims))


@store._plain_errors
def _session_refusal(engine, claims: dict) -> str | None:
    with engine.connect() as conn:
        return sessions.session_refusal(conn, claims)


def sign_out() -> None:
    """Record the sign-out, so that a copy of this browser's cookies stops counting too, then
    sign out of Streamlit (which deletes the cookies here)."""
    if claims := signed_in_claims():
        data.or_stop(lambda: _record_sign_out(data.engine(), claims))
    st.logout()


@store._plain_errors
def _record_sign_out(engine, claims: dict) -> None:
    sessions.record_sign_out(engine, claims)


def current(name: str = "local user") -> Identity | None:
    """The acting identity with its roles read now (a revoked role counts at once).

    None when sign-in is configured and nobody is signed in, or the sign-in no longer counts
    (signed out since, older than the session lifetime). Without sign-in: the local admin,
    named ``name`` in the upload history.
    """
    if not sign_in_configured():
        return _resolved(Identity.local(name))
    claims = signed_in_claims()
    if not claims or session_ended():
        return None
    return _resolved(from_claims(claims))


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
