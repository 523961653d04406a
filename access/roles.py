"""Who may write what: the roles, the acting identity and the one rule, ``refusal``.

- viewer: reads every page and exports; writes nothing.
- pm: also uploads, for the projects assigned to them only.
- pmo: uploads for any project and runs SQL syncs.
- admin: everything, including role changes and loading the sample portfolio.

Open mode: until the first role is granted (``role_assignments`` is empty) everyone may do
everything, as before roles existed: ``resolve`` then gives every identity the admin role and
sets ``open_mode``. The first grant must therefore be an admin (see access.grants).

The local identity (the app run without ``[auth]`` sign-in, on 127.0.0.1) is an admin even once
roles exist: whoever can start the app on the database can write it directly anyway. Command
lines name their identity with ``--as EMAIL`` or fall back to ``[access] service_identity`` (a
scheduled job); either is an e-mail whose roles come from the table like anyone's. Neither is
authentication (the command line holds the database URL): they say who acts, for the rules
and the audit.

Nothing here imports streamlit or store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select

import models
from config import Access, Config, get_config
from vocabulary.roles import ROLES, SUBJECT_PREFIX, principal  # noqa: F401 (public here too)

# action -> roles that may do it for any project (a pm may also upload its own projects)
ALLOWED = {
    "upload": {"pmo", "admin"},
    "sync": {"pmo", "admin"},
    "seed": {"admin"},
    "roles": {"admin"},
}
ACTION_WORDS = {
    "upload": "load data",
    "sync": "run a SQL sync",
    "seed": "load the sample portfolio",
    "roles": "change roles",
}
# store.UploadMeta.source -> the action that write is
ACTION_OF_SOURCE = {"upload": "upload", "cli": "upload", "sql": "sync", "sample": "seed"}


@dataclass(frozen=True)
class Identity:
    """Who acts. ``roles`` and ``projects`` are filled by ``resolve`` from the database."""

    email: str | None = None
    name: str | None = None
    subject: str | None = None
    groups: tuple[str, ...] = ()  # from the sign-in's groups claim, see [access.groups]
    roles: frozenset[str] = frozenset()
    projects: frozenset[str] = frozenset()  # a pm's projects
    is_service: bool = False  # [access] service_identity, acting for a scheduled job
    is_local: bool = False  # the app without sign-in: the single local admin
    open_mode: bool = False  # no role is granted yet: everyone may do everything

    @classmethod
    def named(cls, text: str, is_service: bool = False) -> Identity:
        """The identity a command line names (``--as``): an e-mail or ``sub:SUBJECT``."""
        p = principal(text)
        if p.startswith(SUBJECT_PREFIX):
            return cls(subject=p[len(SUBJECT_PREFIX) :], is_service=is_service)
        return cls(email=p, is_service=is_service)

    @classmethod
    def local(cls, name: str = "local user") -> Identity:
        return cls(name=name, is_local=True)

    @property
    def principals(self) -> list[str]:
        out = [self.email.lower()] if self.email else []
        return out + ([SUBJECT_PREFIX + self.subject] if self.subject else [])

    @property
    def label(self) -> str:
        """Who, in messages and the audit: the e-mail, else the subject, else the name."""
        return next(iter(self.principals), None) or self.name or "nobody"

    @property
    def display(self) -> str:
        """Who, as ``uploads.uploaded_by`` shows it (the column holds 200 characters)."""
        return (self.name or self.label)[:200]


def from_claims(claims: Mapping, config: Config | None = None) -> Identity:
    """The identity of a signed-in user from the OIDC claims (``st.user``), not yet resolved.

    The e-mail is used only when it is verified (``email_verified``): anyone could type someone
    else's address into their profile at a provider that does not check it. Without the e-mail
    the user still signs in, by subject (``sub:SUBJECT`` principals).
    """
    cfg = (config or get_config()).access
    email = claims.get("email") if email_verified(claims, cfg) else None
    raw = claims.get(cfg.groups_claim) or ()
    groups = tuple(raw.replace(",", " ").split()) if isinstance(raw, str) else tuple(raw)
    return Identity(
        email=str(email).strip().lower() if email else None,
        name=claims.get("name") or None,
        subject=str(claims["sub"]) if claims.get("sub") else None,
        groups=tuple(str(g) for g in groups),
    )


def email_verified(claims: Mapping, access: Access) -> bool:
    """Whether the claims' e-mail counts as verified.

    Only the boolean ``true`` counts: the string "true" is not what the OIDC standard sends,
    and a provider that sends strings cannot be told apart from one that sends "false"
    carelessly, so any present value other than ``True`` fails closed. A provider that sends no
    claim at all (Entra ID) is trusted only when the admin lists it in ``[access]
    trust_email_without_verified_claim``; Streamlit names it in the ``provider`` key
    ("default" for a lone ``[auth]``).
    """
    if "email_verified" in claims:
        return claims["email_verified"] is True
    return claims.get("provider", "default") in access.trust_email_without_verified_claim


def roles_exist(conn) -> bool:
    t = models.role_assignments
    return conn.execute(select(t.c.id).limit(1)).first() is not None


def resolve(conn, who: Identity | None, config: Config | None = None) -> Identity:
    """``who`` (None: nobody named) with its current roles and projects: the table's rows for
    its e-mail and subject plus the roles its groups map to. Read on every check, so a revoked
    role stops the next write."""
    who = who or Identity()
    if who.is_local:
        return replace(who, roles=frozenset({"admin"}), projects=frozenset())
    if not roles_exist(conn):
        return replace(who, roles=frozenset({"admin"}), projects=frozenset(), open_mode=True)
    t = models.role_assignments
    mine = select(t.c.role, t.c.project_id).where(t.c.principal.in_(who.principals))
    rows = conn.execute(mine).all() if who.principals else []
    mapped = (config or get_config()).access.groups
    roles = {r.role for r in rows} | {mapped[g] for g in who.groups if g in mapped}
    projects = {r.project_id for r in rows if r.role == "pm" and r.project_id}
    return replace(who, roles=frozenset(roles), projects=frozenset(projects), open_mode=False)


def refusal(who: Identity, action: str, project_ids: Iterable[str] = ()) -> str | None:
    """Why ``who`` (resolved) may not do ``action`` on ``project_ids``, or None when it may."""
    if who.roles & ALLOWED[action]:
        return None
    if action == "upload" and "pm" in who.roles:
        outside = sorted(set(project_ids) - who.projects)
        if not outside:
            return None
        shown = ", ".join(outside[:20]) + (
            f" and {len(outside) - 20} more" if len(outside) > 20 else ""
        )
        return (
            f"{who.label} may load data only for their projects "
            f"({', '.join(sorted(who.projects)) or 'none assigned'}), not for {shown}"
        )
    if not who.principals:
        return (
            "roles are set up, so every write needs to say who makes it: sign in, or pass "
            "--as EMAIL on the command line (or set [access] service_identity for scheduled jobs)"
        )
    if not who.roles:
        return f"{who.label} has no role in PMO Lens: an admin can grant one"
    held = ", ".join(r for r in ROLES if r in who.roles)
    may = " or ".join(r for r in ROLES if r in ALLOWED[action])
    if action == "upload":
        may = "pm (for their own projects), " + may
    return f"{who.label} has the role {held}: only {may} may {ACTION_WORDS[action]}"


def upload_columns(who: Identity | None) -> dict[str, str | None]:
    """The identity columns of ``uploads`` for a write made by ``who``."""
    return {
        "uploaded_by_email": who.email if who else None,
        "uploaded_by_subject": who.subject if who else None,
    }
