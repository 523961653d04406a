"""python -m cadence remind | sheets: update requests and reminders, and the update sheets.

Exit codes: 0 done (or nothing to do), 2 bad arguments or an unusable database, 1 the mail
server failed (what was sent before it failed is recorded; the rest is not). Errors are one
line on stderr starting ``error:``, with any password masked.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

import store
from cadence import mail, remind, update_sheet
from config import get_config


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY-MM-DD)") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cadence")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser(
        "remind", help="mail update requests and reminders to managers with due or late projects"
    )
    when = r.add_mutually_exclusive_group(required=True)
    when.add_argument("--review-date", type=_date, help="the review, YYYY-MM-DD")
    when.add_argument(
        "--review-day",
        choices=remind.WEEKDAYS,
        help="a weekly review on this day: the review whose request or reminder is due today",
    )
    r.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    r.add_argument(
        "--kind",
        choices=remind.KINDS,
        help="send this kind now (default: what the [cadence] schedule sends today)",
    )
    r.add_argument(
        "--today", type=_date, help="the date the schedule is read for (default: today, UTC)"
    )
    r.add_argument("--dry-run", action="store_true", help="print what would be sent; send nothing")
    s = sub.add_parser("sheets", help="write the pre-filled update sheet of every manager")
    s.add_argument("--review-date", type=_date, required=True, help="the review, YYYY-MM-DD")
    s.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    s.add_argument("--project", action="append", default=[], help="only this project (repeat)")
    s.add_argument("--out", required=True, help="the folder to write the .xlsx files to")
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _frames(url: str | None):
    engine = store.get_engine(url)
    return engine, store.read_frames(engine)


def remind_command(args: argparse.Namespace) -> int:
    config = get_config()
    today = args.today or datetime.now(UTC).date()
    review = args.review_date or remind.scheduled_review(today, args.review_day, config)
    if review is None:
        print(f"nothing is scheduled for {today} for a review on {args.review_day}")
        return 0
    kind = args.kind or remind.kind_for(today, review, config)
    days = config.cadence
    schedule = (
        f"request on {review - timedelta(days=days.request_days_before)}, reminder on "
        + " or ".join(str(review + timedelta(days=d)) for d in days.reminder_days_after)
    )
    if kind is None:
        print(f"review {review}: nothing is scheduled for {today} ({schedule})")
        return 0
    try:
        engine, frames = _frames(args.db)
        pm = remind.pm_principals(engine)
        sent = remind.already_sent(engine, kind, review)
    except store.StoreError as exc:
        return _fail(str(exc))
    p = remind.plan(frames, review, config, kind, pm, sent)
    remind.attach_sheets(p, frames, config)
    print(f"review {review}: {kind} ({schedule})")
    for r in p.no_address.itertuples():
        print(
            f"no address: {r.project_id} {r.name} (manager {r.manager}): give the project a "
            "manager_email or grant its manager the pm role (python -m access grant)"
        )
    if p.skipped_sent:
        print(f"already sent: {p.skipped_sent} project(s) had this {kind} for {review}")
    if not p.mails:
        print(f"nothing to send: no manager has a due project without a {kind}")
        return 0
    if args.dry_run:
        for m in p.mails:
            ids = ", ".join(m.projects["project_id"])
            print(
                f"would send to {m.recipient} ({m.manager}): {remind.subject(m, review)}; "
                f"{ids}; attached {m.sheet.file_name} ({len(m.sheet.data) / 1024:,.0f} KiB)"
            )
        print(f"dry run: {len(p.mails)} mail(s) not sent, nothing recorded")
        return 0
    out = remind.send(engine, p, config, mail.smtp_url(config))
    for m in out.sent:
        print(f"sent to {m.recipient} ({m.manager}): {', '.join(m.projects['project_id'])}")
    for m in out.raced:
        print(f"already sent to {m.recipient} by another run: skipped")
    for line in out.refused:
        print(f"error: {line}; not recorded", file=sys.stderr)
    if out.error:
        unsent = len(p.mails) - len(out.sent) - len(out.raced) - len(out.refused)
        return _fail(f"{out.error}; {unsent} mail(s) not sent and not recorded", 1)
    if out.refused:
        print(f"{len(out.sent)} mail(s) sent and recorded, {len(out.refused)} refused")
        return 1
    print(f"{len(out.sent)} mail(s) sent and recorded")
    return 0


def sheets_command(args: argparse.Namespace) -> int:
    config = get_config()
    try:
        _engine, frames = _frames(args.db)
    except store.StoreError as exc:
        return _fail(str(exc))
    known = set(frames["projects"]["project_id"])
    unknown = sorted(set(args.project) - known)
    if unknown:
        return _fail(f"unknown project(s): {', '.join(unknown)}")
    ids = args.project or None
    sheets = update_sheet.by_manager(
        frames, pd.Timestamp(args.review_date), config, ids, app_url=remind.upload_link(config)
    )
    if not sheets:
        print("no projects: nothing to write")
        return 0
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for s in sheets:
        (out / s.file_name).write_bytes(s.data)
        print(f"wrote {out / s.file_name}: {s.manager}, {len(s.project_ids)} project(s)")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "remind":
        return remind_command(args)
    return sheets_command(args)


if __name__ == "__main__":
    sys.exit(main())
