"""Role changes: grant, revoke and list role assignments, each change audited with its actor.

Only an admin may change roles (``--as`` on the command line, the signed-in user on the Admin
page), except the very first grant: while no role exists (open mode) anyone may grant the
first admin, which switches roles on. A change that would leave other roles without any admin
is refused, so the roles can always be managed from the app.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, func, select

import models
import store
from access import audit
from access.roles import (
    ROLES,
    SUBJECT_PREFIX,
    Identity,
    principal,
    refusal,
    resolve,
    roles_exist,
)

t = models.role_assignments
# What a grant or revoke raises instead of changing anything: a mistake in what was asked
# (ValueError) or the store's refusal or an unavailable database (StoreError). The Roles page
# says it in words; nothing else is caught.
REFUSALS = (ValueError, store.StoreError)


@store._plain_errors
def grant(
    engine: Engine, actor: Identity | None, who: str, role: str, projects: list[str] = ()
) -> tuple[list[str | None], list[str]]:
    """Grant ``role`` (for ``projects`` when it is pm) to ``who`` (an e-mail or sub:SUBJECT).

    Returns the project ids newly granted (``[None]`` for a role without projects; empty when
    it was already held) and the projects the database does not hold yet.
    """
    who = principal(who)
    _check_role(role, projects)
    with _change(engine, actor, f"grant {role} to {who}", granting=role) as (conn, by):
        new: list[str | None] = []
        for project in sorted(set(projects)) or [None]:
            held = select(t.c.id).where(
                t.c.principal == who, t.c.role == role, _same_project(project)
            )
            if conn.execute(held).first() is not None:
                continue
            conn.execute(
                t.insert().values(
                    principal=who,
                    role=role,
                    project_id=project,
                    granted_by=by.label[:320],
                    granted_by_email=by.email,
                    granted_by_subject=by.subject,
                    granted_at=datetime.now(UTC),
                )
            )
            audit.record(conn, by, "grant", who, role, project)
            new.append(project)
        stored = set(
            conn.execute(
                select(models.projects.c.project_id).where(
                    models.projects.c.project_id.in_(projects)
                )
            ).scalars()
        )
    return new, sorted(set(projects) - stored)


@store._plain_errors
def revoke(
    engine: Engine,
    actor: Identity | None,
    who: str,
    role: str | None = None,
    projects: list[str] = (),
) -> list[tuple[str, str | None]]:
    """Revoke ``who``'s ``role`` (every role when None; only ``projects`` of a pm when given).

    Returns the (role, project) pairs removed. Refused when nothing matches, and when it would
    leave other roles without any admin.
    """
    who = principal(who)
    if role is not None and role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    with _change(engine, actor, f"revoke {role or 'every role'} of {who}") as (conn, by):
        match = t.c.principal == who
        if role is not None:
            match &= t.c.role == role
        if projects:  # not NULL first: ~match must hold for the rows without a project
            match &= t.c.project_id.is_not(None) & t.c.project_id.in_(projects)
        gone = conn.execute(select(t.c.role, t.c.project_id).where(match)).all()
        if not gone:
            what = f"the role {role}" if role else "any role"
            where = f" for {', '.join(projects)}" if projects else ""
            raise store.WriteRefused(f"{who} does not hold {what}{where}: nothing was changed")
        left = select(func.count()).select_from(t).where(~match)
        admins_left = conn.execute(left.where(t.c.role == "admin")).scalar()
        if conn.execute(left).scalar() and not admins_left:
            raise store.WriteRefused(
                "revoking this would leave roles without any admin: grant another admin "
                "first (or revoke every other role to switch roles off): nothing was changed"
            )
        conn.execute(delete(t).where(match))
        for r in gone:
            audit.record(conn, by, "revoke", who, r.role, r.project_id)
    return [(r.role, r.project_id) for r in gone]


@store._plain_errors
def assignments(engine: Engine) -> list[dict]:
    """Every role assignment, one entry per principal and role (a pm's projects together)."""
    with engine.connect() as conn:
        rows = conn.execute(select(t).order_by(t.c.principal, t.c.role, t.c.project_id)).all()
    out: dict[tuple[str, str], dict] = {}
    for r in rows:
        entry = out.setdefault(
            (r.principal, r.role),
            {"principal": r.principal, "role": r.role, "projects": [], "granted_by": set(),
             "granted_at": r.granted_at},
        )  # fmt: skip
        if r.project_id:
            entry["projects"].append(r.project_id)
        entry["granted_by"].add(_granter(r))
        entry["granted_at"] = max(entry["granted_at"], r.granted_at)
    for entry in out.values():
        entry["granted_by"] = ", ".join(sorted(entry["granted_by"]))
    return sorted(out.values(), key=lambda e: (e["principal"], ROLES.index(e["role"])))


def _granter(row) -> str:
    """Who granted a row, as the list shows it: the label, and the account behind it when the
    label does not already say it (a display name, a command line's user name)."""
    subject = f"{SUBJECT_PREFIX}{row.granted_by_subject}" if row.granted_by_subject else None
    account = [p for p in (row.granted_by_email, subject) if p and p != row.granted_by]
    return f"{row.granted_by} ({', '.join(account)})" if account else row.granted_by


def _check_role(role: str, projects: list[str]) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(ROLES)}")
    if role == "pm" and not projects:
        raise ValueError("a pm writes only their projects: name them with --project ID")
    if role != "pm" and projects:
        raise ValueError(f"--project is for the pm role; {role} covers every project")


def _same_project(project: str | None):
    return t.c.project_id.is_(None) if project is None else t.c.project_id == project


class _Refused(Exception):
    pass


@contextmanager
def _change(
    engine: Engine, actor: Identity | None, what: str, granting: str | None = None
) -> Iterator[tuple[object, Identity]]:
    """A role change's transaction and the actor, when the actor may change roles;
    otherwise the refusal is audited and raised as ``WriteRefused``.

    While no role exists only an admin may be granted (``granting``), by anyone: it switches
    roles on. Checked inside the transaction that makes the change.
    """
    actor = actor or Identity()
    try:
        with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
            if not roles_exist(conn):
                if granting is None:
                    raise _Refused("no role is granted yet: there is nothing to revoke")
                if granting != "admin":
                    raise _Refused(
                        "no role is granted yet, so the first one must be an admin (who can "
                        "then grant the others): python -m access grant YOUR-EMAIL admin"
                    )
            elif reason := refusal(resolve(conn, actor), "roles"):
                raise _Refused(reason)
            yield conn, actor
    except _Refused as exc:
        audit.record_refusal(engine, actor, "roles", f"{what}: {exc}")
        raise store.WriteRefused(f"{exc}: nothing was changed") from None
