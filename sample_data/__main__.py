"""python -m sample_data seed [--db URL] [--force] [--long-names] [--as EMAIL]
python -m sample_data excel DIR"""

from __future__ import annotations

import argparse
import sys

import store
from access.cli import add_as_option, identity
from access.roles import Identity
from sample_data.excel import write_pm_workbooks
from sample_data.seed import seed_if_empty, write_sample


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sample_data")
    sub = parser.add_subparsers(dest="command", required=True)
    seed = sub.add_parser("seed", help="load the sample portfolio into the app database")
    seed.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    seed.add_argument("--force", action="store_true", help="seed even if projects exist")
    seed.add_argument(
        "--long-names",
        action="store_true",
        help="give every portfolio, programme and project a name of 40+ characters",
    )
    add_as_option(seed)
    excel = sub.add_parser("excel", help="write the status workbooks PMs would send")
    excel.add_argument("out_dir")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    if args.command == "seed":
        return store.exit_on_error(
            lambda: _seed(args.db, args.force, identity(args), args.long_names)
        )
    else:
        for path in write_pm_workbooks(args.out_dir):
            print(path)
    return 0


def _seed(url: str | None, force: bool, who: Identity | None, long_names: bool) -> int:
    engine = store.get_engine(url)
    seed = write_sample if force else seed_if_empty
    made = seed(engine, identity=who, long_names=long_names)
    print(f"sample portfolio: {made} weekly uploads written" if made else "already seeded")
    return 0


if __name__ == "__main__":
    sys.exit(main())
