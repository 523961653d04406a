"""``python -m data_loaders sync SOURCE.toml [--db URL] [--dry-run] [--json] [--as EMAIL]``.

SOURCE is a path or the name of a file in the sources folder (``$PMO_SOURCES_DIR``, default
``sources/``). Exit status: 0 loaded, unchanged or valid (dry run); 1 problems, nothing written;
2 usage (no such source file).
"""

from __future__ import annotations

import argparse
import json
import sys

from access.cli import add_as_option, identity


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="source definition: a TOML file, or its name in sources/")
    parser.add_argument("--db", help="app database URL (default: $PMO_DATABASE_URL or SQLite)")
    parser.add_argument(
        "--dry-run", action="store_true", help="read and validate only; write nothing"
    )
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    add_as_option(parser)


def run(args: argparse.Namespace) -> int:
    # Imported here so `python -m data_loaders --help` stays fast.
    import store
    from data_loaders.sql_source import find_source
    from data_loaders.sync import sync

    try:
        path = find_source(args.source)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = None if args.dry_run else store.get_engine(args.db or store.database_url())
    who = identity(args)
    if engine is not None:  # refuse before reading the source when this identity may not sync
        store.check_access(engine, who, "sync")
    # Read in the sync worker as on the page: the same memory and time limits ([ingest] sync_*),
    # so a scheduled sync cannot exhaust a server it shares with the app.
    result = sync(path, engine, dry_run=args.dry_run, identity=who, isolated=True)
    report = result.report
    if args.json:
        out = report.to_dict() | {
            "changed": result.changed,
            "removed": result.removed,
            "sha256": result.sha256,
        }
        print(json.dumps(out, indent=2, default=str))
    else:
        print(_text(report, result.changed, result.removed))
    return 1 if report.has_errors else 0


def _text(report, changed: dict[str, int], removed: dict[str, int]) -> str:
    from data_loaders.report import ERROR

    lines = [f"{report.file}: {report.status}"]
    for name, n in report.totals.items():
        extra = f", {changed[name]} new or changed" if name in changed else ""
        extra += f", {removed[name]} removed (gone from the source)" if removed.get(name) else ""
        lines.append(f"  {name}: {n} rows read{extra}")
    if report.upload_id is not None:
        lines.append(f"  upload id: {report.upload_id}")
    for p in report.all_problems:
        where = " ".join(
            x
            for x in (
                p.sheet or "",
                f"row {p.row}" if p.row else "",
                f"column {p.column}" if p.column else "",
            )
            if x
        )
        level = "ERROR" if p.severity == ERROR else "warning"
        lines.append(f"  {level}: {where + ': ' if where else ''}{p.message}")
    if report.has_errors:
        lines.append("  nothing was written")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m data_loaders sync", description="Sync a portfolio from a SQL database."
    )
    add_arguments(parser)
    args = parser.parse_args(argv)
    import store

    return store.exit_on_error(lambda: run(args))


if __name__ == "__main__":
    sys.exit(main())
