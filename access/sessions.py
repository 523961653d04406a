"""When a signed-in browser still counts: the rule behind sign-out and the session lifetime.

Streamlit keeps the signed-in user in signed cookies (``_streamlit_user*``) that it honours for
30 days, and ``st.logout()`` only deletes them from the browser that clicked it: a copy of the
cookies still signs in. So the app keeps, per provider and subject, when the user last signed
out (``sign_outs``) and refuses any user info whose ID token was issued at or before that, or
longer ago than ``[access] session_hours``. The user info carries the ID token's ``iat`` claim;
one without it cannot be dated and is refused (fail closed).

Used by ui.identity on every script run and by the server's HTTP checks (media, uploads).
Nothing here imports streamlit or store.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

import models
from config import Config, get_config

t = models.sign_outs


def session_refusal(
    conn, user_info: Mapping, config: Config | None = None, now: datetime | None = None
) -> str | None:
    """Why this signed-in user info (the decoded _streamlit_user cookie / st.user dict) no
    longer counts: signed out after it was issued, older than the session lifetime, no issue
    time. None when it counts."""
    issued = issued_at(user_info)
    if issued is None:
        return "the sign-in carries no issue time (iat), so its age cannot be checked"
    now = now or datetime.now(UTC)
    hours = (config or get_config()).access.session_hours
    if now - issued > timedelta(hours=hours):
        return f"the sign-in is older than {hours:g} hours (the session lifetime)"
    key = _key(user_info)
    if key is None:
        return "the sign-in carries no subject (sub), so its sign-outs cannot be checked"
    last = conn.execute(
        select(func.max(t.c.signed_out_at)).where(t.c.provider == key[0], t.c.subject == key[1])
    ).scalar()
    if last is not None and issued <= _utc(last):
        return "this account signed out after this sign-in"
    return None


def record_sign_out(conn_or_engine, user_info: Mapping, now: datetime | None = None) -> None:
    """Remember that this user signed out now: every sign-in of theirs issued until now stops
    counting, in every browser. Nothing to record for user info without a subject (it never
    counts anyway)."""
    key = _key(user_info)
    if key is None:
        return
    row = {"provider": key[0], "subject": key[1], "signed_out_at": now or datetime.now(UTC)}
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
            conn.execute(insert(t).values(**row))
    else:
        conn_or_engine.execute(insert(t).values(**row))


def issued_at(user_info: Mapping) -> datetime | None:
    """The ID token's issue time (``iat``, seconds since 1970), or None without a usable one."""
    iat = user_info.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        return None
    try:
        return datetime.fromtimestamp(iat, UTC)
    except (OverflowError, OSError, ValueError):  # out of the platform's range
        return None


def _key(user_info: Mapping) -> tuple[str, str] | None:
    """(provider, subject): a subject is unique only within its provider. Streamlit names the
    provider in the user info ("default" for a lone ``[auth]``)."""
    subject = user_info.get("sub")
    if not subject:
        return None
    return str(user_info.get("provider") or "default")[:100], str(subject)[:255]


def _utc(moment: datetime) -> datetime:
    # SQLite and MariaDB hand back naive datetimes; every time stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
