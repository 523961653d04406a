"""Excel / CSV ingest: ``parse_file`` (pure: bytes in, canonical frames + report out) and
``commit`` (one transaction through ``store.write_batch``; nothing written when any error).

The upload page and ``python -m data_loaders ingest`` both call these two functions.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import Engine, select

import models
import store
from config import Config, get_config
from data_loaders.guard import Refused, check
from data_loaders.read import RawSheet, read_csv, read_workbook
from data_loaders.report import ERROR, FileReport, Problem, schema_problems
from data_loaders.sheet import Context, SheetResult, parse_sheet
from exports import neutralise


@dataclass
class Options:
    """What the user adds: the project and report date a sheet lacks, edited column mappings."""

    project_id: str | None = None
    report_date: date | None = None
    # layout key -> {column label: canonical field, or "" to ignore}; PM edits and remembered ones
    mappings: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class ParsedFile:
    name: str
    data: bytes
    report: FileReport
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    sheets: list[SheetResult] = field(default_factory=list)

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
    config = config or get_config()
    options = options or Options()
    known = known_projects or {}
    report = FileReport(file=name, status="valid")
    parsed = ParsedFile(name=name, data=data, report=report)
    try:
        fmt = check(name, data, config)
        if fmt == "csv":
            sheets: list[RawSheet] = read_csv(name, data, config)
        else:
            sheets = read_workbook(data, config)
    except Refused as exc:
        report.status = "rejected"
        report.problems.append(Problem(None, None, None, None, str(exc)))
        return parsed
    ctx = Context(project_id=options.project_id, report_date=options.report_date)
    for i, raw in enumerate(sheets):
        if progress:
            progress(i / max(len(sheets), 1), f"reading sheet {raw.name}")
        result = parse_sheet(raw, config, ctx, known, options.mappings)
        result.report.problems[:0] = raw.problems
        parsed.sheets.append(result)
        report.sheets.append(result.report)
    _combine(parsed, known)
    if progress:
        progress(1.0, "checked")
    if report.has_errors:
        report.status = "rejected"
    elif not parsed.frames:
        report.status = "unsupported"
        reasons = "; ".join(f"{s.sheet}: {s.reason}" for s in report.sheets if s.reason)
        report.problems.append(
            Problem(None, None, None, None, f"nothing to load ({reasons or 'no sheets'})")
        )
    report.totals = {t: len(f) for t, f in parsed.frames.items()}
    return parsed


def _combine(parsed: ParsedFile, known: dict[str, str]) -> None:
    """Stack each table over the sheets, then check project references across the file."""
    by_table: dict[str, list[pd.DataFrame]] = {}
    for s in parsed.sheets:
        for table, frame in s.frames.items():
            by_table.setdefault(table, []).append(frame)
    for table, frames in by_table.items():
        frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        parsed.frames[table] = frame
    file_projects = (
        set(parsed.frames["projects"]["project_id"]) if "projects" in parsed.frames else set()
    )
    if "projects" in parsed.frames and len(by_table["projects"]) > 1:
        dup = parsed.frames["projects"].drop_duplicates("project_id", keep="last")
        parsed.frames["projects"] = dup.reset_index(drop=True)
    for s in parsed.sheets:
        missing: dict[str, int | None] = {}
        for pid, row in s.refs:
            if pid not in known and pid not in file_projects:
                missing.setdefault(pid, row)
        for pid, row in list(missing.items())[:50]:
            s.report.problems.append(
                Problem(
                    s.report.sheet,
                    row,
                    "project",
                    pid,
                    f"unknown project '{pid}': not in the database or in this file",
                )  # fmt: skip
            )
    if "status_reports" in parsed.frames and len(by_table["status_reports"]) > 1:
        parsed.report.problems.extend(
            p
            for p in schema_problems("status_reports", parsed.frames["status_reports"], "(file)")
            if "duplicate" in p.message  # fmt: skip
        )


def known_projects(engine: Engine) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.projects.c.project_id, models.projects.c.name))
        return {r.project_id: r.name for r in rows}


def remembered_mappings(engine: Engine) -> dict[str, dict[str, str]]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.column_mappings))
        return {r.layout_key: json.loads(r.mapping) for r in rows}


def remember_mappings(engine: Engine, parsed: ParsedFile) -> None:
    """Keep the column mapping of every loaded sheet layout for the next upload of it."""
    table = models.column_mappings
    with engine.begin() as conn:
        for s in parsed.sheets:
            if not s.layout_key or not s.frames:
                continue
            values = {"mapping": json.dumps(s.report.mapping), "updated_at": datetime.now(UTC)}
            done = conn.execute(
                table.update().where(table.c.layout_key == s.layout_key).values(**values)
            ).rowcount
            if not done:
                conn.execute(table.insert().values(layout_key=s.layout_key, **values))


def commit(
    engine: Engine, parsed: ParsedFile, uploaded_by: str, source: str = "upload"
) -> FileReport:
    """Write the parsed file in one transaction; refuses (writes nothing) when errors remain."""
    report = parsed.report
    if report.has_errors or not parsed.frames:
        if report.status == "valid":
            report.status = "rejected" if report.has_errors else "unsupported"
        return report
    frames = {
        t: f.drop(columns=[c for c in f.columns if c.startswith("_")])
        for t, f in parsed.frames.items()
    }
    report.status = "loaded"
    meta = store.UploadMeta(
        file_name=Path(parsed.name).name[:500],
        sha256=parsed.sha256,
        size_bytes=len(parsed.data),
        uploaded_by=uploaded_by,
        source=source,
        content=parsed.data,
        report=report.to_dict(),
    )
    try:
        result = store.write_batch(engine, frames, meta)
    except store.UnknownProjectError as exc:
        report.status = "rejected"
        report.problems.append(Problem(None, None, "project", None, str(exc), ERROR))
        return report
    report.status = result.status
    report.upload_id = result.upload_id
    if result.status == "loaded":
        report.totals = dict(result.rows)
        remember_mappings(engine, parsed)
    return report


def export_frames(frames: dict[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """The canonical tables as CSV named after the tables; formula-like text is neutralised."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in frames.items():
        cols = [c for c in models.FIELDS[table] if c in frame.columns]
        df = neutralise.frame(frame[cols])
        for c in models.DATE_FIELDS[table]:
            if c in df:
                df[c] = pd.to_datetime(df[c]).dt.strftime("%Y-%m-%d")
        path = out / f"{table}.csv"
        header = not path.exists()
        df.to_csv(path, mode="a", header=header, index=False)
        paths.append(path)
    return paths
