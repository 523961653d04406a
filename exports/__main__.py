"""python -m exports deck [--review-date YYYY-MM-DD] [--portfolio P ...] [--db URL] --out FILE
python -m exports digest --review-date YYYY-MM-DD --to ADDRESS [--to ...] [--db URL]

Builds the weekly review deck, or mails the executive digest with the deck attached, for a
scheduled job. Exit codes: 0 written, 2 bad arguments or
nothing to export, 1 the export itself failed (e.g. Chromium missing). Errors are one readable
line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

import store
from analytics.portfolio import FILTER_FIELDS, review_dates
from analytics.review import Review
from config import get_config
from exports import digest
from exports.deck import SECTIONS, DeckError, build_deck
from exports.png import ExportError


def _review_options(parser: argparse.ArgumentParser) -> None:
    """The options deck and digest share: which review, which slice, which database."""
    parser.add_argument(
        "--review-date",
        help="review date YYYY-MM-DD (default: the latest reporting date in the database)",
    )
    for fld in FILTER_FIELDS:
        parser.add_argument(
            f"--{fld}",
            action="append",
            default=[],
            metavar=fld.upper(),
            help=f"only this {fld} (repeat for several)",
        )
    parser.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m exports")
    sub = parser.add_subparsers(dest="command", required=True)
    deck = sub.add_parser("deck", help="write the weekly review as a 16:9 PowerPoint deck")
    _review_options(deck)
    deck.add_argument(
        "--sections",
        nargs="+",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"sections to include (default: all): {', '.join(SECTIONS)}",
    )
    deck.add_argument("--out", required=True, help="the .pptx file to write")
    deck.add_argument("--quiet", action="store_true", help="no progress lines")
    digest = sub.add_parser(
        "digest", help="mail the executive digest (HTML, the deck attached) to ADDRESS ..."
    )
    _review_options(digest)
    digest.add_argument(
        "--to", action="append", required=True, metavar="ADDRESS", help="a recipient (repeat)"
    )
    digest.add_argument(
        "--resend", action="store_true", help="send again to addresses that had this digest"
    )
    digest.add_argument(
        "--dry-run", action="store_true", help="print the digest's text; send and record nothing"
    )
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _review_and_filters(args: argparse.Namespace, frames) -> tuple[pd.Timestamp, dict] | int:
    """The review date and filters the arguments ask for, or an exit code (after an error)."""
    dates = review_dates(frames["status_reports"])
    if not dates:
        return _fail("the database has no status reports yet: nothing to export")
    if args.review_date:
        try:
            review = pd.Timestamp(args.review_date)
        except ValueError:
            return _fail(f"--review-date {args.review_date!r} is not a date (use YYYY-MM-DD)")
        if review < dates[0]:
            first = dates[0].date()
            return _fail(f"--review-date {review.date()} is before the first report ({first})")
    else:
        review = dates[-1]
    filters: dict[str, list[str]] = {}
    for fld in FILTER_FIELDS:
        wanted = getattr(args, fld)
        if not wanted:
            continue
        known = set(frames["projects"][fld].dropna())
        unknown = sorted(set(wanted) - known)
        if unknown:
            # A typo in a scheduled job should fail loudly, not produce an empty deck.
            return _fail(
                f"unknown {fld} {', '.join(map(repr, unknown))}; known: " + ", ".join(sorted(known))
            )
        filters[fld] = wanted
    return review, filters


def deck_command(args: argparse.Namespace) -> int:
    try:
        frames = store.read_frames(store.get_engine(args.db))
    except store.StoreError as exc:  # says which database and what to check; no SQL
        return _fail(str(exc), 1)
    chosen = _review_and_filters(args, frames)
    if isinstance(chosen, int):
        return chosen
    review, filters = chosen

    def progress(fraction: float, message: str) -> None:
        if not args.quiet:
            print(f"[{fraction:4.0%}] {message}", file=sys.stderr)

    try:
        # The review the deck shows: as the pages build it, compared with the date before.
        rv = Review(frames, get_config(), review, filters=filters)
        data = build_deck(rv, sections=args.sections, progress=progress)
    except DeckError as exc:
        return _fail(str(exc))
    except ExportError as exc:
        return _fail(str(exc), 1)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(f"wrote {out} ({len(data) / 1024:,.0f} KiB) for review date {review.date()}")
    return 0


def digest_command(args: argparse.Namespace) -> int:
    from cadence import mail

    config = get_config()
    bad = [a for a in args.to if not mail.is_address(a)]
    if bad:
        return _fail(f"--to {', '.join(map(repr, bad))} is not an e-mail address")
    to = sorted({a.strip().lower() for a in args.to})
    try:
        engine = store.get_engine(args.db)
        frames = store.read_frames(engine)
    except store.StoreError as exc:
        return _fail(str(exc), 1)
    chosen = _review_and_filters(args, frames)
    if isinstance(chosen, int):
        return chosen
    review, filters = chosen
    done = set() if args.resend else digest.already_sent(engine, review.date(), to)
    for a in sorted(done):
        print(f"already sent: the digest of {review.date()} went to {a} (--resend to send again)")
    to = [a for a in to if a not in done]
    if not to:
        print("nothing to send")
        return 0
    if not args.dry_run:  # the mail server first: the deck takes seconds to draw
        try:
            with mail.connect(mail.smtp_url(config)):
                pass
        except mail.MailError as exc:
            return _fail(f"{exc}; the digest was not sent and not recorded", 1)
    try:
        rv = Review(frames, config, review, filters=filters)
        deck = build_deck(rv)
    except DeckError as exc:
        return _fail(str(exc))
    except ExportError as exc:
        return _fail(str(exc), 1)
    content = digest.content(rv)
    content.charts = digest.charts_from_deck(deck)
    if args.dry_run:
        print(f"To: {', '.join(to)}\nSubject: {digest.subject(content)}\n")
        print(digest.text_body(content, config.mail.app_url))
        print(f"\ndry run: not sent, nothing recorded (deck {len(deck) / 1024:,.0f} KiB, "
              f"{len(content.charts)} inline chart(s))")  # fmt: skip
        return 0
    msg = digest.message(content, deck, config, to)
    try:
        refused = digest.send(engine, msg, review.date(), to, mail.smtp_url(config))
    except mail.MailError as exc:
        return _fail(f"{exc}; the digest was not sent and not recorded", 1)
    to = [a for a in to if a not in refused]
    if refused:
        print(f"error: the mail server refused {', '.join(sorted(refused))}: not recorded",
              file=sys.stderr)  # fmt: skip
    print(
        f"sent the digest of {review.date()} to {', '.join(to)} "
        f"({len(msg.as_bytes()) / 1024:,.0f} KiB)"
    )
    return 1 if refused else 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "deck":
        return deck_command(args)
    if args.command == "digest":
        return digest_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
