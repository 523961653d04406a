"""The app database: engine, migrations, the one write path and the frame reader.

Every write goes through ``write_batch``: one transaction that records the upload (raw bytes,
sha256, who, when, report) and writes its rows; a row whose key already exists is replaced and
the old version kept in ``replaced_rows``. Reading returns pandas frames keyed by a cheap
``data_version`` so callers can cache them. Nothing here imports streamlit.
"""

from __future__ import annotations

import gc
import json
import logging
import math
import os
import stat
import sys
import time
from collections.abc import Callable
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache, wraps
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Engine,
    Integer,
    String,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    inspect,
    make_url,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError, OperationalError

import models
import redact
from access import audit, roles
from config import ROOT

DEFAULT_SQLITE_PATH = ROOT / "data" / "pmo_lens.db"
# Parents before children so foreign keys hold inside the transaction.
WRITE_ORDER = [
    "projects", "status_reports", "risks", "milestones", "decisions", "raid_items", "benefits",
]  # fmt: skip
# Any fixed number: every process that migrates a PostgreSQL database takes this advisory lock.
MIGRATION_LOCK = 7_311_901
log = logging.getLogger(__name__)


class StoreError(Exception):
    """A plain-language failure of the app database, safe to show: no SQL, no parameters."""


class DatabaseUnavailable(StoreError):
    """The database cannot be reached, opened or logged into (or its schema cannot be set up)."""


class WriteRefused(StoreError):
    """A write was refused as a whole and rolled back: nothing of the batch was written."""


class UnknownProjectError(WriteRefused, ValueError):
    """Rows refer to projects that are neither in the database nor in the same batch."""


def database_url() -> str:
    """``$PMO_DATABASE_URL``, or the SQLite file under ``data/``."""
    return os.environ.get("PMO_DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _normalise_url(url: str) -> str:
    # psycopg 3 is the PostgreSQL driver we ship; plain postgresql:// would ask for psycopg2.
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """An engine for ``url`` (default ``database_url()``), schema migrated to the latest version.

    Raises ``DatabaseUnavailable`` with a message that names the database (password hidden)
    and what to check.
    """
    url = _normalise_url(url or database_url())
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        raise DatabaseUnavailable(
            f"the app database URL {_shown(url)} is not a valid SQLAlchemy URL: check "
            "PMO_DATABASE_URL or --db"
        ) from None
    if "@" in (parsed.host or ""):
        # SQLAlchemy ends the password at its first "@": the rest of it became the host name,
        # which the driver would then quote in its "unknown host" message.
        raise DatabaseUnavailable(
            f"the password in the app database URL {_shown(url)} contains '@': write it as %40 "
            "(percent-encoded), in PMO_DATABASE_URL or --db"
        )
    # hide_parameters: an error must never carry row values (report JSON, file bytes) along.
    try:
        if parsed.get_backend_name() == "sqlite":
            path = parsed.database
            if path and path != ":memory:" and not path.startswith("file:"):
                _private_sqlite_file(Path(path))
            engine = create_engine(parsed, connect_args={"timeout": 60}, hide_parameters=True)
            _configure_sqlite(engine)
        else:
            engine = create_engine(parsed, pool_pre_ping=True, hide_parameters=True)
    except (ArgumentError, ImportError) as exc:  # unknown dialect, driver not installed
        raise DatabaseUnavailable(
            f"cannot use the app database {_shown(parsed)}: {exc.__class__.__name__} "
            f"({_first_line(exc, parsed)[:200]}): check the URL scheme and that its driver "
            "is installed"
        ) from None
    except OSError as exc:
        raise DatabaseUnavailable(
            f"cannot create the app database {_shown(parsed)} or its folder: {exc.strerror or exc}"
        ) from None
    try:
        migrate(engine)
    except DBAPIError as exc:
        engine.dispose()
        raise explain(exc, engine.url) from None
    return engine


def _private_sqlite_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600): it holds every upload. SQLite
    gives its -wal and -shm files the database file's mode, so they are private too. An
    existing file keeps its mode (an admin may share it with a backup group on purpose), but
    one every user of the machine can read is reported."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        return
    except FileExistsError:
        pass
    mode = path.stat().st_mode
    if mode & stat.S_IROTH:
        log.warning(
            "the app database %s can be read by every user of this machine (mode %o): "
            "chmod 600 it unless that is intended",
            path,
            stat.S_IMODE(mode),
        )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # We issue BEGIN ourselves (below); pysqlite's own transaction handling would defer it.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=60000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # Writers take the write lock up front: upgrading a read transaction later fails at once
        # in WAL mode when another writer committed meanwhile.
        mode = "IMMEDIATE" if conn.get_execution_options().get("pmo_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


# The newest migration's revision: migrations/versions/NNNN_*.py are numbered in order
# (tests/db/test_store.py checks that Alembic agrees).
HEAD_REVISION = max(p.name[:4] for p in (ROOT / "migrations" / "versions").glob("[0-9]*_*.py"))


def _at_head(engine: Engine) -> bool:
    """Whether the schema is at ``HEAD_REVISION``: one read, no lock, no Alembic."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            HEAD_REVISION
        )


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (creates it on an empty database).

    A schema already at head is only read: a process starting while an upload holds SQLite's
    write lock does not wait for it, and needs no Alembic import (a command line's start).
    Otherwise safe when several processes start at once on an empty database: on PostgreSQL
    they queue on an advisory lock held until the migration commits (the next one then finds
    the schema at head and does nothing); on SQLite the write lock is taken up front (BEGIN
    IMMEDIATE), which waits out the busy timeout instead of failing on a read-to-write upgrade.
    """
    if _at_head(engine):
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    with writing(engine) as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# --- errors ----------------------------------------------------------------------------------


def _shown(url: URL | str) -> str:
    """The URL as it may be shown: passwords (user part and query string) replaced by ***."""
    return redact.shown_url(url)


def _first_line(exc: BaseException, url: URL | str) -> str:
    """The first line of a driver message, with anything of the URL's secrets it quotes
    masked (an unknown host that is part of a password, a DSN echoed back)."""
    return redact.scrub((str(exc).strip().splitlines() or [""])[0], url)


# Fragments of driver messages at connect time -> what the user should check.
_CONNECT_HINTS = [
    ('role "', "the server does not know this user: check the user name in the URL"),
    ("password authentication failed", "the server refused the login: check user and password"),
    ("authentication failed", "the server refused the login: check user and password"),
    ("access denied", "the server refused the login: check user and password"),
    ('database "', "this database does not exist on the server: create it or fix its name"),
    ("connection refused", "nothing answers there: check host and port and that the server runs"),
    ("could not translate host name", "unknown host name: check the host in the URL"),
    ("name or service not known", "unknown host name: check the host in the URL"),
    ("timeout", "the server did not answer in time: check host, port and firewall"),
    ("timed out", "the server did not answer in time: check host, port and firewall"),
    ("unable to open database file", "cannot open the SQLite file: check the path and rights"),
]
# SQLSTATE codes (PostgreSQL) and message fragments that mean "you may not write here".
_READ_ONLY_STATES = {"42501", "25006"}  # insufficient_privilege, read_only_sql_transaction
_READ_ONLY_TEXT = ("permission denied", "readonly database", "read-only", "read only")


def explain(exc: BaseException, url: URL | str) -> StoreError:
    """A database exception as a ``StoreError`` with a plain message: which database (no
    password), what happened, what to check. Never includes SQL, parameters or row values:
    only the first line of a driver message at connect time, which carries none of those.
    """
    if isinstance(exc, StoreError):
        return exc
    where = _shown(url)
    orig = getattr(exc, "orig", None) or exc
    first = _first_line(orig, url)
    lowered = str(orig).lower()
    state = getattr(orig, "sqlstate", None)
    if state in _READ_ONLY_STATES or any(t in lowered for t in _READ_ONLY_TEXT):
        return WriteRefused(
            f"the app database {where} refused the write (the user may only read): nothing was "
            "written. Ask for a database user that may insert and update these tables."
        )
    if isinstance(exc, OperationalError) or getattr(exc, "connection_invalidated", False):
        for fragment, hint in _CONNECT_HINTS:
            if fragment in lowered:
                return DatabaseUnavailable(
                    f"cannot use the app database {where}: {hint} ({first[:300]})"
                )
        if "locked" in lowered:
            return DatabaseUnavailable(
                f"the app database {where} stayed locked by another writer: try again"
            )
        return DatabaseUnavailable(
            f"cannot use the app database {where} ({first[:300]}): check PMO_DATABASE_URL "
            "or --db, and that the server runs"
        )
    return WriteRefused(
        f"the app database {where} refused the operation ({exc.__class__.__name__}"
        f"{f', SQLSTATE {state}' if state else ''}): nothing was written"
    )


def _plain_errors(fn):
    """Database exceptions of ``fn(engine, ...)`` become ``StoreError`` (see ``explain``)."""

    @wraps(fn)
    def wrapper(engine: Engine, *args, **kwargs):
        try:
            return fn(engine, *args, **kwargs)
        except DBAPIError as exc:
            raise explain(exc, engine.url) from None

    return wrapper


def exit_on_error(run: Callable[[], int]) -> int:
    """For the command lines: a ``StoreError`` is one line on stderr and exit status 1."""
    try:
        return run()
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


# --- writing ---------------------------------------------------------------------------------


@contextmanager
def writing(engine: Engine):
    """The one write path: a connection in a transaction marked as a writer (``pmo_write``),
    committed at the end, rolled back on any error. On SQLite the write lock is taken up front
    (BEGIN IMMEDIATE, see ``_configure_sqlite``): a transaction that read first and writes
    later fails at once in WAL mode when another writer committed meanwhile, instead of
    waiting its turn. Every write of the app's own data goes through here."""
    with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
        yield conn


@dataclass
class UploadMeta:
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    source: str  # upload, cli, sql, sample
    content: bytes | None = None
    report: dict | None = None
    # who writes: checked against roles before anything is written (check_access); None is
    # nobody named, allowed only until the first role is granted
    identity: roles.Identity | None = None


@dataclass
class WriteResult:
    status: str  # "loaded" or "duplicate"
    upload_id: int | None
    rows: dict[str, int] = field(default_factory=dict)  # rows inserted or changed per table
    replaced: dict[str, int] = field(default_factory=dict)  # of which replaced an older version
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # see write_batch(remove_missing=)
    kept_projects: list[str] = field(default_factory=list)  # gone, but other rows refer to them


def _column(series: pd.Series, is_date: bool) -> list:
    """A column as plain Python values for the database: missing -> None, dates -> date.

    Column-wise (not cell by cell): it is most of the cost of writing 50,000 rows.
    """
    if is_date:
        series = pd.to_datetime(series).dt.date
    return series.astype(object).where(series.notna(), None).tolist()


@dataclass
class _Rows:
    """One table of a batch as plain Python values: its columns and one tuple per row (tuples,
    not dicts: building and sending 50,000 of them is most of the cost of a write)."""

    columns: list[str]
    values: list[tuple]

    def column(self, name: str) -> list:
        i = self.columns.index(name)
        return [row[i] for row in self.values]

    def keys(self, names: list[str]) -> list[tuple]:
        return list(zip(*[self.column(k) for k in names], strict=True))

    def record(self, row: tuple) -> dict:
        return dict(zip(self.columns, row, strict=True))


def _records(name: str, frame: pd.DataFrame) -> _Rows:
    cols = [c for c in models.FIELDS[name] if c in frame.columns]
    dates = set(models.DATE_FIELDS[name])
    columns = [_column(frame[c], c in dates) for c in cols]
    return _Rows(cols, list(zip(*columns, strict=True)))


def _same(old: dict, new: dict) -> bool:
    for key, value in new.items():
        before = old.get(key)
        if isinstance(value, float) and isinstance(before, (int, float)):
            if not math.isclose(value, before, rel_tol=1e-9, abs_tol=1e-9):
                return False
        elif before != value:
            return False
    return True


def _json_default(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(type(value))


def _chunks(values: list, size: int = 500):
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _existing_rows(
    conn, name: str, rows: _Rows, wanted: set[tuple], lock: bool = True
) -> dict[tuple, dict]:
    """Rows already stored under the keys ``wanted`` of ``rows``, keyed by their primary key;
    locked for the write unless ``lock`` is False (a preview, which may run as a reader)."""
    table = models.FACT_TABLES[name]
    keys = models.KEYS[name]
    project_ids = sorted(set(rows.column("project_id")))
    found: dict[tuple, dict] = {}
    for chunk in _chunks(project_ids):
        # FOR UPDATE (PostgreSQL; SQLite writers are serialised by BEGIN IMMEDIATE): under READ
        # COMMITTED two writers of the same key would both read version N and both record it
        # as replaced, losing the version one of them wrote. With the row lock the second one
        # waits and then reads the first one's committed row. A key that does not exist yet
        # cannot be locked: two writers inserting it collide on the primary key, and
        # write_batch runs the loser's whole transaction again (it then finds and locks the
        # row). Chosen over SERIALIZABLE, which would abort and retry on every overlap. Key
        # order gives every writer the same lock order, so writers do not deadlock.
        stmt = (
            select(table).where(table.c.project_id.in_(chunk)).order_by(*[table.c[k] for k in keys])
        )
        if lock:
            stmt = stmt.with_for_update()
        if "report_date" in keys:
            dates = sorted(set(rows.column("report_date")))
            stmt = stmt.where(table.c.report_date.in_(dates))
        for row in conn.execute(stmt).mappings():
            key = tuple(row[k] for k in keys)
            if key in wanted:
                found[key] = dict(row)
    return found


@dataclass(frozen=True)
class KeptValue:
    """A stored project value an upload does not overwrite, and why."""

    project_id: str
    field: str
    stored: object
    file: object
    reason: str


def project_update(
    old: dict, new: dict, file_date: date | None, stored_date: date | None
) -> tuple[dict, list[KeptValue]]:
    """What a stored project row becomes when a file brings ``new``: the latest report's
    details win, so a file whose report (``file_date``) is older than the project's latest
    stored one (``stored_date``) only fills what is empty; and an empty cell (a blank, or a
    placeholder such as TBC read as empty) never erases a stored value. Returns the row to
    store and the values kept instead of the file's."""
    older = file_date is not None and stored_date is not None and file_date < stored_date
    row, kept = dict(new), []
    for f, value in new.items():
        before = old.get(f)
        if f in models.KEYS["projects"] or before is None or value == before:
            continue
        if value is None:
            reason = "the file's cell is empty, and an empty cell never erases a stored value"
        elif older:
            reason = (
                f"the file reports as of {file_date}, before the latest stored report "
                f"({stored_date}), so it does not overwrite newer details"
            )
        else:
            continue
        row[f] = before
        kept.append(KeptValue(new[models.KEYS["projects"][0]], f, before, value, reason))
    return row, kept


def _report_dates(conn, records: dict[str, _Rows]) -> tuple[dict, dict]:
    """Per project of the batch: the latest report date in the batch, and the latest stored."""
    in_file: dict[str, date] = {}
    if "status_reports" in records:
        reports = records["status_reports"]
        for pid, d in zip(reports.column("project_id"), reports.column("report_date"),
                          strict=True):  # fmt: skip
            if d is not None and (pid not in in_file or d > in_file[pid]):
                in_file[pid] = d
    stored: dict[str, date] = {}
    sr = models.status_reports
    ids = sorted(set(records["projects"].column("project_id")))
    for chunk in _chunks(ids):
        stored |= dict(conn.execute(
            select(sr.c.project_id, func.max(sr.c.report_date))
            .where(sr.c.project_id.in_(chunk)).group_by(sr.c.project_id)
        ).all())  # fmt: skip
    return in_file, stored


def kept_project_values(engine: Engine, frames: dict[str, pd.DataFrame]) -> list[KeptValue]:
    """The stored project values a batch would keep instead of its own (``project_update``),
    for the preview: nothing is written."""
    if "projects" not in frames or not len(frames["projects"]):
        return []
    # only the tables project_update reads: the others may be tens of thousands of rows
    records = {n: _records(n, frames[n]) for n in ("projects", "status_reports")
               if n in frames and len(frames[n])}  # fmt: skip
    rows = records["projects"]
    with engine.connect() as conn:
        wanted = set(rows.keys(models.KEYS["projects"]))
        existing = _existing_rows(conn, "projects", rows, wanted, lock=False)
        in_file, stored = _report_dates(conn, records)
    kept: list[KeptValue] = []
    for key, row in zip(rows.keys(models.KEYS["projects"]), rows.values, strict=True):
        if key in existing:
            kept += project_update(existing[key], rows.record(row), in_file.get(key[0]),
                                   stored.get(key[0]))[1]  # fmt: skip
    return kept


def _write_table(
    conn, name: str, rows: _Rows, upload_id: int, dates: tuple[dict, dict] | None = None
) -> tuple[int, int, int]:
    """Insert new rows and update changed ones (the old version goes to replaced_rows);
    ``dates`` (projects only: ``_report_dates``) lets ``project_update`` keep newer values."""
    table = models.FACT_TABLES[name]
    keys = models.KEYS[name]
    row_keys = rows.keys(keys)
    existing = _existing_rows(conn, name, rows, set(row_keys))
    inserts, updates, history = [], [], []
    unchanged = 0
    for key, row in zip(row_keys, rows.values, strict=True):
        old = existing.get(key)
        if old is None:
            inserts.append((*row, upload_id))
            continue
        rec = rows.record(row)
        if dates is not None:
            rec = project_update(old, rec, dates[0].get(key[0]), dates[1].get(key[0]))[0]
        if _same(old, rec):
            unchanged += 1
        else:
            updates.append({**rec, "upload_id": upload_id})
            history.append(
                {
                    "table_name": name,
                    "row_key": json.dumps(list(key), default=_json_default),
                    "row_json": json.dumps(old, default=_json_default),
                    "replaced_by_upload": upload_id,
                }
            )
    if inserts:
        _insert(conn, table, [*rows.columns, "upload_id"], inserts)
    if updates:
        # Update in place (not delete + insert) so child rows keep their foreign keys.
        cols = list(updates[0])
        stmt = (
            update(table)
            .where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in keys]))
            .values({c: bindparam(f"v_{c}") for c in cols if c not in keys})
        )
        params = [
            {**{f"k_{k}": u[k] for k in keys}, **{f"v_{c}": u[c] for c in cols if c not in keys}}
            for u in updates
        ]
        conn.execute(stmt, params)
        conn.execute(insert(models.replaced_rows), history)
    return len(inserts) + len(updates), len(updates), unchanged


def _insert(conn, table, columns: list[str], values: list[tuple]) -> None:
    """Insert new rows the fastest way each database offers, inside the caller's transaction
    (a failure later still rolls them back): PostgreSQL ``COPY FROM STDIN``, SQLite the
    driver's ``executemany`` on one prepared statement, others SQLAlchemy's executemany."""
    dialect = conn.dialect.name
    quote = conn.dialect.identifier_preparer
    names = ", ".join(quote.quote(c) for c in columns)
    if dialect == "postgresql":
        _copy_in(conn, f"COPY {quote.format_table(table)} ({names}) FROM STDIN", values)
    elif dialect == "sqlite":
        # SQLAlchemy stores SQLite dates as ISO text; do the same (no deprecated adapter).
        if any(isinstance(table.c[c].type, Date) for c in columns):
            cols = [
                [None if v is None else v.isoformat() for v in col]
                if isinstance(table.c[c].type, Date)
                else col
                for c, col in zip(columns, zip(*values, strict=True), strict=True)
            ]
            values = list(zip(*cols, strict=True))
        marks = ", ".join("?" * len(columns))
        # exec_driver_sql: straight to the driver's executemany, with SQLAlchemy's exceptions.
        conn.exec_driver_sql(
            f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})", values
        )
    else:
        conn.execute(insert(table), [dict(zip(columns, v, strict=True)) for v in values])


@contextmanager
def _driver_errors(conn, sql: str):
    """Around work on the raw driver connection: a driver error becomes SQLAlchemy's
    (IntegrityError, OperationalError...) like every other statement's, so write_batch retries
    and ``explain`` words it the same way."""
    dbapi = conn.dialect.loaded_dbapi
    try:
        yield conn.connection.dbapi_connection
    except dbapi.Error as exc:
        raise DBAPIError.instance(
            sql, None, exc, dbapi.Error, hide_parameters=True, dialect=conn.dialect
        ) from exc


def _copy_in(conn, sql: str, values: list[tuple]) -> None:
    """PostgreSQL ``COPY ... FROM STDIN`` on the connection's own transaction."""
    with _driver_errors(conn, sql) as raw, raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in values:
            copy.write_row(row)


def _check_projects(conn, tables: dict[str, _Rows]) -> None:
    referenced = {
        p for name, rows in tables.items() if name != "projects" for p in rows.column("project_id")
    }
    known = set(tables["projects"].column("project_id")) if "projects" in tables else set()
    missing = sorted(referenced - known)
    stored: set[str] = set()
    for chunk in _chunks(missing):
        stored |= set(
            conn.execute(
                select(models.projects.c.project_id).where(models.projects.c.project_id.in_(chunk))
            ).scalars()
        )
    unknown = sorted(set(missing) - stored)
    if unknown:
        raise UnknownProjectError(f"unknown project id(s): {', '.join(unknown[:20])}")


@_plain_errors
def check_access(
    engine: Engine,
    identity: roles.Identity | None,
    action: str,
    project_ids=(),
    dry_run: bool = False,
) -> None:
    """Raise ``WriteRefused`` when ``identity`` may not do ``action`` (on ``project_ids``) by
    the roles in the database now (see access.roles); the refusal is recorded for the audit.

    ``dry_run``: the same check for a run that writes nothing (``--dry-run``), so that it says
    what the real run would say; it records nothing either.
    """
    with engine.connect() as conn:
        who = roles.resolve(conn, identity)
    reason = roles.refusal(who, action, project_ids)
    if reason and dry_run:
        raise WriteRefused(f"{reason}: the real run would be refused (dry run: nothing written)")
    if reason:
        audit.record_refusal(engine, who, action, reason)
        raise WriteRefused(f"{reason}: nothing was written")


def batch_projects(frames: dict[str, pd.DataFrame]) -> set[str]:
    """The projects a batch writes rows for: what ``check_access`` checks a pm against."""
    return {
        pid
        for name in WRITE_ORDER
        if name in frames and "project_id" in frames[name]
        for pid in frames[name]["project_id"].dropna()
    }


@_plain_errors
def write_batch(
    engine: Engine, frames: dict[str, pd.DataFrame], meta: UploadMeta, remove_missing: bool = False
) -> WriteResult:
    """Write one upload and its canonical frames in one transaction; all of it or none of it.

    The same content (sha256) twice is reported as ``duplicate`` and writes nothing. Frames
    must already be valid canonical frames (see ``models.SCHEMAS``). With ``remove_missing``
    (a SQL source's full snapshot) the rows of earlier uploads with the same source and file
    name that are not in ``frames`` (tables given, even empty) are removed (``_remove_missing``).
    ``meta.identity`` must be allowed to write it (``check_access``, before any transaction).
    A refusal (roles, unknown project, text the database cannot hold, a read-only user) raises
    ``WriteRefused``, an unreachable database ``DatabaseUnavailable``; either way nothing is
    written.
    """
    records = {n: _records(n, frames[n]) for n in WRITE_ORDER if n in frames and len(frames[n])}
    _check_values(records, meta)
    projects = batch_projects(frames)
    check_access(engine, meta.identity, roles.ACTION_OF_SOURCE[meta.source], projects)
    scope = [n for n in WRITE_ORDER if n in frames] if remove_missing else []
    for attempt in range(5):
        try:
            return _write_once(engine, records, meta, scope)
        except IntegrityError:
            if _is_duplicate_sha(engine, meta.sha256):
                return WriteResult(
                    status="duplicate", upload_id=_upload_id_for(engine, meta.sha256)
                )
            # A concurrent writer inserted the same key first: run again, it now updates.
            if attempt == 4:
                raise
            time.sleep(0.05 * (attempt + 1))
        except OperationalError as exc:
            # Lock timeouts and deadlocks pass; a refused login or a read-only file does not.
            if attempt == 4 or not isinstance(explain(exc, engine.url), DatabaseUnavailable):
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _text_limits(name: str) -> dict[str, int | None]:
    """Text columns of a table and their length limit (None: unlimited)."""
    return {
        c.name: c.type.length
        for c in models.metadata.tables[name].columns
        if isinstance(c.type, String)
    }


def _check_values(records: dict[str, _Rows], meta: UploadMeta) -> None:
    """Refuse text the database would reject, the same way on every backend.

    PostgreSQL refuses NUL characters and text longer than a VARCHAR; SQLite stores both. The
    loaders already cut and clean text; this is the last line of defence for any caller.
    """
    upload = {"file_name": meta.file_name, "uploaded_by": meta.uploaded_by, "source": meta.source}
    tables = {**records, "uploads": _Rows(list(upload), [tuple(upload.values())])}
    for name, rows in tables.items():
        for column, limit in _text_limits(name).items():
            if column not in rows.columns:
                continue
            values = rows.column(column)
            texts = [v for v in values if type(v) is str]
            # One pass in C over the column; the row is looked for only when one is bad.
            if "\x00" not in "".join(texts) and (
                limit is None or max(map(len, texts), default=0) <= limit
            ):
                continue
            for row, value in enumerate(values, 1):
                if not isinstance(value, str):
                    continue
                where = f"{name}.{column}, row {row} of the batch"
                if "\x00" in value:
                    raise WriteRefused(f"{where}: contains a NUL character; nothing was written")
                if limit is not None and len(value) > limit:
                    raise WriteRefused(
                        f"{where}: {len(value):,} characters, more than the {limit:,} the "
                        "database holds; nothing was written"
                    )


def _write_once(
    engine: Engine, records: dict[str, _Rows], meta: UploadMeta, remove_from: list[str]
) -> WriteResult:
    with writing(engine) as conn:
        existing = conn.execute(
            select(models.uploads.c.upload_id).where(models.uploads.c.sha256 == meta.sha256)
        ).scalar()
        if existing is not None:
            return WriteResult(status="duplicate", upload_id=existing)
        _check_projects(conn, records)
        upload_id = conn.execute(
            insert(models.uploads).values(
                file_name=meta.file_name,
                sha256=meta.sha256,
                size_bytes=meta.size_bytes,
                uploaded_by=meta.uploaded_by,
                **roles.upload_columns(meta.identity),
                uploaded_at=datetime.now(UTC),
                source=meta.source,
                status="loaded",
                report=json.dumps(meta.report, default=_json_default) if meta.report else None,
            )
        ).inserted_primary_key[0]
        if meta.content is not None:
            conn.execute(
                insert(models.upload_files).values(upload_id=upload_id, content=meta.content)
            )
        result = WriteResult(status="loaded", upload_id=upload_id)
        # Before any status report of the batch is written: the stored latest is the old one.
        dates = _report_dates(conn, records) if "projects" in records else None
        for name, rows in records.items():
            written, replaced, unchanged = _write_table(
                conn, name, rows, upload_id, dates if name == "projects" else None
            )
            result.rows[name], result.replaced[name], result.unchanged[name] = (
                written,
                replaced,
                unchanged,
            )
        if remove_from:
            _remove_missing(conn, remove_from, records, meta, upload_id, result)
        conn.execute(
            update(models.uploads)
            .where(models.uploads.c.upload_id == upload_id)
            .values(row_counts=json.dumps(result.rows))
        )
        return result


def _remove_missing(
    conn,
    tables: list[str],
    records: dict[str, _Rows],
    meta: UploadMeta,
    upload_id: int,
    result: WriteResult,
) -> None:
    """Remove the rows this source wrote earlier that its new snapshot no longer holds.

    Only rows whose current version came from an upload with the same source and file name are
    touched (never an Excel upload's or another source's). A removed row is deleted from its
    table and kept in ``replaced_rows`` with action ``removed``; when it comes back it is simply
    inserted again. Children go first; a project stays while any row still refers to it.
    """
    u = models.uploads
    owned = select(u.c.upload_id).where(u.c.source == meta.source, u.c.file_name == meta.file_name)
    for name in reversed(tables):  # children before their projects
        table, keys = models.FACT_TABLES[name], models.KEYS[name]
        present = set(records[name].keys(keys)) if name in records else set()
        rows = conn.execute(select(table).where(table.c.upload_id.in_(owned))).mappings()
        gone = [dict(r) for r in rows if tuple(r[k] for k in keys) not in present]
        if name == "projects" and gone:
            used = _referenced_projects(conn, [r["project_id"] for r in gone])
            result.kept_projects = sorted(used)
            gone = [r for r in gone if r["project_id"] not in used]
        if not gone:
            continue
        conn.execute(
            insert(models.replaced_rows),
            [
                {
                    "table_name": name,
                    "row_key": json.dumps([r[k] for k in keys], default=_json_default),
                    "row_json": json.dumps(r, default=_json_default),
                    "replaced_by_upload": upload_id,
                    "action": "removed",
                }
                for r in gone
            ],
        )
        conn.execute(
            delete(table).where(and_(*[table.c[k] == bindparam(f"k_{k}") for k in keys])),
            [{f"k_{k}": r[k] for k in keys} for r in gone],
        )
        result.removed[name] = len(gone)


def _referenced_projects(conn, project_ids: list[str]) -> set[str]:
    """Those of ``project_ids`` that rows of any other table still refer to."""
    used: set[str] = set()
    for name, table in models.FACT_TABLES.items():
        if name == "projects":
            continue
        for chunk in _chunks(project_ids):
            used |= set(
                conn.execute(
                    select(table.c.project_id).where(table.c.project_id.in_(chunk)).distinct()
                ).scalars()
            )
    return used


def _is_duplicate_sha(engine: Engine, sha256: str) -> bool:
    return _upload_id_for(engine, sha256) is not None


def _upload_id_for(engine: Engine, sha256: str) -> int | None:
    with engine.connect() as conn:
        return conn.execute(
            select(models.uploads.c.upload_id).where(models.uploads.c.sha256 == sha256)
        ).scalar()


# --- reading ---------------------------------------------------------------------------------


@_plain_errors
def data_version(engine: Engine) -> int:
    """Changes whenever anything is written: every write creates an upload."""
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.coalesce(func.max(models.uploads.c.upload_id), 0))).scalar()
        )


# Columns no page, chart, analysis or export reads are not loaded: a risk's description (no
# view shows it) and its raised date. A RAID item's description is long text shown only for
# one project or a few chosen items: read then (read_project_text, read_text). Its raised date
# is loaded: the RAID log page ages every item.
NOT_IN_FRAMES = {
    "risks": {"description", "raised_date"},
    "raid_items": {"description"},
}
PROJECT_TEXT = {"raid_items": ["description"]}
# Rows per fetch on the cursor path: bounds the Python objects alive at once.
FETCH_ROWS = 50_000
# The frames' Arrow buffers, and what the pages compute from them, come from the C library's
# malloc rather than Arrow's default pool (mimalloc), which held on to what page runs had freed:
# at 2,000 projects x 156 weeks the server's peak after every page was 50 to 70 MB higher
# (bench/bench_scale.py, both databases). An operator's ARROW_DEFAULT_MEMORY_POOL still wins.
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())
_CATEGORY = pa.dictionary(pa.int32(), pa.string())
# Held as categoricals: ids, and who reported (only shown, never computed with), few distinct
# values repeated in every weekly snapshot; and a register's item text (models.REGISTER_TEXT),
# the same in every snapshot (risks at 2,000 projects x 156 weeks: 156 -> 68 MB), which
# latest_snapshot makes plain text again. Other text (names, RAG, narratives) stays a pyarrow
# string: analytics assign values such as "Grey" or "not reported" to such columns and join
# them to other text, which a categorical refuses.
CATEGORICAL = {"project_id", "risk_id", "milestone_id", "decision_id", "item_id", "reported_by"}


def frame_columns(name: str) -> list[str]:
    """The columns of table ``name`` that ``read_frames`` loads, in table order."""
    skip = NOT_IN_FRAMES.get(name, set())
    return [c.name for c in models.FACT_TABLES[name].columns if c.name not in skip]


def _arrow_type(column) -> pa.DataType:
    """How a column is held: ids and a register's item text as categoricals (``CATEGORICAL``),
    other text as pyarrow strings, dates as datetime64[s]."""
    kind = column.type
    if column.name in CATEGORICAL or column.name in models.REGISTER_TEXT.get(column.table.name, ()):
        return _CATEGORY
    if isinstance(kind, String):
        return pa.string()
    if isinstance(kind, Date):
        return pa.date32()
    if isinstance(kind, Boolean):
        return pa.bool_()
    if isinstance(kind, Integer):
        return pa.int64()
    return pa.float64()


def _to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas without a Python object per value: text stays in pyarrow strings,
    dictionaries become categoricals, dates datetime64[s], integers with gaps float64."""
    for i, field_ in enumerate(table.schema):
        if pa.types.is_date32(field_.type):
            table = table.set_column(i, field_.name, table.column(i).cast(pa.timestamp("s")))
    df = table.to_pandas(
        types_mapper={
            pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),
            pa.bool_(): pd.BooleanDtype(),
        }.get,
        self_destruct=True,
        split_blocks=True,
    )
    # A dictionary lists its values in the order met; a categorical sorts by that order, so
    # sort the categories or "sort by risk id" would put R005 before R004.
    for col in df.select_dtypes("category"):
        df[col] = df[col].cat.reorder_categories(sorted(df[col].cat.categories))
    return df


def _sql(conn, stmt) -> str:
    # Values inline (quoted by SQLAlchemy): COPY takes no bound parameters.
    return str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))


def _fetch_arrow(conn, stmt, types: list[pa.DataType]) -> pa.Table:
    """``stmt`` through the driver's cursor, ``FETCH_ROWS`` at a time, into Arrow columns
    (MariaDB's frames, the per-project text reads, and any database ADBC cannot open): no
    SQLAlchemy row objects, and only one chunk of tuples alive."""
    names = [c.name for c in stmt.selected_columns]
    sql = _sql(conn, stmt)
    batches = []
    with _driver_errors(conn, sql) as raw, closing(raw.cursor()) as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(FETCH_ROWS):
            arrays = []
            for values, kind in zip(zip(*rows, strict=True), types, strict=True):
                if kind == _CATEGORY:
                    arrays.append(pa.array(values, pa.string()).dictionary_encode())
                else:
                    # SQLite hands dates over as ISO text and booleans as 0/1: cast them.
                    arrays.append(pa.array(values).cast(kind))
            batches.append(pa.RecordBatch.from_arrays(arrays, names=names))
    if not batches:
        return pa.table([pa.array([], t) for t in types], names=names)
    return pa.Table.from_batches(batches).unify_dictionaries()


def _cast(column: pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    """A column as ADBC gives it, in the type ``_arrow_type`` holds it in: SQLite's dates are
    ISO text and its booleans 0/1, PostgreSQL's integers may be 32-bit, and a SQLite column
    with no value at all comes as int64."""
    text = pa.string() if kind == _CATEGORY else kind
    if column.null_count == len(column):
        column = pa.chunked_array([pa.nulls(len(column), text)])
    column = column.cast(text)
    return column.dictionary_encode() if kind == _CATEGORY else column


# Rows ADBC's SQLite driver looks at to infer a column's type, which it then holds to: a column
# NULL in its first 1,024 rows (the default) and text later fails the read. One batch for a
# whole table: the types come from every row, as the table's affinity stored them.
_SQLITE_BATCH_ROWS = str(1 << 30)


def _adbc_connect(url: URL):
    """An ADBC connection to the app database at ``url``, or None where ADBC has no driver
    (MariaDB, an in-memory SQLite) or cannot connect (logged: the cursor reads the same)."""
    import adbc_driver_manager

    try:
        if url.get_backend_name() == "sqlite":
            if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
                return None
            import adbc_driver_sqlite.dbapi

            # read-only: this connection never writes, whatever a statement says
            uri = f"{Path(url.database).resolve().as_uri()}?mode=ro"
            return adbc_driver_sqlite.dbapi.connect(uri)
        if url.get_backend_name() == "postgresql":
            import adbc_driver_postgresql.dbapi

            libpq = url.set(drivername="postgresql").render_as_string(hide_password=False)
            return adbc_driver_postgresql.dbapi.connect(libpq)
    except adbc_driver_manager.Error as exc:
        log.warning("reading %s without ADBC: %s", _shown(url), _first_line(exc, url))
    return None


@contextmanager
def _adbc(engine: Engine):
    """An ADBC cursor for ``read_frames``, in one read-only transaction that sees one moment
    (SQLite's snapshot, PostgreSQL's repeatable read): columns come as Arrow from the driver's
    C code, with no Python object per value (2,000 projects x 156 weeks, 1.8 million rows:
    SQLite 8.1 -> 2.8 s CPU, PostgreSQL 4.7 -> 3.0 s). None where there is no ADBC connection
    (``_adbc_connect``)."""
    import adbc_driver_manager

    conn = _adbc_connect(engine.url)
    if conn is None:
        yield None
        return
    try:
        with closing(conn.cursor()) as cursor:
            if engine.dialect.name == "sqlite":
                options = {"adbc.sqlite.query.batch_rows": _SQLITE_BATCH_ROWS}
                cursor.adbc_statement.set_options(**options)
            else:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield cursor
    except adbc_driver_manager.Error as exc:
        raise DatabaseUnavailable(
            f"reading the app database {_shown(engine.url)} failed "
            f"({_first_line(exc, engine.url)[:300]})"
        ) from None
    finally:
        conn.close()


def _adbc_arrow(cursor, sql: str, types: list[pa.DataType | None]) -> pa.Table:
    """``sql`` through the ADBC cursor, each column cast to its type (None: as it comes)."""
    cursor.execute(sql)
    table = cursor.fetch_arrow_table()
    columns = [
        _compact(column if kind is None else _cast(column, kind))
        for column, kind in zip(table.columns, types, strict=True)
    ]
    return pa.table(columns, names=table.column_names).unify_dictionaries()


def _compact(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """``column`` in fresh buffers from Arrow's pool. The driver's buffers carry slack (they
    grow as rows come), and a frame that kept them would keep the slack with them: about 200 MB
    of process memory at 2,000 projects x 156 weeks on SQLite. One chunk, so pandas need not
    join chunks again (PostgreSQL's come in many); chunk by chunk for a text column over one
    chunk's 2 GB. A dictionary is already a fresh copy."""
    if pa.types.is_dictionary(column.type):
        return column
    try:
        return pa.chunked_array([pa.concat_arrays(column.chunks)], column.type)
    except pa.ArrowInvalid:  # offset overflow
        return pa.chunked_array([pa.concat_arrays([c]) for c in column.chunks], column.type)


def _read_table(conn, table, columns: list[str], where=None, adbc=None) -> pd.DataFrame:
    """``columns`` of ``table`` (rows ``where`` holds) through the ADBC cursor ``adbc`` if
    given, else the driver's cursor of ``conn``."""
    stmt = select(*[table.c[c] for c in columns])
    if where is not None:
        stmt = stmt.where(where)
    types = [_arrow_type(table.c[c]) for c in columns]
    if adbc is not None:
        return _to_pandas(_adbc_arrow(adbc, _sql(conn, stmt), types))
    return _to_pandas(_fetch_arrow(conn, stmt, types))


@contextmanager
def collector_paused():
    """No cyclic garbage collection while a million small acyclic containers are built (rows
    fetched, cells parsed): the collector would scan them again and again for nothing (a third
    of reading the frames, a sixth of a parse). Reference counting still frees everything as it
    goes. Process-wide, for about a second: a pause that begins while another is on leaves
    the switching back to that one, so the collector is never left off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@_plain_errors
def read_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every canonical table as a frame of the columns the app uses (``frame_columns``), plus
    ``uploads`` without bytes and ``replaced_status``. Compact and columnar: ids as
    categoricals, other text as pyarrow strings, dates as datetime64[s]; read in one
    transaction, so all tables show the same moment (through ADBC where it has a driver:
    ``_adbc``; on MariaDB a transaction of the server's default isolation)."""
    frames: dict[str, pd.DataFrame] = {}
    with collector_paused(), _adbc(engine) as fast, engine.connect() as conn, conn.begin():
        for name, table in models.FACT_TABLES.items():
            frames[name] = _read_table(conn, table, frame_columns(name), adbc=fast)
        frames["uploads"] = read_uploads(conn, fast)
        frames["replaced_status"] = _replaced_status(conn, fast)
    return frames


@_plain_errors
def read_project_text(engine: Engine, name: str, project_id: str) -> pd.DataFrame:
    """The long text of table ``name`` that frames leave out (``PROJECT_TEXT``), for one
    project: its key columns and the text columns."""
    table = models.FACT_TABLES[name]
    columns = [*models.KEYS[name], *PROJECT_TEXT[name]]
    with engine.connect() as conn, conn.begin():
        return _read_table(conn, table, columns, table.c.project_id == project_id)


# Project ids per query of read_text: well under every backend's bound-parameter limit
# (SQLite's default is 32,766, older builds 999).
TEXT_IDS_PER_QUERY = 900


@_plain_errors
def read_text(engine: Engine, name: str, project_ids) -> pd.DataFrame:
    """``read_project_text`` for several projects at once: one query per
    ``TEXT_IDS_PER_QUERY`` projects, not one per project."""
    table = models.FACT_TABLES[name]
    columns = [*models.KEYS[name], *PROJECT_TEXT[name]]
    ids = sorted({str(p) for p in project_ids})
    chunks = [ids[i : i + TEXT_IDS_PER_QUERY] for i in range(0, len(ids), TEXT_IDS_PER_QUERY)]
    with engine.connect() as conn, conn.begin():
        parts = [
            _read_table(conn, table, columns, table.c.project_id.in_(chunk))
            for chunk in chunks or [[]]
        ]
    # Categorical ids of two reads have different categories: concat makes them plain text.
    return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


def _query(conn, stmt, adbc=None) -> pd.DataFrame:
    """The rows of ``stmt`` as a frame, through the ADBC cursor ``adbc`` if given (in its
    transaction), else through ``conn``."""
    if adbc is None:
        return pd.read_sql(stmt, conn)
    # a timestamp as the driver gives it (text on SQLite): read_uploads parses it
    types = [
        None if isinstance(c.type, DateTime) else _arrow_type(c) for c in stmt.selected_columns
    ]
    return _adbc_arrow(adbc, _sql(conn, stmt), types).to_pandas()


def _replaced_status(conn, adbc=None) -> pd.DataFrame:
    """Status snapshots a later upload replaced: the old row and the upload that replaced it."""
    r = models.replaced_rows
    rows = _query(
        conn,
        select(r.c.row_json, r.c.replaced_by_upload).where(r.c.table_name == "status_reports"),
        adbc,
    )
    df = pd.DataFrame(
        [
            {**json.loads(row_json), "replaced_by_upload": int(by)}
            for row_json, by in zip(rows["row_json"], rows["replaced_by_upload"], strict=True)
        ],
        columns=[*models.FIELDS["status_reports"], "upload_id", "replaced_by_upload"],
    )
    for col in models.DATE_FIELDS["status_reports"]:
        df[col] = pd.to_datetime(df[col])
    return df


def read_uploads(conn, adbc=None) -> pd.DataFrame:
    u = models.uploads
    cols = [c for c in u.columns if c.name != "report"]
    df = _query(conn, select(*cols).order_by(u.c.upload_id.desc()), adbc)
    # SQLite keeps it as text, with or without fractions of a second
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"], utc=True, format="ISO8601")
    return df


@_plain_errors
def upload_content(engine: Engine, upload_id: int) -> tuple[str, bytes | None]:
    """The original file name and raw bytes of one upload."""
    u, f = models.uploads, models.upload_files
    with engine.connect() as conn:
        row = conn.execute(
            select(u.c.file_name, f.c.content)
            .select_from(u.outerjoin(f, f.c.upload_id == u.c.upload_id))
            .where(u.c.upload_id == upload_id)
        ).one()
    return row.file_name, row.content


@_plain_errors
def upload_report(engine: Engine, upload_id: int) -> dict | None:
    u = models.uploads
    with engine.connect() as conn:
        raw = conn.execute(select(u.c.report).where(u.c.upload_id == upload_id)).scalar()
    return json.loads(raw) if raw else None


@_plain_errors
def upload_reports(engine: Engine) -> dict[int, dict]:
    """The stored validation report of every upload that kept one (skipped rows, warnings)."""
    u = models.uploads
    with engine.connect() as conn:
        rows = conn.execute(select(u.c.upload_id, u.c.report).where(u.c.report.is_not(None)))
        return {r.upload_id: json.loads(r.report) for r in rows}


@_plain_errors
def replaced_counts(engine: Engine) -> pd.DataFrame:
    """Per upload, how many stored rows it replaced and how many it removed (a SQL sync's rows
    the source no longer returns): the audit's "replaced snapshots"."""
    r = models.replaced_rows
    query = select(
        r.c.replaced_by_upload.label("upload_id"),
        func.sum(case((r.c.action == "removed", 0), else_=1)).label("replaced"),
        func.sum(case((r.c.action == "removed", 1), else_=0)).label("removed"),
    ).group_by(r.c.replaced_by_upload)
    with engine.connect() as conn:
        return pd.read_sql(query, conn).astype("int64")


@_plain_errors
def known_project_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(models.projects.c.project_id)).scalars())
