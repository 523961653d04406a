"""``python -m data_loaders SUBCOMMAND``: subcommands register here.

To add one (e.g. ``sync``), write ``add_arguments(parser)`` and ``run(args) -> int`` and add
them to ``SUBCOMMANDS``: ``SUBCOMMANDS["sync"] = (help, add_arguments, run)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from data_loaders import sync_cli

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    p.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    p.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    p.add_argument("--export-dir", help="write the canonical tables loaded as CSV files here")
    p.add_argument("--project", help="project id for sheets that name no project")
    p.add_argument("--report-date", type=_date, help="report date for sheets without one")
    p.add_argument("--uploaded-by", default="cli", help="recorded as the uploader")


def _files(paths: list[str]) -> tuple[list[Path], list[str]]:
    files, missing = [], []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            files += sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower() in SUFFIXES and not f.name.startswith("~$")
            )  # fmt: skip
        elif p.is_file():
            files.append(p)
        else:
            missing.append(raw)
    return files, missing


def run_ingest(args: argparse.Namespace) -> int:
    import store
    from data_loaders.ingest import (
        Options,
        commit,
        export_frames,
        known_projects,
        remembered_mappings,
    )
    from data_loaders.report import ERROR
    from data_loaders.sandbox import parse_isolated

    files, missing = _files(args.paths)
    if missing:
        print(f"error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return 2
    if not files:
        print("error: no spreadsheet or CSV files found", file=sys.stderr)
        return 2
    engine = store.get_engine(args.db)
    known = known_projects(engine)
    options = Options(
        project_id=args.project, report_date=args.report_date, mappings=remembered_mappings(engine)
    )
    reports, totals = [], {}
    for n, path in enumerate(files, 1):
        _progress(n, len(files), path.name)
        parsed = parse_isolated(str(path), path.read_bytes(), known, options=options)
        if args.dry_run:
            report = parsed.report
        else:
            report = commit(engine, parsed, args.uploaded_by, source="cli")
            if report.status == "loaded" and "projects" in parsed.frames:
                projects = parsed.frames["projects"]
                known.update(zip(projects["project_id"], projects["name"], strict=True))
        if args.export_dir and parsed.ok and report.status in ("loaded", "valid"):
            export_frames(parsed.frames, args.export_dir)
        for table, count in report.totals.items():
            totals[table] = totals.get(table, 0) + count
        reports.append(report)
        if not args.json:
            _print_report(report, ERROR)
    if len(files) > 1:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps({"files": [r.to_dict() for r in reports], "totals": totals},
                         indent=2, default=str))  # fmt: skip
    bad = [r for r in reports if r.status in ("rejected", "unsupported")]
    return 1 if bad else 0


def _progress(n: int, total: int, name: str) -> None:
    if total < 2:
        return
    width = 30
    done = int(width * n / total)
    print(f"\r[{'#' * done}{'.' * (width - done)}] {n}/{total} {name[:40]:<40}",
          end="", file=sys.stderr, flush=True)  # fmt: skip


def _print_report(report, error: str) -> None:
    counts = ", ".join(f"{t} {c}" for t, c in report.totals.items()) or "nothing"
    print(f"{report.file}: {report.status} ({counts})")
    for s in report.sheets:
        where = f"header row {s.header_row}" if s.header_row else "no header row"
        print(f"  sheet {s.sheet!r}: {s.kind}, {where}, {s.rows_loaded} rows"
              f"{f', {s.rows_skipped} skipped' if s.rows_skipped else ''}"
              f"{f' - {s.reason}' if s.reason and s.kind == 'unsupported' else ''}")  # fmt: skip
    problems = report.all_problems
    shown = [p for p in problems if p.severity == error][:20] + [
        p for p in problems if p.severity != error
    ][:5]
    for p in shown:
        loc = " ".join(x for x in (p.sheet and f"[{p.sheet}]", p.row and f"row {p.row}",
                                   p.column and f"column {p.column!r}") if x)  # fmt: skip
        value = f" value {p.value!r}" if p.value else ""
        print(f"  {p.severity}: {loc}{value}: {p.message}")
    if len(problems) > len(shown):
        print(f"  ... {len(problems) - len(shown)} more (use --json for all)")


# name -> (help, add_arguments, run). Other loaders (the SQL sync) register here.
SUBCOMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "ingest": ("load Excel / CSV files into the app database", add_ingest_arguments, run_ingest),
    "sync": ("sync from an SQL database (sources/*.toml)", sync_cli.add_arguments, sync_cli.run),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data_loaders")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        add_arguments(p)
        p.set_defaults(_run=run)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    return args._run(args)
