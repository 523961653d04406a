"""Excel / CSV ingest: ``parse_file`` (pure: bytes in, canonical frames + report out) and
``commit`` (one transaction through ``store.write_batch``; nothing written when any error).

The upload page and ``python -m data_loaders ingest`` both call these two functions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, func, select

import models
import store
from access.roles import ACTION_OF_SOURCE, Identity
from analytics import overwrite
from config import Config, get_config
from data_loaders import corrections, mspdi, tool_exports, units
from data_loaders.guard import ZIP_ERRORS, Refused, check, damaged_zip
from data_loaders.projects_match import Known, Suggestion
from data_loaders.read import RawSheet, read_csv, read_workbook
from data_loaders.report import ERROR, REFUSED, SKIPPED, WARNING, FileReport, Problem, plural
from data_loaders.sheet import KIND_ENTRY, Context, SheetResult, duplicates, parse_sheet
from vocabulary import neutralise
from vocabulary.fields import TYPES


@dataclass
class Options:
    """What the user adds: the project and report date a sheet lacks, edited column mappings."""

    project_id: str | None = None
    report_date: date | None = None
    # layout key -> {column label: canonical field, or "" to ignore}; PM edits and remembered ones
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)
    strict: bool = False  # all-or-nothing for this run (``--strict``); or ``[ingest] strict``
    # money column (label or field) -> "m", "k" or "1": the unit a sheet does not state
    units: dict[str, str] = field(default_factory=dict)
    currency: str | None = None  # currency of money the file does not state (else [money])
    # projects the database does not hold: "refuse" (the file is refused and names them),
    # "create" them, or "skip" their rows and load the rest
    new_projects: str = "refuse"
    # the projects a project list (a sheet of kind "projects") introduces are created without
    # asking: the list is the register itself (the command line); a near-match still asks
    create_listed: bool = False
    # id or name as written in the file -> existing project id (an accepted suggestion)
    project_map: dict[str, str] = field(default_factory=dict)
    accept_suggestions: bool = False  # take every near-match suggestion
    # report_date replaces the one date a sheet states, not only fills a missing one
    replace_report_date: bool = False
    # a table whose column names we do not know: what it holds (``--kind``), and column
    # header -> field for any sheet (``--map``); both are remembered with the layout on commit
    kind: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    # (sheet, row, column header) -> text read instead of that cell: a fix made in the preview
    corrections: dict[tuple[str, int, str], str] = field(default_factory=dict)


@dataclass
class ParsedFile:
    name: str
    data: bytes
    report: FileReport
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    sheets: list[SheetResult] = field(default_factory=list)
    new_projects: dict[str, str] = field(default_factory=dict)  # id -> name, not yet stored
    # stored status snapshots this file replaces, before/after (see preview_overwrites)
    overwrites: pd.DataFrame = field(default_factory=pd.DataFrame)
    # stored project values the commit keeps instead of the file's (store.project_update)
    kept_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def ok(self) -> bool:
        return not self.report.has_errors and bool(self.frames)


def parse_file(
    name: str,
    data: bytes,
    known_projects: dict[str, str] | None = None,
    config: Config | None = None,
    options: Options | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ParsedFile:
    """Read, recognise, map, normalise and validate one file; writes nothing."""
    # It builds a container per row and cell (about a million for 50,000 rows), no cycles.
    with store.collector_paused():
        return _parse_file(name, data, known_projects, config, options, progress)


def _parse_file(name, data, known_projects, config, options, progress) -> ParsedFile:
    config = config or get_config()
    options = options or Options()
    known = known_projects or {}
    report = FileReport(file=name, status="valid")
    parsed = ParsedFile(name=name, data=data, report=report)
    try:
        fmt, no_errors = check(name, data, config)
        if fmt == "xml":  # MS Project XML, read by its own safe reader
            sheets: list[RawSheet] = mspdi.read(
                name, data, config, options.project_id, options.report_date
            )
        elif fmt == "csv":
            sheets = read_csv(name, data, config)
        else:
            sheets = read_workbook(data, config, no_errors)
        # exports of Jira, Smartsheet, ServiceNow: recognised and turned into canonical sheets
        sheets = tool_exports.adapt(sheets, data, fmt, config, options)
    except (Refused, *ZIP_ERRORS) as exc:
        # a zip part that does not inflate shows only when it is read, after the first checks
        refused = exc if isinstance(exc, Refused) else damaged_zip(exc)
        report.status = "rejected"
        report.problems.append(Problem(None, None, None, None, str(refused)))
        return parsed
    ctx = Context(
        project_id=options.project_id,
        report_date=options.report_date,
        units=options.units,
        kind=options.kind,
        columns=options.columns,
        accept_suggestions=options.accept_suggestions,
        replace_report_date=options.replace_report_date,
    )
    for i, raw in enumerate(sheets):
        if progress:
            progress(i / max(len(sheets), 1), f"reading sheet {raw.name}")
        result = parse_sheet(raw, config, ctx, known, options.mappings)
        fixes = {c: v for c, v in options.corrections.items() if c[0] == raw.name}
        if fixes:  # the first parse finds the cells; the second reads the corrected ones
            done, bad = corrections.apply(raw, result.headers, result.report.header_row, fixes)
            report.problems += bad
            if done:
                result = parse_sheet(raw, config, ctx, known, options.mappings)
                corrections.still_bad(result.report.problems, done)
                report.corrections += done
        result.report.problems[:0] = raw.problems
        parsed.sheets.append(result)
        report.sheets.append(result.report)
    _borrow_report_date(parsed, sheets, config, ctx, known, options)
    names = {raw.name for raw in sheets}
    for sheet, row, column in options.corrections:
        if sheet not in names:
            message = f"the correction of sheet {sheet} row {row} cannot be applied: no such sheet"
            report.problems.append(Problem(sheet, row, column, None, message))
    resolve_projects(parsed, known, options, config)
    _combine(parsed, known)
    if progress:
        progress(1.0, "checked")
    bad_rows = [p for p in report.all_problems if p.outcome == SKIPPED and p.severity == ERROR]
    if bad_rows and (options.strict or config.ingest.strict):
        for p in bad_rows:
            p.outcome = REFUSED
        n = len({(p.sheet, p.row) for p in bad_rows})
        report.problems.append(
            Problem(
                None,
                None,
                None,
                None,
                f"{n} row(s) have errors and loading is "
                "all-or-nothing (strict), so nothing is loaded",
            )  # fmt: skip
        )
    if report.has_errors:
        report.status = "rejected"
    elif not parsed.frames:
        report.status = "rejected" if report.rows_skipped else "unsupported"
        reasons = "; ".join(f"{s.sheet}: {s.reason}" for s in report.sheets if s.reason)
        waiting = sum(s.rows_waiting for s in report.sheets)
        why = (
            f" yet: {plural(waiting, 'row')} {'waits' if waiting == 1 else 'wait'} for their "
            "new projects to be created (tick "
            "'Create new projects', or pass --create-projects)"
            + (f"; {plural(report.rows_skipped, 'other row')} skipped" if report.rows_skipped
               else "")
            if waiting
            else f": every row was skipped ({plural(report.rows_skipped, 'row')})"
            if report.rows_skipped
            else f" ({reasons or 'no sheets'})"
        )  # fmt: skip
        report.problems.append(Problem(None, None, None, None, f"nothing to load{why}"))
    if report.status == "rejected":
        for s in report.sheets:
            s.rows_loaded = 0  # nothing loads from a refused file
    report.totals = {t: len(f) for t, f in parsed.frames.items()}
    return parsed


def _borrow_report_date(parsed, sheets, config, ctx, known, options) -> None:
    """A sheet that lacks only its report date (a risk register or milestone plan beside the
    status sheet of an export) takes the file's, when the file's other sheets state exactly
    one; the sheet says so. With none or several, it still asks."""
    stated = {
        d.date()
        for s in parsed.sheets
        for frame in s.frames.values()
        if "report_date" in frame
        for d in frame["report_date"].dropna().unique()
    }
    if len(stated) != 1 or ctx.report_date is not None:
        return
    day = next(iter(stated))
    for i, (raw, result) in enumerate(zip(sheets, parsed.sheets, strict=True)):
        if result.report.needs != ["report_date"] or any(
            c[0] == raw.name for c in options.corrections
        ):  # a corrected sheet keeps its parse (and its question)
            continue
        borrowed = replace(ctx, report_date=day)
        again = parse_sheet(raw, config, borrowed, known, options.mappings)
        again.report.problems.insert(0, Problem(
            raw.name, None, None, str(day),
            f"no report date of its own: took {day}, the report date the file's other sheets "
            "state (pass --report-date or choose one on the page to change it)", WARNING,
        ))  # fmt: skip
        again.report.problems[:0] = raw.problems
        parsed.sheets[i] = again
        parsed.report.sheets[i] = again.report


def _combine(parsed: ParsedFile, known: dict[str, str]) -> None:
    """Check project references and duplicate keys across the file's sheets, skipping the rows
    that fail, then stack each table over the sheets."""
    file_projects = {
        p for s in parsed.sheets for p in s.frames.get("projects", {}).get("project_id", [])
    }
    lost = {p: (s.report.sheet, r) for s in parsed.sheets for p, r in s.lost_projects.items()}
    for s in parsed.sheets:
        drop = set()
        for pid, row in s.refs:
            if pid in known or pid in file_projects:
                continue
            message = f"unknown project '{pid}': not in the database or in this file"
            if pid in lost:
                sheet, own = lost[pid]
                message += f" (its own row was skipped: sheet {sheet} row {own})"
            s.report.problems.append(
                Problem(s.report.sheet, row, "project", pid, message, ERROR, SKIPPED)
            )
            drop.add(row)
        if drop:
            s.drop(drop)
    # The same key in two sheets: loaded once when identical, else neither (see ``duplicates``).
    tables = {t for s in parsed.sheets for t in s.frames} - {"projects"}
    for table in sorted(tables):
        having = [s for s in parsed.sheets if table in s.frames and len(s.frames[table])]
        if len(having) < 2:
            continue
        frame = pd.concat([s.frames[table] for s in having], ignore_index=True)
        where = [(s.report.sheet, r) for s in having for r in s.rows[table]]
        found = duplicates(table, frame, where)
        for s in having:
            mine = [p for _, p in found if p.sheet == s.report.sheet]
            s.report.problems.extend(mine)
            s.drop({p.row for p in mine})
    by_table: dict[str, list[pd.DataFrame]] = {}
    # portfolio lists first: their project details win over the bare project rows that status
    # sheets and registers imply (id, name), which only fill what the lists leave empty
    for s in sorted(parsed.sheets, key=lambda s: s.report.kind != "projects"):
        for table, frame in s.frames.items():
            if len(frame):
                by_table.setdefault(table, []).append(frame)
    for table, frames in by_table.items():
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        if table == "projects" and len(frames) > 1:
            frame = frame.groupby("project_id", sort=False, as_index=False).first()
        parsed.frames[table] = frame


def resolve_projects(
    parsed: ParsedFile, known: dict[str, str], options: Options, config: Config
) -> None:
    """Settle every project the file names: map accepted near-matches to existing projects,
    then create, skip or refuse the new ones as the PM chose; fill in each project's currency."""
    written: dict[str, str | None] = {}  # id as written -> name, for ids the database lacks
    # a project whose own row was skipped is not new: its other rows are skipped in _combine
    lost = {p for s in parsed.sheets for p in s.lost_projects}
    for s in parsed.sheets:
        proj = s.frames.get("projects")
        if proj is not None:
            for pid, name in zip(proj["project_id"], proj["name"], strict=True):
                if pid not in known:
                    written.setdefault(pid, name if name != pid else None)
        for pid, _ in s.refs:
            if pid not in known and pid not in lost:
                written.setdefault(pid, None)
    index = Known(known)
    parsed.suggestions = [
        sg for pid, name in written.items() if (sg := index.suggest(pid, name)) is not None
    ]
    chosen = dict(options.project_map)
    if options.accept_suggestions:
        for sg in parsed.suggestions:
            chosen.setdefault(sg.written, sg.project_id)
    mapped: dict[str, str] = {}
    for pid, name in written.items():
        target = chosen.get(pid) or (chosen.get(name) if name else None)
        if target is None:
            continue
        if target not in known:
            parsed.report.problems.append(
                Problem(
                    None,
                    None,
                    "project",
                    pid,
                    f"'{pid}' cannot be mapped to '{target}': no such project in the database",
                )  # fmt: skip
            )
            continue
        mapped[pid] = target
    for s in parsed.sheets:
        _map_projects(s, mapped, known)
    new = {pid: name or pid for pid, name in written.items() if pid not in mapped}
    parsed.new_projects = new
    if options.create_listed and options.new_projects == "refuse":
        asked = {sg.written for sg in parsed.suggestions}
        listed = {
            pid for s in parsed.sheets if s.report.kind == "projects"
            for pid in s.frames.get("projects", {}).get("project_id", [])
        }  # fmt: skip
        new = {pid: name for pid, name in new.items() if pid not in listed or pid in asked}
    for s in parsed.sheets:
        if new and options.new_projects == "create":
            _add_minimal_projects(s, new)
        elif new and options.new_projects == "skip":
            _skip_new_projects(s, new)
        if "projects" in s.frames:  # the sheet's currency, else the PM's, else the portfolio's
            default = s.money.currency or options.currency or config.money.currency
            s.frames["projects"] = units.with_currency(s.frames["projects"], default)
    if new and options.new_projects not in ("create", "skip"):
        ids = ", ".join(list(new)[:20]) + (f" and {len(new) - 20} more" if len(new) > 20 else "")
        message = (
            f"{len(new)} new project(s) not in the database would be created: {ids}. Nothing "
            "is created without confirmation: pass --create-projects, or --map-project "
            "'NAME=ID' for one that exists"
        )
        parsed.report.problems.append(Problem(None, None, "project", ids, message))


def _map_projects(s: SheetResult, mapped: dict[str, str], known: dict[str, str]) -> None:
    """Rows of an accepted suggestion belong to the existing project; a status or risk sheet
    does not rewrite that project's details (a portfolio list does, under its stored name)."""
    if not mapped:
        return
    for table, frame in list(s.frames.items()):
        if "project_id" not in frame:
            continue
        hit = frame["project_id"].isin(list(mapped))
        if not hit.any():
            continue
        frame = frame.copy()
        if table == "projects" and s.report.kind != "projects":
            keep = ~hit
            rows = s.rows.get(table)
            if rows is not None:
                s.rows[table] = [r for r, k in zip(rows, keep, strict=True) if k]
            frame = frame[keep].reset_index(drop=True)
        else:
            frame["project_id"] = frame["project_id"].replace(mapped)
            if table == "projects":
                frame.loc[hit.to_numpy(), "name"] = frame.loc[hit.to_numpy(), "project_id"].map(
                    known
                )
        s.frames[table] = frame
    s.refs = [(mapped.get(p, p), r) for p, r in s.refs]


def _add_minimal_projects(s: SheetResult, new: dict[str, str]) -> None:
    """A register, RAID log or schedule can start a project: id, a name, the currency."""
    have = set(s.frames["projects"]["project_id"]) if "projects" in s.frames else set()
    missing = [p for p in dict.fromkeys(p for p, _ in s.refs) if p in new and p not in have]
    if not missing:
        return
    title = s.context.project_name
    rows = pd.DataFrame(
        {
            "project_id": missing,
            "name": [title if title and p == s.context.project_id else new[p] for p in missing],
        }
    )
    frame = s.frames.get("projects")
    s.frames["projects"] = rows if frame is None else pd.concat([frame, rows], ignore_index=True)
    s.rows["projects"] = [*s.rows.get("projects", []), *([None] * len(missing))]


def _skip_new_projects(s: SheetResult, new: dict[str, str]) -> None:
    """Unticked "Create N new projects": those projects' rows stay out; the rest loads."""
    dropped = 0
    skipped_ids: set[str] = set()
    for table, frame in list(s.frames.items()):
        hit = frame["project_id"].isin(list(new))
        if not hit.any():
            continue
        skipped_ids |= set(frame.loc[hit, "project_id"])
        if table != "projects":
            dropped = max(dropped, int(hit.sum()))
        rows = s.rows.get(table)
        if rows is not None:
            s.rows[table] = [r for r, h in zip(rows, hit, strict=True) if not h]
        kept = frame[~hit].reset_index(drop=True)
        if len(kept):
            s.frames[table] = kept
        else:
            del s.frames[table]
    s.refs = [(p, r) for p, r in s.refs if p not in new]
    if not skipped_ids:
        return
    main = next((t for t in s.frames if t != "projects"), "projects")
    s.report.rows_loaded = len(s.frames.get(main, []))
    s.report.rows_waiting = dropped or len(skipped_ids)
    if not s.frames:
        s.report.reason = "every row belongs to a new project, and new projects are not created"
    ids = ", ".join(sorted(skipped_ids)[:10])
    s.report.problems.append(
        Problem(
            s.report.sheet,
            None,
            "project",
            ids,
            f"{dropped or len(skipped_ids)} row(s) of "
            f"{len(skipped_ids)} new project(s) not loaded: the projects are not created "
            "unless you tick 'Create new projects'",
            WARNING,
        )  # fmt: skip
    )


def preview(engine: Engine, parsed: ParsedFile, config: Config | None = None) -> None:
    """What a commit would do to the stored data, shown before it happens: the snapshots it
    replaces (``preview_overwrites``) and report dates far from the latest stored review."""
    config = config or get_config()
    preview_overwrites(engine, parsed, config)
    _far_report_dates(engine, parsed, config)


FAR_DATE = "report date"  # the words that end a far-date warning, for the page's question


def far_report_date(parsed: ParsedFile) -> bool:
    """Whether the preview warned that a report date is far from the latest review."""
    return any(
        p.column == "report_date" and f"check the {FAR_DATE}" in p.message
        for p in parsed.report.problems
    )


def _far_report_dates(engine: Engine, parsed: ParsedFile, config: Config) -> None:
    """A report date far from the latest stored review (an old file, a cached =TODAY()) would
    become the newest review date or stretch every trend: a warning with the count of rows."""
    weeks = config.ingest.far_report_date_weeks
    dated = [f["report_date"] for f in parsed.frames.values() if "report_date" in f and len(f)]
    if not dated or weeks <= 0:
        return
    with engine.connect() as conn:
        latest = conn.execute(select(func.max(models.status_reports.c.report_date))).scalar()
    if latest is None:  # nothing stored yet: any date may start the portfolio
        return
    latest = pd.Timestamp(latest)
    for day, n in sorted(pd.to_datetime(pd.concat(dated)).value_counts().items()):
        gap = (day - latest).days
        if abs(gap) <= weeks * 7:
            continue
        message = (
            f"{n} row(s) dated {day.date()}, {abs(gap) // 7} weeks "
            f"{'after' if gap > 0 else 'before'} the latest review ({latest.date()}): check the "
            f"{FAR_DATE} before loading"
        )
        parsed.report.problems.append(
            Problem(None, None, "report_date", day.date().isoformat(), message, WARNING)
        )


def preview_overwrites(engine: Engine, parsed: ParsedFile, config: Config | None = None) -> None:
    """Before a commit: the stored snapshots the file replaces (before/after of the key
    figures) in ``parsed.overwrites``, and a warning per jump in EV, AC or forecast end; the
    stored project values it keeps instead of its own in ``parsed.kept_values``."""
    config = config or get_config()
    kept = store.kept_project_values(engine, parsed.frames)
    parsed.kept_values = pd.DataFrame(
        [vars(k) for k in kept], columns=["project_id", "field", "stored", "file", "reason"]
    )
    new = parsed.frames.get("status_reports")
    if new is None or new.empty:
        return
    table, proj = models.status_reports, models.projects
    cols = [table.c[c] for c in (*overwrite.KEY, *overwrite.FIGURES)]
    ids = sorted(set(new["project_id"]))
    stored, currencies = [], {}
    with engine.connect() as conn:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            stored += conn.execute(select(*cols).where(table.c.project_id.in_(chunk))).all()
            rows = conn.execute(select(proj.c.project_id, proj.c.currency).where(
                proj.c.project_id.in_(chunk))).all()  # fmt: skip
            currencies |= {r.project_id: r.currency or config.money.currency for r in rows}
    old = pd.DataFrame(stored, columns=[c.name for c in cols])
    for c in ("report_date", "forecast_end_date"):
        old[c] = pd.to_datetime(old[c])
    parsed.overwrites = overwrite.compare(old, new, config, currencies)
    for r in parsed.overwrites.itertuples():
        if r.jumps:
            message = (
                f"replaces the stored report of {r.project_id} for "
                f"{pd.Timestamp(r.report_date).date()} with a jump: {r.jumps}; check the sheet"
            )
            parsed.report.problems.append(Problem(None, None, "project", r.project_id, message,
                                                  WARNING))  # fmt: skip


def known_projects(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.projects.c.project_id, models.projects.c.name))
        return {r.project_id: r.name for r in rows}


def remembered_mappings(engine: Engine) -> dict[str, dict[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.column_mappings))
        return {r.layout_key: json.loads(r.mapping) for r in rows}


def remember_mappings(engine: Engine, parsed: ParsedFile) -> None:
    """Keep the column mapping of every loaded sheet layout for the next upload of it.

    Through the store's one write path (``store.writing``): a writer's transaction, so on
    SQLite it queues for the write lock like an upload instead of failing beside one."""
    table = models.column_mappings
    with store.writing(engine) as conn:
        for s in parsed.sheets:
            if not s.layout_key or not s.frames:
                continue
            mapping = dict(s.report.mapping)
            if s.kind_chosen:  # a table we could not recognise: keep what the PM said it holds
                mapping[KIND_ENTRY] = s.kind_chosen
            values = {"mapping": json.dumps(mapping), "updated_at": datetime.now(UTC)}
            done = conn.execute(
                table.update().where(table.c.layout_key == s.layout_key).values(**values)
            ).rowcount
            if not done:
                conn.execute(table.insert().values(layout_key=s.layout_key, **values))


def commit(
    engine: Engine,
    parsed: ParsedFile,
    uploaded_by: str,
    source: str = "upload",
    identity: Identity | None = None,
) -> FileReport:
    """Write the parsed file in one transaction; refuses (writes nothing) when errors remain
    or when ``identity`` may not write its projects (store.check_access)."""
    report = parsed.report
    if report.has_errors or not parsed.frames:
        if report.status == "valid":
            report.status = "rejected" if report.has_errors else "unsupported"
        return report
    frames = _frames_to_write(parsed)
    report.status = "loaded"
    for c in report.corrections:
        c["by"] = uploaded_by  # who corrected the cells: the one who loads the file
    meta = store.UploadMeta(
        file_name=Path(parsed.name).name[:500],
        sha256=parsed.sha256,
        size_bytes=len(parsed.data),
        uploaded_by=uploaded_by,
        source=source,
        content=parsed.data,
        report=report.to_dict(),
        identity=identity,
    )
    try:
        result = store.write_batch(engine, frames, meta)
    except store.StoreError as exc:  # roles, unknown project, unstorable text, read-only, down
        report.status = "rejected"
        column = "project" if isinstance(exc, store.UnknownProjectError) else None
        report.problems.append(Problem(None, None, column, None, str(exc), ERROR))
        return report
    report.status = result.status
    report.upload_id = result.upload_id
    if result.status == "loaded":
        report.totals = dict(result.rows)
        remember_mappings(engine, parsed)
    return report


def dry_run(
    engine: Engine, parsed: ParsedFile, source: str = "upload", identity: Identity | None = None
) -> FileReport:
    """What ``commit`` would decide, writing nothing (``--dry-run``): the same access check on
    the same projects, so a pm's dry run for a project they do not own says it would be
    refused rather than "1 row will load"."""
    report = parsed.report
    if report.has_errors or not parsed.frames:
        return report
    action = ACTION_OF_SOURCE[source]
    projects = store.batch_projects(_frames_to_write(parsed))
    try:
        store.check_access(engine, identity, action, projects, dry_run=True)
    except store.WriteRefused as exc:
        report.status = "rejected"
        report.problems.append(Problem(None, None, "project", None, str(exc), ERROR))
    return report


def _frames_to_write(parsed: ParsedFile) -> dict[str, pd.DataFrame]:
    # the parser's own columns (a leading underscore) are never stored
    return {
        t: f.drop(columns=[c for c in f.columns if c.startswith("_")])
        for t, f in parsed.frames.items()
    }


def export_frames(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """The canonical tables as CSV named after the tables; formula-like text is neutralised.

    A table already written (by an earlier file of the run) is appended to; when the columns
    differ, the file is rewritten with both files' columns, so every row keeps its own values.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in frames.items():
        cols = [c for c in models.FIELDS[table] if c in frame.columns]
        df = neutralise.frame(frame[cols])
        for c in models.DATE_FIELDS[table]:
            if c in df:
                df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
        for c in df.columns:
            if TYPES.get(c) == "scale":  # 4 as 4, 2.5 as 2.5 (floats since half points load)
                df[c] = [_scale_text(v) for v in df[c]]
        path = out / f"{table}.csv"
        if not path.exists():
            df.to_csv(path, index=False)
        elif list(pd.read_csv(path, nrows=0).columns) == cols:
            df.to_csv(path, mode="a", header=False, index=False)
        else:  # the rows already written are kept as the text they are
            old = pd.read_csv(path, dtype=str, keep_default_na=False)
            both = [c for c in models.FIELDS[table] if c in old.columns or c in df.columns]
            pd.concat([old, df], ignore_index=True)[both].to_csv(path, index=False)
        paths.append(path)
    return paths


def _scale_text(value) -> str | None:
    if value is None or pd.isna(value):
        return None
    return str(int(value)) if float(value).is_integer() else str(float(value))
