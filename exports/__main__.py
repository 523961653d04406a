"""python -m exports deck [--review-date YYYY-MM-DD] [--portfolio P ...] [--db URL] --out FILE

Builds the weekly review deck for a scheduled job. Exit codes: 0 written, 2 bad arguments or
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
from exports.deck import SECTIONS, DeckError, build_deck
from exports.png import ExportError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m exports")
    sub = parser.add_subparsers(dest="command", required=True)
    deck = sub.add_parser("deck", help="write the weekly review as a 16:9 PowerPoint deck")
    deck.add_argument(
        "--review-date",
        help="review date YYYY-MM-DD (default: the latest reporting date in the database)",
    )
    for fld in FILTER_FIELDS:
        deck.add_argument(
            f"--{fld}",
            action="append",
            default=[],
            metavar=fld.upper(),
            help=f"only this {fld} (repeat for several)",
        )
    deck.add_argument(
        "--sections",
        nargs="+",
        choices=list(SECTIONS),
        metavar="SECTION",
        help=f"sections to include (default: all): {', '.join(SECTIONS)}",
    )
    deck.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    deck.add_argument("--out", required=True, help="the .pptx file to write")
    deck.add_argument("--quiet", action="store_true", help="no progress lines")
    return parser


def _fail(message: str, code: int = 2) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def deck_command(args: argparse.Namespace) -> int:
    try:
        frames = store.read_frames(store.get_engine(args.db))
    except store.StoreError as exc:  # says which database and what to check; no SQL
        return _fail(str(exc), 1)
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


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "deck":
        return deck_command(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
