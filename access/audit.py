"""The audit of access events: roles granted and revoked, writes refused (``access_events``).

Uploads and syncs are audited by the ``uploads`` table itself (who, when, what, the replaced
rows); this table holds what changes no data.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select

import models
from access.roles import Identity


def record(
    conn,
    actor: Identity,
    event: str,
    principal: str | None = None,
    role: str | None = None,
    project_id: str | None = None,
    detail: str | None = None,
) -> None:
    """One event (grant, revoke, refused) by ``actor``, in the caller's transaction.

    The label is what the audit shows first; the e-mail and subject say which account acted,
    so a label (a display name, "command line (alice)") is never the only record."""
    conn.execute(
        insert(models.access_events).values(
            at=datetime.now(UTC),
            actor=actor.label[:320],
            actor_email=actor.email,
            actor_subject=actor.subject,
            event=event,
            principal=principal,
            role=role,
            project_id=project_id,
            detail=detail,
        )
    )


def record_refusal(engine: Engine, actor: Identity, action: str, reason: str) -> None:
    """A refused write, in its own transaction (the refused one wrote nothing)."""
    with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
        record(conn, actor, "refused", detail=f"{action}: {reason}")


def read_events(conn) -> pd.DataFrame:
    """Every access event, newest first."""
    e = models.access_events
    df = pd.read_sql(select(e).order_by(e.c.id.desc()), conn)
    df["at"] = pd.to_datetime(df["at"], utc=True)
    return df


# What the uploads table's source says an upload was, in the audit's words.
SOURCE_ACTIONS = {"upload": "upload", "cli": "upload (command line)", "sql": "SQL sync",
                  "sample": "sample portfolio"}  # fmt: skip


def activity(uploads: pd.DataFrame, replaced: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Who did what, when, newest first: every upload and sync (with the snapshots it replaced
    and the rows it removed) and every role change and refused write, in one table."""
    counts = replaced.set_index("upload_id")
    up = uploads.assign(
        replaced=uploads["upload_id"].map(counts["replaced"]).fillna(0).astype("int64"),
        removed=uploads["upload_id"].map(counts["removed"]).fillna(0).astype("int64"),
    )
    writes = pd.DataFrame(
        {
            "at": up["uploaded_at"],
            "who": up["uploaded_by"],
            "email": up["uploaded_by_email"],
            "subject": up["uploaded_by_subject"],
            "action": up["source"].map(SOURCE_ACTIONS).fillna(up["source"]),
            "detail": "upload " + up["upload_id"].astype(str) + ": " + up["file_name"]
            + ", " + up["status"],
            "replaced": up["replaced"],
            "removed": up["removed"],
        }
    )  # fmt: skip
    changes = pd.DataFrame(
        {
            "at": events["at"],
            "who": events["actor"],
            "email": events["actor_email"],
            "subject": events["actor_subject"],
            "action": events["event"].map({"grant": "role granted", "revoke": "role revoked",
                                           "refused": "write refused"}).fillna(events["event"]),
            "detail": _event_detail(events),
            "replaced": 0,
            "removed": 0,
        }
    )  # fmt: skip
    parts = [df for df in (writes, changes) if not df.empty]
    if not parts:
        return writes
    both = pd.concat(parts, ignore_index=True)
    return both.sort_values("at", ascending=False, kind="stable").reset_index(drop=True)


def _event_detail(events: pd.DataFrame) -> pd.Series:
    def one(e) -> str:
        what = " ".join(x for x in (e.role, e.principal) if isinstance(x, str))
        where = f" for {e.project_id}" if isinstance(e.project_id, str) else ""
        detail = e.detail if isinstance(e.detail, str) else ""
        return f"{what}{where}{': ' if what and detail else ''}{detail}"

    return pd.Series([one(e) for e in events.itertuples()], index=events.index, dtype=object)
