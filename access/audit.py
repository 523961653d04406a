"""The audit of access events: roles granted and revoked, writes refused (``access_events``).

Uploads and syncs are audited by the ``uploads`` table itself (who, when, what, the replaced
rows); this table holds what changes no data.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

import models


def record(
    conn,
    actor: str,
    event: str,
    principal: str | None = None,
    role: str | None = None,
    project_id: str | None = None,
    detail: str | None = None,
) -> None:
    """One event (grant, revoke, refused), in the caller's transaction."""
    conn.execute(
        insert(models.access_events).values(
            at=datetime.now(UTC),
            actor=actor[:320],
            event=event,
            principal=principal,
            role=role,
            project_id=project_id,
            detail=detail,
        )
    )


def record_refusal(engine: Engine, actor: str, action: str, reason: str) -> None:
    """A refused write, in its own transaction (the refused one wrote nothing)."""
    with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
        record(conn, actor, "refused", detail=f"{action}: {reason}")


def read_events(conn) -> pd.DataFrame:
    """Every access event, newest first."""
    e = models.access_events
    df = pd.read_sql(select(e).order_by(e.c.id.desc()), conn)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    return df
