"""``python -m access grant|revoke|list|log``: manage roles from the command line.

Exit status: 0 done; 1 refused or a database problem (one line on stderr, nothing changed);
2 usage (unknown role, not an e-mail, --project without pm).
"""

from __future__ import annotations

import argparse
import getpass
import sys

from access.cli import add_as_option, principal_arg
from access.roles import ROLES, Identity


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m access")
    sub = parser.add_subparsers(dest="command", required=True)
    g = sub.add_parser("grant", help="grant a role (a pm: for the projects named)")
    g.add_argument("who", type=principal_arg, metavar="EMAIL", help="e-mail, or sub:SUBJECT")
    g.add_argument("role", choices=ROLES)
    r = sub.add_parser("revoke", help="revoke a role, or every role of someone")
    r.add_argument("who", type=principal_arg, metavar="EMAIL", help="e-mail, or sub:SUBJECT")
    r.add_argument("role", choices=ROLES, nargs="?", help="default: every role")
    for p in (g, r):
        p.add_argument(
            "--project",
            action="append",
            default=[],
            metavar="ID",
            help="a pm's project (repeatable); on revoke only these projects",
        )
    lst = sub.add_parser("list", help="list role assignments")
    log = sub.add_parser("log", help="list access events: grants, revokes, refused writes")
    for p in (g, r, lst, log):
        p.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    for p in (g, r):
        add_as_option(p, service=False)
    return parser


def _actor(args: argparse.Namespace) -> Identity:
    if args.acting_as:
        return Identity.named(args.acting_as)
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in a bare container
        user = "unknown user"
    return Identity(name=f"command line ({user})")


def _grant(args: argparse.Namespace) -> int:
    import store
    from access.grants import grant

    new, unknown = grant(store.get_engine(args.db), _actor(args), args.who, args.role, args.project)
    if not new:
        print(f"{args.who} already holds {args.role}{_for(args.project)}: nothing changed")
    else:
        print(f"granted {args.role} to {args.who}{_for([p for p in new if p])}")
    if unknown:
        print(f"note: not in the database yet: {', '.join(unknown)}", file=sys.stderr)
    return 0


def _revoke(args: argparse.Namespace) -> int:
    import store
    from access.grants import assignments, revoke

    engine = store.get_engine(args.db)
    gone = revoke(engine, _actor(args), args.who, args.role, args.project)
    for role in sorted({r for r, _ in gone}, key=ROLES.index):
        print(f"revoked {role} of {args.who}{_for([p for r, p in gone if r == role and p])}")
    if not assignments(engine):
        print("no role is left: the app is open again (everyone may do everything)")
    return 0


def _list(args: argparse.Namespace) -> int:
    import store
    from access.grants import assignments

    rows = assignments(store.get_engine(args.db))
    if not rows:
        print("no role is granted: the app is open (everyone may do everything)")
        return 0
    width = max(len(r["principal"]) for r in rows)
    for r in rows:
        projects = f" {', '.join(r['projects'])}" if r["projects"] else ""
        print(
            f"{r['principal']:<{width}}  {r['role']:<6}{projects}  "
            f"(granted by {r['granted_by']}, {r['granted_at']:%Y-%m-%d %H:%M})"
        )
    return 0


def _log(args: argparse.Namespace) -> int:
    import store
    from access.audit import read_events

    with store.get_engine(args.db).connect() as conn:
        events = read_events(conn)
    for e in events.itertuples():
        what = " ".join(x for x in (e.principal, e.role, e.project_id) if isinstance(x, str))
        detail = f": {e.detail}" if isinstance(e.detail, str) else ""
        event = f"{e.event} {what}" if what else e.event
        print(f"{e.at:%Y-%m-%d %H:%M:%S}  {_actor_shown(e)}  {event}{detail}")
    return 0


def _actor_shown(event) -> str:
    """The actor's label, and the account behind it when the label does not say it."""
    subject = f"sub:{event.actor_subject}" if isinstance(event.actor_subject, str) else None
    email = event.actor_email if isinstance(event.actor_email, str) else None
    account = [p for p in (email, subject) if p and p != event.actor]
    return f"{event.actor} ({', '.join(account)})" if account else event.actor


def _for(projects: list[str]) -> str:
    return f" for {', '.join(projects)}" if projects else ""


COMMANDS = {"grant": _grant, "revoke": _revoke, "list": _list, "log": _log}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    import store

    def run() -> int:
        try:
            return COMMANDS[args.command](args)
        except ValueError as exc:  # a pm without --project, --project with another role
            print(f"error: {exc}", file=sys.stderr)
            return 2

    return store.exit_on_error(run)


if __name__ == "__main__":
    sys.exit(main())
