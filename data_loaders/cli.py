"""``python -m data_loaders SUBCOMMAND``: subcommands register here.

To add one (e.g. ``sync``), write ``add_arguments(parser)`` and ``run(args) -> int`` and add
them to ``SUBCOMMANDS``: ``SUBCOMMANDS["sync"] = (help, add_arguments, run)``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from access.cli import add_as_option, identity
from config import for_command_line, get_config
from data_loaders import sync_cli
from vocabulary.fields import KINDS, SHEET_HINTS

SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods", ".csv", ".xml"}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _unit(text: str) -> tuple[str, str]:
    from data_loaders.units import parse_choice

    column, _, unit = text.rpartition("=")
    choice = parse_choice(unit)
    if not column.strip() or choice is None:
        raise argparse.ArgumentTypeError(f"expected COLUMN=m, COLUMN=k or COLUMN=1: {text}")
    return column.strip(), choice


def _currency(text: str) -> str:
    from data_loaders.units import currency_code

    code = currency_code(text)
    if code is None:
        raise argparse.ArgumentTypeError(f"not a currency code (GBP, USD, EUR…): {text}")
    return code


def _map_project(text: str) -> tuple[str, str]:
    from data_loaders.projects_match import parse_mapping

    try:
        return parse_mapping(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _column_map(text: str) -> tuple[str, str]:
    from vocabulary.fields import ALL_FIELDS

    header, sep, name = text.rpartition("=")
    name = name.strip()
    if not sep or not header.strip() or (name and name not in ALL_FIELDS):
        raise argparse.ArgumentTypeError(
            f"expected 'Header=field' with a field such as risk_id, title, likelihood, budget "
            f"(or 'Header=' to ignore the column): {text}"
        )
    return header.strip(), name


def _fix(text: str) -> tuple[tuple[str, int, str], str]:
    from data_loaders.corrections import parse_spec

    try:
        return parse_spec(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_ingest_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("paths", nargs="+", metavar="PATH", help="files or folders (recursive)")
    p.add_argument("--db", help="SQLAlchemy URL (default: $PMO_DATABASE_URL or data/ SQLite)")
    p.add_argument("--dry-run", action="store_true", help="check and report; write nothing")
    p.add_argument("--json", action="store_true", help="print one JSON report on stdout")
    p.add_argument("--export-dir", help="write the canonical tables loaded as CSV files here")
    p.add_argument("--project", help="project id for sheets that name no project")
    p.add_argument("--report-date", type=_date, help="report date for sheets without one")
    p.add_argument(
        "--replace-report-date", action="store_true",
        help="--report-date also replaces the one date a sheet states (a cached =TODAY())",
    )  # fmt: skip
    p.add_argument(
        "--uploaded-by", help="recorded as the uploader's name (default: --as, else 'cli')"
    )
    add_as_option(p)
    p.add_argument(
        "--strict",
        action="store_true",
        help="all-or-nothing: refuse a file when any row would be skipped (or [ingest] strict)",
    )
    p.add_argument(
        "--unit",
        action="append",
        default=[],
        type=_unit,
        metavar="COLUMN=m|k|1",
        help="unit of a money column that states none: millions, thousands or as "
        "written (repeatable; COLUMN is the header or the field, e.g. budget)",
    )
    p.add_argument(
        "--currency",
        type=_currency,
        help="currency (ISO code) of money the file does not state; default: [money] currency",
    )
    p.add_argument(
        "--create-projects",
        action="store_true",
        help="create the projects the files name that the database lacks",
    )
    p.add_argument(
        "--map-project",
        action="append",
        default=[],
        type=_map_project,
        metavar="NAME=ID",
        help="rows for NAME (an id or name as written) belong to existing project ID (repeatable)",
    )
    p.add_argument(
        "--kind",
        choices=KINDS,
        help="what a table holds when its column names are not recognised (remembered with "
        "its layout)",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        type=_column_map,
        metavar="HEADER=FIELD",
        help="load column HEADER into FIELD, or ignore it with 'HEADER=' (repeatable; "
        "remembered for the next file with the same columns)",
    )
    p.add_argument(
        "--accept-suggestions",
        action="store_true",
        help="map every near-match ('did you mean …?') to its existing project",
    )
    p.add_argument(
        "--fix",
        action="append",
        default=[],
        type=_fix,
        metavar="SHEET!ROW:COLUMN=VALUE",
        help="read VALUE instead of that cell (a CSV's sheet is its file name); the file is "
        "unchanged and the correction is recorded with the upload (repeatable; one file only)",
    )


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
    unique = {f.resolve(): f for f in files}  # a file also given by its folder: read once
    return sorted(unique.values(), key=_rank), missing


def _rank(path: Path) -> int:
    """Parents first, by what the file's name says it holds: project lists (``projects.csv``),
    then status reports and files whose name says nothing, then the registers (risks,
    milestones, decisions, RAID) that refer to projects. The sort keeps the given order within
    a rank; a file refused for projects a later file creates is read again (``run_ingest``)."""
    words = re.split(r"[^a-z0-9]+", path.stem.lower())
    kind = next((k for k, hints in SHEET_HINTS.items()
                 if any(w.startswith(hints) for w in words)), None)  # fmt: skip
    return {"projects": 0, "status": 1, None: 1}.get(kind, 2)


def run_ingest(args: argparse.Namespace) -> int:
    import store
    from data_loaders import worker
    from data_loaders.ingest import (
        Options,
        commit,
        dry_run,
        export_frames,
        known_projects,
        preview,
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
    if args.fix and len(files) > 1:  # a cell is named by sheet and row: one file at a time
        print("error: --fix corrects cells of one file; give one file", file=sys.stderr)
        return 2
    # The parse worker imports the readers while this process opens the database.
    worker.start()
    engine = store.get_engine(args.db)
    who = identity(args)
    # refuse before parsing a folder when this identity may not load at all; a dry run asks
    # the same question (and records nothing), so it never promises a load that would fail
    store.check_access(engine, who, "upload", dry_run=args.dry_run)
    uploaded_by = args.uploaded_by or (who.display if who else "cli")
    known = known_projects(engine)
    config = get_config()
    options = Options(
        project_id=args.project,
        report_date=args.report_date,
        mappings=remembered_mappings(engine),
        strict=args.strict,
        units=dict(args.unit),
        currency=args.currency,
        new_projects="create" if args.create_projects else "refuse",
        create_listed=True,
        project_map=dict(args.map_project),
        accept_suggestions=args.accept_suggestions,
        replace_report_date=args.replace_report_date,
        kind=args.kind,
        columns=dict(args.map),
        corrections=dict(args.fix),
    )

    def load(path: Path):
        data = path.read_bytes()
        limits = for_command_line(config, len(data))
        parsed = parse_isolated(str(path), data, known, limits, options)
        preview(engine, parsed)
        if args.dry_run:  # the same checks as the write, per file (a pm's own projects)
            report = dry_run(engine, parsed, source="cli", identity=who)
        else:
            report = commit(engine, parsed, uploaded_by, source="cli", identity=who)
        # the projects this file creates (or, in a dry run, would create) are known to the next
        if report.status in ("loaded", "valid") and "projects" in parsed.frames:
            projects = parsed.frames["projects"]
            known.update(zip(projects["project_id"], projects["name"], strict=True))
        return parsed, report

    reports, totals, waiting = [], {}, []

    def finish(parsed, report) -> None:
        if args.export_dir and parsed.ok and report.status in ("loaded", "valid"):
            export_frames(parsed.frames, args.export_dir)
        for table, count in report.totals.items():
            totals[table] = totals.get(table, 0) + count
        reports.append(report)
        if not args.json:
            _print_report(report, ERROR)
            _print_units_and_projects(parsed, args)

    for n, path in enumerate(files, 1):
        _progress(n, len(files), path.name)
        parsed, report = load(path)
        if report.status == "rejected" and parsed.new_projects:
            waiting.append((path, parsed, report))  # a later file may create its projects
        else:
            finish(parsed, report)
    for path, parsed, report in waiting:
        if known.keys() & parsed.new_projects.keys():
            parsed, report = load(path)
        finish(parsed, report)
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


# What a sheet may lack -> the option that supplies it (only the command line names options).
NEED_OPTIONS = {"project": "--project ID", "report_date": "--report-date YYYY-MM-DD"}


def _print_report(report, error: str) -> None:
    from data_loaders.report import NEEDS, OUTCOME_LABELS, load_summary, warning_summary

    counts = ", ".join(f"{t} {c}" for t, c in report.totals.items()) or "nothing"
    print(f"{report.file}: {report.status} ({counts})")
    if report.status in ("loaded", "valid"):
        print("  " + "; ".join([load_summary(report), *warning_summary(report)]))
    for s in report.sheets:
        where = f"header row {s.header_row}" if s.header_row else "no header row"
        print(f"  sheet {s.sheet!r}: {s.kind}, {where}, {s.rows_loaded} rows"
              f"{f', {s.rows_skipped} skipped' if s.rows_skipped else ''}"
              f"{f' - {s.reason}' if _says_more(s) else ''}")  # fmt: skip
        for said in s.inferences:  # how the sheet was read: header, language, dates, numbers
            print(f"    read: {said}")
        if s.kind == "unsupported" and s.suggestion:
            print(f"    load it as its values suggest: pass --accept-suggestions, or "
                  f"{s.suggestion['flags']} (change any --map)")  # fmt: skip
        if s.kind == "unsupported" and s.mapping and not any(s.mapping.values()):
            print("    say what it holds and map its columns: pass --kind KIND and "
                  "--map 'Header=field' (repeatable)")  # fmt: skip
    for c in report.corrections:
        print(f"  corrected: [{c['sheet']}] row {c['row']} column {c['column']!r}: "
              f"{c['original']!r} -> {c['value']!r}")  # fmt: skip
    if report.needs:
        wanted = ", ".join(f"{NEEDS[n]} ({NEED_OPTIONS[n]})" for n in report.needs)
        print(f"  needs {wanted}: pass {' '.join(NEED_OPTIONS[n] for n in report.needs)}")
    problems = report.all_problems
    shown = [p for p in problems if p.severity == error][:20] + [
        p for p in problems if p.severity != error
    ][:5]
    for p in shown:
        loc = " ".join(x for x in (p.sheet and f"[{p.sheet}]", p.row and f"row {p.row}",
                                   p.column and f"column {p.column!r}") if x)  # fmt: skip
        value = f" value {p.value!r}" if p.value else ""
        outcome = OUTCOME_LABELS.get(p.outcome, p.outcome)
        print(f"  {p.severity} ({outcome}): {loc}{value}: {p.message}")
    if len(problems) > len(shown):
        print(f"  ... {len(problems) - len(shown)} more (use --json for all)")


def _says_more(sheet) -> bool:
    """Whether the sheet's reason says more than "recognised as ... from its column names"."""
    return bool(sheet.reason) and not sheet.reason.startswith("recognised as")


def _print_units_and_projects(parsed, args: argparse.Namespace) -> None:
    """The questions the page asks as choices, in command-line words."""
    for s in parsed.sheets:
        for col in s.money.questions:
            print(
                f"  unit: column {col.label!r} states no unit and its values look like "
                f"millions or thousands (median {col.median:,.4g}); loaded as written. Pass "
                f"--unit '{col.label}=m' (millions), =k (thousands) or =1 (as written)"
            )
    if len(parsed.overwrites):
        print(f"  replaces {len(parsed.overwrites)} stored status snapshot(s); the old "
              "versions stay in history")  # fmt: skip
    for k in parsed.kept_values.itertuples():
        print(f"  kept: {k.project_id} {k.field} stays {k.stored!s} (file: {k.file}): {k.reason}")
    for sg in parsed.suggestions:
        if not args.accept_suggestions and sg.written not in dict(args.map_project):
            print(
                f"  project: {sg.text} (--map-project '{sg.written}={sg.project_id}' or "
                "--accept-suggestions)"
            )


# name -> (help, add_arguments, run). Other loaders (the SQL sync) register here.
SUBCOMMANDS: dict[
    str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]
] = {
    "ingest": ("load Excel / CSV files into the app database", add_ingest_arguments, run_ingest),
    "sync": ("sync from an SQL database (sources/*.toml)", sync_cli.add_arguments, sync_cli.run),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m data_loaders")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (help_text, add_arguments, run) in SUBCOMMANDS.items():
        p = sub.add_parser(name, help=help_text)
        add_arguments(p)
        p.set_defaults(_run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    import store

    return store.exit_on_error(lambda: args._run(args))
