"""Sync a portfolio from an external SQL database into the app database.

``sync(source, engine)`` reads every table of a source definition in one read-only transaction,
maps columns to the canonical schema, reads the values with the one normalise-and-validate step
of every source (``data_loaders.normalise``: the same rules and report format as an uploaded
sheet, the source's value and scale maps first), and writes one snapshot with
``store.write_batch`` (source ``sql``). Any error means nothing is written. The same snapshot
twice is a duplicate and changes nothing. Rows an earlier sync of the same source wrote and the
source no longer returns are removed from the app (kept in history, see
``store.write_batch(remove_missing=True)``).

Before any table is read, the source's database user is checked (``source_role``): one that can
do more than read is refused unless the source allows it. Every statement runs under the source's
``statement_timeout_seconds``, enforced by the server, and rows are fetched in chunks of
``CHUNK_ROWS`` up to ``max_rows_per_table``. ``read_isolated`` does the reading in a child
process with memory and time limits (``data_loaders.sandbox``): "Sync now" and the command line
read there, so a huge or hostile source cannot take the web server down.
"""

from __future__ import annotations

import getpass
import hashlib
import io
import json
import os
import sqlite3
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Engine,
    column,
    create_engine,
    func,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

import models
import redact
import store
from access.roles import Identity
from config import Config, get_config
from data_loaders import limits, normalise, source_role, units
from data_loaders.report import ERROR, WARNING, FileReport, Problem, SheetReport, schema_problems
from data_loaders.sql_source import (
    SourceDef,
    SourceError,
    TableDef,
    display_url,
    load_source,
    query_dialect,
    query_problems,
    resolve_url,
)

Progress = Callable[[float, str], None]
CHUNK_ROWS = 10_000  # rows fetched at a time: the row cap is checked between chunks
# how the sync worker gets the resolved source URL (see read_isolated)
URL_VARIABLE = "PMO_SYNC_SOURCE_URL"
KIND = {"status_reports": "status", "raid_items": "raid"}  # canonical table -> report kind


@dataclass
class SyncResult:
    report: FileReport
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    changed: dict[str, int] = field(default_factory=dict)  # rows inserted or changed per table
    removed: dict[str, int] = field(default_factory=dict)  # rows gone from the source per table
    sha256: str | None = None


# --- connecting ------------------------------------------------------------------------------


def source_engine(url: str) -> Engine:
    """An engine for the source: no pool, short connect timeout, SQLite opened read-only.

    Raises SourceError when the URL's driver is not installed, naming the package to install.
    """
    try:
        parsed = make_url(store._normalise_url(url))
    except (ValueError, ArgumentError) as exc:  # e.g. a port that is not a number
        raise SourceError(f"the source url {display_url(url)} is not valid: {exc}") from None
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if not path or path == ":memory:" or not Path(path).is_file():
            raise SourceError(f"SQLite database file not found: {path or '(none)'}")
        # mode=ro: SQLite itself refuses every write on this connection, whatever runs on it.
        uri = Path(path).resolve().as_uri() + "?mode=ro"
        return create_engine(
            "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
        )
    backend = parsed.get_backend_name()
    args: dict = {"connect_timeout": 10} if backend in ("postgresql", "mysql", "mariadb") else {}
    if backend == "postgresql":  # the DBA sees who is reading in pg_stat_activity
        args["application_name"] = f"PMO Lens sync (pid {os.getpid()})"
    try:
        return create_engine(parsed, poolclass=NullPool, connect_args=args)
    except ImportError as exc:  # the dialect imports its driver here
        raise SourceError(_missing_driver(exc, parsed.drivername)) from exc
    except NoSuchModuleError as exc:
        raise SourceError(
            f"SQLAlchemy has no dialect {parsed.drivername!r}: check the url's scheme, or install "
            "the package that provides this dialect"
        ) from exc


# Python module a dialect imports -> the package that provides it, where the names differ.
DRIVER_PACKAGES = {
    "cx_Oracle": "cx_Oracle",
    "psycopg2": "psycopg2-binary",
    "MySQLdb": "mysqlclient",
    "mysql": "mysql-connector-python",
}


def _missing_driver(exc: ImportError, drivername: str) -> str:
    module = getattr(exc, "name", None)
    if not isinstance(exc, ModuleNotFoundError) or not module:
        # The package is there but cannot load, e.g. pyodbc without the system's libodbc.
        return f"the database driver for {drivername} cannot be loaded: {str(exc)[:200]}"
    package = DRIVER_PACKAGES.get(module, module)
    return f"this source needs the Python package {package} (pip install {package})"


class StatementTimeout(SourceError):
    """The server cancelled a statement at the source's statement_timeout_seconds."""


class TooManyRows(SourceError):
    """A table returned more rows than the source's max_rows_per_table."""


@contextmanager
def read_only(engine: Engine, timeout_seconds: int | None = None, max_rows: int | None = None):
    """A connection inside a read-only, consistent-snapshot transaction, always rolled back.

    The database itself refuses writes on it: PostgreSQL and Oracle by a read-only transaction;
    MySQL/MariaDB by a read-only session as well, because DDL there commits implicitly, which
    ends a read-only transaction and lets the DDL run (a read-only session refuses DDL too);
    SQLite by query_only on top of the read-only file (see ``source_engine``). Other backends
    rely on the query check and a read-only database user (see docs/security.md).

    ``timeout_seconds``: the server cancels any statement running longer, itself, so a query
    stops even when this process is killed (PostgreSQL statement_timeout, MariaDB
    max_statement_time, MySQL max_execution_time). ``max_rows``: MySQL and MariaDB send at most
    this many rows of a SELECT (sql_select_limit), so a refused table is not streamed to the end.
    """
    with engine.connect() as conn:
        dialect = conn.dialect.name
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            if timeout_seconds:
                conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_seconds) * 1000}")
        elif dialect in ("mysql", "mariadb"):
            conn.exec_driver_sql("SET SESSION TRANSACTION READ ONLY")
            if timeout_seconds and getattr(conn.dialect, "is_mariadb", False):
                conn.exec_driver_sql(f"SET SESSION max_statement_time = {int(timeout_seconds)}")
            elif timeout_seconds:
                ms = int(timeout_seconds) * 1000
                conn.exec_driver_sql(f"SET SESSION max_execution_time = {ms}")
            if max_rows:
                conn.exec_driver_sql(f"SET SESSION sql_select_limit = {int(max_rows) + 1}")
            conn.exec_driver_sql("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY")
        elif dialect == "oracle":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        elif dialect == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
        try:
            yield conn
        finally:
            conn.rollback()


# PostgreSQL query_canceled; MariaDB ER_STATEMENT_TIMEOUT; MySQL ER_QUERY_TIMEOUT
_TIMEOUT_SQLSTATE = "57014"
_TIMEOUT_ERRNOS = (1969, 3024)


def _timed_out(exc: Exception) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == _TIMEOUT_SQLSTATE:
        return True
    args = getattr(orig, "args", ())
    return bool(args) and args[0] in _TIMEOUT_ERRNOS


def _timeout_message(source: SourceDef) -> str:
    return (
        f"the source query ran longer than {source.statement_timeout_seconds} s "
        "(statement_timeout_seconds) and was cancelled on the server: nothing written. Make the "
        "query faster (an index, a view), or raise statement_timeout_seconds in "
        f"[source] of {source.path.name}"
    )


def _connect_message(exc: Exception, url: str) -> str:
    detail = _plain(exc, url)[:300]
    low = detail.lower()
    where = display_url(url)
    if any(w in low for w in ("password", "access denied", "authentication", "role ")):
        return f"the server at {where} refused the credentials: {detail}"
    if any(w in low for w in ("unknown database", "does not exist")):
        return f"the database in {where} does not exist: {detail}"
    return f"cannot reach the database server at {where}: {detail}"


# --- reading one table -----------------------------------------------------------------------


def _resolve_table(insp, name: str) -> tuple[str | None, str | None]:
    schema, _, tname = name.rpartition(".")
    schema = schema or None
    names = insp.get_table_names(schema=schema) + insp.get_view_names(schema=schema)
    if tname in names:
        return schema, tname
    lower = {n.lower(): n for n in names}
    return schema, lower.get(tname.lower())


def _fetch(
    conn, tdef: TableDef, max_rows: int, counted: Callable[[int], None]
) -> tuple[list[str], list[tuple]]:
    """Column names and rows of the source table or query; raises SourceError when absent,
    TooManyRows over ``max_rows`` and StatementTimeout when the server cancelled it."""
    if tdef.query:
        # A failed statement aborts a PostgreSQL transaction: a savepoint keeps the other
        # tables readable so the report lists every problem at once (pysqlite needs none).
        nested = conn.begin_nested() if conn.dialect.name != "sqlite" else None
        try:
            cols, rows = _stream(conn, text(tdef.query), tdef, max_rows, counted)
        except (DBAPIError, TooManyRows) as exc:
            if nested is not None:
                nested.rollback()
            if isinstance(exc, TooManyRows):
                raise
            if _timed_out(exc):
                raise StatementTimeout(_plain(exc)) from exc
            raise SourceError(f"the query failed: {_plain(exc)}") from exc
        if nested is not None:
            nested.commit()
        return cols, rows
    insp = inspect(conn)
    schema, name = _resolve_table(insp, tdef.source_table or "")
    if name is None:
        raise SourceError(f"table {tdef.source_table!r} not found in the source database")
    available = [c["name"] for c in insp.get_columns(name, schema=schema)]
    wanted = [c for c in available if _wanted(tdef, c)]
    statement = select(*[column(c) for c in wanted]).select_from(table(name, schema=schema))
    try:  # one row over the cap is enough to know: the server stops there
        return _stream(conn, statement.limit(max_rows + 1), tdef, max_rows, counted)
    except DBAPIError as exc:
        if _timed_out(exc):
            raise StatementTimeout(_plain(exc)) from exc
        raise


def _stream(conn, statement, tdef: TableDef, max_rows: int, counted) -> tuple[list, list]:
    """Fetch ``CHUNK_ROWS`` at a time from a server-side cursor (PostgreSQL, MySQL, Oracle);
    refuse as soon as there are more than ``max_rows``, before the rest is fetched."""
    try:
        result = conn.execute(statement, execution_options={"stream_results": True})
        try:
            cols, rows = list(result.keys()), []
            while chunk := result.fetchmany(CHUNK_ROWS):
                rows += [tuple(r) for r in chunk]
                if len(rows) > max_rows:
                    raise TooManyRows(
                        f"the source returns more than {max_rows:,} rows for {tdef.label} "
                        "(max_rows_per_table in [source]); nothing was written. Read fewer rows "
                        "(a WHERE clause, or a view), or raise max_rows_per_table"
                    )
                counted(len(rows))
        finally:
            result.close()
    except DBAPIError as exc:
        # The driver could not allocate (libpq: "out of memory for query result", no SQLSTATE):
        # the same as a MemoryError, so the sync worker reports its memory limit.
        orig = getattr(exc, "orig", None)
        if getattr(orig, "sqlstate", "") is None and "out of memory" in str(orig).lower():
            raise MemoryError(str(orig)) from exc
        raise
    return cols, rows


def _wanted(tdef: TableDef, source_col: str) -> bool:
    """A source column is read when it is mapped, or named like an unmapped canonical field."""
    mapped = {v.lower() for v in tdef.columns.values()}
    fields = {f for f in models.FIELDS[tdef.table] if f not in tdef.columns}
    return source_col.lower() in mapped or source_col.lower() in fields


def _mapping(tdef: TableDef, source_cols: list[str]) -> tuple[dict[str, str], list[str]]:
    """canonical field -> actual source column, and the mapped columns the source lacks."""
    lower = {c.lower(): c for c in source_cols}
    mapping: dict[str, str] = {}
    missing: list[str] = []
    for fld, col in tdef.columns.items():
        actual = col if col in source_cols else lower.get(col.lower())
        if actual is None:
            missing.append(col)
        else:
            mapping[fld] = actual
    for fld in models.FIELDS[tdef.table]:
        if fld not in tdef.columns and fld.lower() in lower:
            mapping[fld] = lower[fld.lower()]
    return mapping, missing


def _canonical(
    tdef: TableDef, cols: list[str], rows: list[tuple], config: Config
) -> tuple[pd.DataFrame, dict[str, str], list[Problem]]:
    """The canonical frame of one source table, the mapping used, and problems found.

    The rows go, as the driver returned them, through the one normalise-and-validate step of
    every source (``normalise.table``), with this source's column, value and scale maps."""
    label = tdef.label
    mapping, missing = _mapping(tdef, cols)
    problems = [
        Problem(
            label, None, col, None, f"column {col!r} not found in the source ({', '.join(cols)})"
        )
        for col in missing
    ]
    for key in models.KEYS[tdef.table]:
        if key not in mapping and key not in tdef.columns:
            problems.append(
                Problem(label, None, None, None, f"no column maps to the key field {key!r}")
            )
    if problems:
        return pd.DataFrame(), mapping, problems
    raw = pd.DataFrame(rows, columns=cols, dtype=object)  # values as read: no pandas typing
    maps = normalise.Mapping(mapping, tdef.values, tdef.scales, where=f"tables.{tdef.table}")
    frame, problems = normalise.table(tdef.table, raw, maps, config, label)
    return frame, mapping, problems


def _duplicates(label: str, name: str, frame: pd.DataFrame, mapping: dict) -> list[Problem]:
    keys = models.KEYS[name]
    dup = frame[frame.duplicated(keys, keep=False)]
    out = []
    for key, group in list(dup.groupby(keys, sort=True))[:20]:
        key = key if isinstance(key, tuple) else (key,)
        shown = ", ".join(f"{k}={_shown(v)}" for k, v in zip(keys, key, strict=True))
        rows = [int(i) + 1 for i in group.index]
        out.append(
            Problem(
                label,
                rows[0],
                mapping.get(keys[0]),
                shown,
                f"duplicate key: the source returns {shown} {len(rows)} times (rows "
                f"{', '.join(map(str, rows[:10]))})",
            )
        )
    return out


def _shown(value) -> str:
    """A canonical key value in a message: a date without its midnight."""
    return value.date().isoformat() if isinstance(value, pd.Timestamp) else str(value)


# --- snapshot hash ---------------------------------------------------------------------------


def snapshot_bytes(name: str, frames: dict[str, pd.DataFrame]) -> bytes:
    """A stable serialisation of the canonical snapshot: same data, same bytes."""
    buf = io.StringIO()
    buf.write(f"source:{name}\n")
    for tname in store.WRITE_ORDER:
        if tname not in frames:
            continue
        df = frames[tname]
        cols = [f for f in models.FIELDS[tname] if f in df.columns]
        df = df[cols].sort_values(models.KEYS[tname], kind="stable")
        buf.write(f"table:{tname}\n")
        df.to_csv(
            buf, index=False, date_format="%Y-%m-%d", float_format="%.10g", lineterminator="\n"
        )
    return buf.getvalue().encode()


def _upload_sha(engine: Engine, source: str, content_sha: str) -> str | None:
    """The sha256 to record, or None when the last sync of this source had this very content."""
    u = models.uploads
    with engine.connect() as conn:
        last = conn.execute(
            select(u.c.upload_id, u.c.report)
            .where(u.c.source == "sql", u.c.file_name == source)
            .order_by(u.c.upload_id.desc())
            .limit(1)
        ).first()
        taken = conn.execute(select(u.c.upload_id).where(u.c.sha256 == content_sha)).scalar()
    last_sha = json.loads(last.report or "{}").get("content_sha256") if last else None
    if last_sha == content_sha:
        return None
    # Content seen before but not the latest (A -> B -> A): record it again under a new hash.
    return (
        content_sha
        if taken is None
        else hashlib.sha256(f"{content_sha}:{last.upload_id}".encode()).hexdigest()
    )


# --- the sync --------------------------------------------------------------------------------


def read_source(
    source: SourceDef,
    config: Config | None = None,
    progress: Progress | None = None,
    url: str | None = None,
) -> tuple[dict[str, pd.DataFrame], FileReport]:
    """Read and validate every table of ``source``; nothing is written anywhere.

    ``url`` is the resolved source URL when the caller has it (the sync worker gets it from its
    parent); by default it is resolved from the environment and secrets.
    """
    config = config or get_config()
    progress = progress or (lambda _f, _t: None)
    report = FileReport(file=source.name, status="valid")
    frames: dict[str, pd.DataFrame] = {}
    try:
        url = url or resolve_url(source)
        _check_queries(source, url)
        engine = source_engine(url)
    except (SourceError, SQLAlchemyError) as exc:
        report.problems.append(Problem(None, None, None, None, _plain(exc, url)))
        report.status = "rejected"
        return frames, report
    progress(0.05, f"Connecting to {display_url(url)}")
    timeout, max_rows = source.statement_timeout_seconds, source.max_rows_per_table
    try:
        connected = False
        with read_only(engine, timeout, max_rows) as conn:
            connected = True
            progress(0.08, "Checking the database user's privileges")
            if _role_refused(conn, source, report):
                return frames, _rejected(report)
            total = len(source.tables)
            for i, (name, tdef) in enumerate(source.tables.items()):
                share = 0.1 + 0.8 * i / total
                progress(share, f"Reading {tdef.label} -> {name}")
                sheet = SheetReport(sheet=tdef.label, kind=KIND.get(name, name))
                report.sheets.append(sheet)

                def counted(n: int, share=share, label=tdef.label) -> None:
                    progress(share, f"Reading {label}: {n:,} rows")

                try:
                    cols, rows = _fetch(conn, tdef, max_rows, counted)
                except StatementTimeout:
                    # Each further statement could take as long: stop here, report this one.
                    sheet.problems.append(
                        Problem(tdef.label, None, None, None, _timeout_message(source))
                    )
                    break
                except SourceError as exc:
                    sheet.problems.append(Problem(tdef.label, None, None, None, str(exc)))
                    continue
                sheet.reason = "query" if tdef.query else f"table {tdef.source_table}"
                read = len(rows)
                frame, mapping, problems = _canonical(tdef, cols, rows, config)
                del rows  # not kept while the next table is read: the frame holds the values
                sheet.mapping = {col: fld for fld, col in mapping.items()}
                sheet.problems += problems
                if any(p.severity == ERROR for p in problems):
                    continue  # all-or-nothing: nothing of a table with an unreadable value
                # the same text limits as uploads: the sync is all-or-nothing, so an error blocks
                frame, found = limits.check_frame(
                    name, frame, config, tdef.label, list(range(1, len(frame) + 1)), mapping
                )
                sheet.problems += found
                sheet.problems += _validate(tdef, frame, mapping)
                if not read:
                    sheet.problems.append(
                        Problem(tdef.label, None, None, None, "no rows", severity=WARNING)
                    )
                sheet.rows_loaded = len(frame)
                frames[name] = frame
                report.totals[name] = len(frame)
    except (DBAPIError, SQLAlchemyError) as exc:
        if connected and _timed_out(exc):
            message = _timeout_message(source)
        elif connected:
            message = f"reading the source failed: {_plain(exc, url)}"
        else:
            message = _connect_message(exc, url)
        report.problems.append(Problem(None, None, None, None, message))
    finally:
        engine.dispose()
    return frames, _rejected(report) if report.has_errors else report


def _check_queries(source: SourceDef, url: str) -> None:
    """Checked again before connecting: load_source cannot when the URL is a secret."""
    refused = query_problems(source.tables, query_dialect(url) or "")
    if refused:
        raise SourceError(f"{source.path.name}: " + "; ".join(refused))


def _rejected(report: FileReport) -> FileReport:
    report.status = "rejected"
    return report


def _role_refused(conn, source: SourceDef, report: FileReport) -> bool:
    """Check the source's database user before anything is read; True when it is refused.

    A user that can do more than read is an error unless ``allow_privileged_user = true``
    (then a warning). A backend whose privileges cannot be checked is a warning.
    """
    backend = conn.dialect.name
    try:
        found = source_role.privileges(conn)
        who = source_role.user(conn)
    except source_role.Unchecked:
        report.problems.append(
            Problem(
                None, None, None, None,
                f"the privileges of the database user could not be checked on {backend}: make "
                f"sure it may only SELECT the mapped tables (see {source_role.README})",
                severity=WARNING,
            )
        )  # fmt: skip
        return False
    except DBAPIError as exc:  # fail closed: an unknown user is not a reader
        message = (
            f"the database user's privileges could not be checked, so nothing was read: "
            f"{_plain(exc)}"
        )
        report.problems.append(Problem(None, None, None, None, message))
        return True
    if not found:
        return False
    what = f"the database user {who!r} can do more than read: it " + "; it ".join(found)
    if source.allow_privileged_user:
        message = f"{what}. Synced anyway: allow_privileged_user = true in [source]"
        report.problems.append(Problem(None, None, None, None, message, severity=WARNING))
        return False
    report.problems.append(
        Problem(
            None, None, None, None,
            f"{what}. Nothing was read: give the source a read-only user (see "
            f"{source_role.README}), or set allow_privileged_user = true in [source] of "
            f"{source.path.name} to sync with this user anyway",
        )
    )  # fmt: skip
    return True


# --- the sync worker -------------------------------------------------------------------------


def read_isolated(
    source: SourceDef, config: Config | None = None, progress: Progress | None = None
) -> tuple[dict[str, pd.DataFrame], FileReport]:
    """``read_source`` in a child process with the limits of ``[ingest] sync_*``.

    The web server (or command line) keeps only the canonical frames it gets back. The URL is
    resolved here and handed to the child in its environment, never written to disk.
    """
    from data_loaders import sandbox  # imports the Excel readers: only when syncing

    config = config or get_config()
    progress = progress or (lambda _f, _t: None)
    try:  # a missing secret or a refused query needs no worker
        url = resolve_url(source)
        _check_queries(source, url)
    except SourceError as exc:
        report = FileReport(file=source.name, status="rejected")
        report.problems.append(Problem(None, None, None, None, str(exc)))
        return {}, report
    cfg = config.ingest
    limits_ = sandbox.Limits(cfg.sync_memory_mb, cfg.sync_cpu_seconds, cfg.sync_timeout_seconds)
    progress(0.02, "Starting the sync worker")
    run = sandbox.run_child("sync", (source, config), limits_, progress, env=_worker_env(url))
    if run.finished:
        return run.result
    report = FileReport(file=source.name, status="rejected")
    report.problems.append(Problem(None, None, None, None, _worker_failure(run, source, config)))
    return {}, report


def read_task(job: tuple, progress: Progress) -> tuple[dict[str, pd.DataFrame], FileReport]:
    """The sync worker's task (run by ``data_loaders.sandbox``): read_source with its URL."""
    source, config = job
    return read_source(source, config, progress, url=os.environ.get(URL_VARIABLE))


# Drivers read these for TLS files, service files and password files: the worker keeps them.
_DRIVER_ENV = ("PG", "MYSQL", "MARIADB", "ORACLE", "TNS_ADMIN", "ODBC", "SSL_CERT_")


def _worker_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k.startswith(_DRIVER_ENV)}
    return env | {URL_VARIABLE: _absolute_sqlite(url)}


def _absolute_sqlite(url: str) -> str:
    """A SQLite URL with its file made absolute: the worker runs in another directory."""
    try:
        parsed = make_url(url)
    except Exception:  # the worker reports a URL it cannot parse, as read_source does
        return url
    path = parsed.database or ""
    if parsed.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return url
    return parsed.set(database=str(Path(path).resolve())).render_as_string(hide_password=False)


def _worker_failure(run, source: SourceDef, config: Config) -> str:
    """What the user reads when the worker did not finish: which limit, or that it crashed."""
    cfg, why = config.ingest, run.failure
    if why == "timeout":
        return (
            f"reading the source took longer than {cfg.sync_timeout_seconds:g} s (time limit, "
            "ingest.sync_timeout_seconds): the sync worker was stopped and nothing was written. "
            f"Each statement is cancelled on the server after statement_timeout_seconds "
            f"({source.statement_timeout_seconds} s)"
        )
    if why == "memory":
        return (
            f"reading the source needs more than {cfg.sync_memory_mb:,} MB of memory (memory "
            "limit, ingest.sync_memory_mb): nothing was written. Read fewer rows or columns, "
            f"lower max_rows_per_table in [source] of {source.path.name}, or raise the limit"
        )
    if why == "cpu":
        return (
            f"reading the source used more than {cfg.sync_cpu_seconds:g} s of CPU time (CPU "
            "time limit, ingest.sync_cpu_seconds): nothing was written"
        )
    if why == "killed":
        return (
            "the sync worker was stopped by the system (out of memory, or over the CPU time "
            f"limit ingest.sync_cpu_seconds; memory limit ingest.sync_memory_mb = "
            f"{cfg.sync_memory_mb:,} MB): nothing was written"
        )
    detail = run.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
    return f"the sync worker stopped unexpectedly ({why}) {detail[0][:200]}: nothing was written"


def _validate(tdef: TableDef, frame: pd.DataFrame, mapping: dict[str, str]) -> list[Problem]:
    dups = _duplicates(tdef.label, tdef.table, frame, mapping)
    problems = schema_problems(
        tdef.table, frame, tdef.label, list(range(1, len(frame) + 1)), headers=mapping
    )
    if dups:  # the schema reports each duplicate row again; ours say which key and rows
        problems = [p for p in problems if not p.message.startswith("duplicate key")]
    return dups + problems


def _unknown_projects(engine: Engine | None, frames: dict[str, pd.DataFrame], source: SourceDef):
    known = set(frames["projects"]["project_id"]) if "projects" in frames else set()
    if engine is not None:
        known |= store.known_project_ids(engine)
    out = []
    for name, df in frames.items():
        if name == "projects":
            continue
        missing = sorted(set(df["project_id"]) - known)
        if missing:
            label = source.tables[name].label
            out.append(
                Problem(
                    label,
                    None,
                    source.tables[name].columns.get("project_id", "project_id"),
                    ", ".join(missing[:10]),
                    f"{len(missing)} project id(s) are neither in the source's projects nor "
                    "in the app database",
                )
            )
    return out


def sync(
    source: SourceDef | str | Path,
    engine: Engine | None,
    dry_run: bool = False,
    uploaded_by: str | None = None,
    config: Config | None = None,
    progress: Progress | None = None,
    identity: Identity | None = None,
    isolated: bool = False,
) -> SyncResult:
    """Read, validate and (unless ``dry_run`` or any error) write one snapshot of ``source``.

    ``identity`` is who syncs: the store refuses the write unless their role may sync.
    ``isolated``: read in the sync worker (``read_isolated``); this process only writes.
    """
    progress = progress or (lambda _f, _t: None)
    if not isinstance(source, SourceDef):
        try:
            source = load_source(Path(source))
        except SourceError as exc:
            report = FileReport(file=Path(source).stem, status="rejected")
            report.problems.append(Problem(None, None, None, None, str(exc)))
            return SyncResult(report=report)
    read = read_isolated if isolated else read_source
    frames, report = read(source, config, progress)
    if "projects" in frames:  # money of a project is in its currency: never leave it unknown
        default = (config or get_config()).money.currency
        frames["projects"] = units.with_currency(frames["projects"], default)
    result = SyncResult(report=report, frames=frames)
    if report.has_errors:
        progress(1.0, "Rejected: nothing written")
        return result
    unknown = _unknown_projects(engine, frames, source)
    if unknown:
        report.problems += unknown
        report.status = "rejected"
        return result
    content = snapshot_bytes(source.name, frames)
    content_sha = hashlib.sha256(content).hexdigest()
    result.sha256 = content_sha
    if dry_run or engine is None:
        progress(1.0, "Checked: nothing written (dry run)")
        return result
    progress(0.9, "Writing the snapshot")
    sha = _upload_sha(engine, source.name, content_sha)
    if sha is None:
        report.status = "duplicate"
        progress(1.0, "Unchanged since the last sync")
        return result
    meta = store.UploadMeta(
        file_name=source.name,
        sha256=sha,
        size_bytes=len(content),
        uploaded_by=uploaded_by or (identity.display if identity else _user()),
        source="sql",
        identity=identity,
        report={**report.to_dict(), "content_sha256": content_sha},
    )
    try:
        written = store.write_batch(engine, frames, meta, remove_missing=True)
    except store.StoreError as exc:  # unknown project, unstorable text, read-only user, down
        column = "project_id" if isinstance(exc, store.UnknownProjectError) else None
        report.problems.append(Problem(None, None, column, None, str(exc)))
        report.status = "rejected"
        return result
    report.status = written.status
    report.upload_id = written.upload_id
    result.changed = written.rows
    result.removed = written.removed
    if written.kept_projects:
        report.problems.append(
            Problem(
                source.tables["projects"].label,
                None,
                "project_id",
                ", ".join(written.kept_projects[:10]),
                f"{len(written.kept_projects)} project(s) are no longer in the source but were "
                "kept: other rows in the app still refer to them",
                severity=WARNING,
            )
        )
    progress(1.0, "Done")
    return result


def _user() -> str:
    try:
        return f"sql sync ({getpass.getuser()})"
    except Exception:
        return "sql sync"


def _plain(exc: Exception, url: str | None = None) -> str:
    """The first line of the driver's message, with the source URL's secrets (and any URL or
    password=... it quotes) masked: a driver may quote part of a mistyped URL."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""]
    return redact.scrub(text[0], *([url] if url else []))


# --- for the sources page ------------------------------------------------------------------


def last_sync(engine: Engine, name: str) -> dict | None:
    """The most recent sync of source ``name`` in the app database, with its report."""
    u = models.uploads
    with engine.connect() as conn:
        row = conn.execute(
            select(u.c.upload_id, u.c.uploaded_at, u.c.uploaded_by, u.c.row_counts, u.c.report)
            .where(u.c.source == "sql", u.c.file_name == name)
            .order_by(u.c.upload_id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    report = json.loads(row.report or "{}")
    r = models.replaced_rows
    with engine.connect() as conn:
        removed = conn.execute(
            select(r.c.table_name, func.count())
            .where(r.c.replaced_by_upload == row.upload_id, r.c.action == "removed")
            .group_by(r.c.table_name)
        ).all()
    return {
        "upload_id": row.upload_id,
        "synced_at": pd.Timestamp(row.uploaded_at),
        "synced_by": row.uploaded_by,
        "rows": report.get("totals", {}),
        "changed": json.loads(row.row_counts or "{}"),
        "removed": dict(removed),
        "warnings": [p for s in report.get("sheets", []) for p in s.get("problems", [])]
        + report.get("problems", []),
    }


def problem_rows(report: FileReport) -> list[dict]:
    """Problems as plain rows for display (table, row, column, value, message, severity)."""
    return [
        {
            "table": p.sheet,
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "message": p.message,
            "severity": p.severity,
        }
        for p in report.all_problems
    ]


__all__ = ["ERROR", "WARNING", "SyncResult", "last_sync", "read_source", "sync"]
