"""The app database: engine, migrations, the one write path and the frame reader.

Every write goes through ``write_batch``: one transaction that records the upload (raw bytes,
sha256, who, when, report) and writes its rows; a row whose key already exists is replaced and
the old version kept in ``replaced_rows``. Reading returns pandas frames keyed by a cheap
``data_version`` so callers can cache them. Nothing here imports streamlit.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Engine,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

import models
from config import ROOT

DEFAULT_SQLITE_PATH = ROOT / "data" / "pmo_lens.db"
# Parents before children so foreign keys hold inside the transaction.
WRITE_ORDER = ["projects", "status_reports", "risks", "milestones", "decisions", "raid_items"]


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
    """An engine for ``url`` (default ``database_url()``), schema migrated to the latest version."""
    url = _normalise_url(url or database_url())
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        _configure_sqlite(engine)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    migrate(engine)
    return engine


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


def migrate(engine: Engine) -> None:
    """Bring the schema to the latest Alembic revision (creates it on an empty database)."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


# --- writing ---------------------------------------------------------------------------------


@dataclass
class UploadMeta:
    file_name: str
    sha256: str
    size_bytes: int
    uploaded_by: str
    source: str  # upload, cli, sql, sample
    content: bytes | None = None
    report: dict | None = None


@dataclass
class WriteResult:
    status: str  # "loaded" or "duplicate"
    upload_id: int | None
    rows: dict[str, int] = field(default_factory=dict)  # rows inserted or changed per table
    replaced: dict[str, int] = field(default_factory=dict)  # of which replaced an older version
    unchanged: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)  # see write_batch(remove_missing=)
    kept_projects: list[str] = field(default_factory=list)  # gone, but other rows refer to them


class UnknownProjectError(ValueError):
    """Rows refer to projects that are neither in the database nor in the same batch."""


def _column(series: pd.Series, is_date: bool) -> list:
    """A column as plain Python values for the database: missing -> None, dates -> date.

    Column-wise (not cell by cell): it is most of the cost of writing 50,000 rows.
    """
    if is_date:
        series = pd.to_datetime(series).dt.date
    return series.astype(object).where(series.notna(), None).tolist()


def _records(name: str, frame: pd.DataFrame) -> list[dict]:
    cols = [c for c in models.FIELDS[name] if c in frame.columns]
    dates = set(models.DATE_FIELDS[name])
    columns = [_column(frame[c], c in dates) for c in cols]
    return [dict(zip(cols, row, strict=True)) for row in zip(*columns, strict=True)]


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


def _existing_rows(conn, name: str, records: list[dict]) -> dict[tuple, dict]:
    """Rows already stored under the keys of ``records``, keyed by their primary key tuple."""
    table = models.FACT_TABLES[name]
    keys = models.KEYS[name]
    wanted = {tuple(r[k] for k in keys) for r in records}
    project_ids = sorted({r["project_id"] for r in records})
    found: dict[tuple, dict] = {}
    for chunk in _chunks(project_ids):
        stmt = select(table).where(table.c.project_id.in_(chunk))
        if "report_date" in keys:
            dates = sorted({r["report_date"] for r in records})
            stmt = stmt.where(table.c.report_date.in_(dates))
        for row in conn.execute(stmt).mappings():
            key = tuple(row[k] for k in keys)
            if key in wanted:
                found[key] = dict(row)
    return found


def _write_table(conn, name: str, records: list[dict], upload_id: int) -> tuple[int, int, int]:
    table = models.FACT_TABLES[name]
    keys = models.KEYS[name]
    existing = _existing_rows(conn, name, records)
    inserts, updates, history = [], [], []
    unchanged = 0
    for rec in records:
        key = tuple(rec[k] for k in keys)
        old = existing.get(key)
        if old is None:
            inserts.append({**rec, "upload_id": upload_id})
        elif _same(old, rec):
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
        conn.execute(insert(table), inserts)
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


def _check_projects(conn, tables: dict[str, list[dict]]) -> None:
    referenced = {
        r["project_id"] for name, recs in tables.items() if name != "projects" for r in recs
    }
    known = {r["project_id"] for r in tables.get("projects", [])}
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


def write_batch(
    engine: Engine, frames: dict[str, pd.DataFrame], meta: UploadMeta, remove_missing: bool = False
) -> WriteResult:
    """Write one upload and its canonical frames in one transaction; all of it or none of it.

    The same content (sha256) twice is reported as ``duplicate`` and writes nothing. Frames
    must already be valid canonical frames (see ``models.SCHEMAS``). With ``remove_missing``
    (a SQL source's full snapshot) the rows of earlier uploads with the same source and file
    name that are not in ``frames`` (tables given, even empty) are removed (``_remove_missing``).
    """
    records = {n: _records(n, frames[n]) for n in WRITE_ORDER if n in frames and len(frames[n])}
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
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    raise AssertionError("unreachable")


def _write_once(
    engine: Engine, records: dict[str, list[dict]], meta: UploadMeta, remove_from: list[str]
) -> WriteResult:
    with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
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
                uploaded_at=datetime.now(UTC),
                source=meta.source,
                status="loaded",
                content=meta.content,
                report=json.dumps(meta.report, default=_json_default) if meta.report else None,
            )
        ).inserted_primary_key[0]
        result = WriteResult(status="loaded", upload_id=upload_id)
        for name, recs in records.items():
            written, replaced, unchanged = _write_table(conn, name, recs, upload_id)
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
    records: dict[str, list[dict]],
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
        present = {tuple(r[k] for k in keys) for r in records.get(name, [])}
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


def data_version(engine: Engine) -> int:
    """Changes whenever anything is written: every write creates an upload."""
    with engine.connect() as conn:
        return int(
            conn.execute(select(func.coalesce(func.max(models.uploads.c.upload_id), 0))).scalar()
        )


def read_frames(engine: Engine) -> dict[str, pd.DataFrame]:
    """Every canonical table as a frame (dates as datetime64), plus ``uploads`` without bytes."""
    frames: dict[str, pd.DataFrame] = {}
    with engine.connect() as conn:
        for name, table in models.FACT_TABLES.items():
            df = pd.read_sql(select(table), conn)
            for col in models.DATE_FIELDS[name]:
                df[col] = pd.to_datetime(df[col])
            if "is_gate" in df:
                df["is_gate"] = df["is_gate"].astype("boolean")
            frames[name] = df
        frames["uploads"] = read_uploads(conn)
        frames["replaced_status"] = _replaced_status(conn)
    return frames


def _replaced_status(conn) -> pd.DataFrame:
    """Status snapshots a later upload replaced: the old row and the upload that replaced it."""
    r = models.replaced_rows
    rows = conn.execute(
        select(r.c.row_json, r.c.replaced_by_upload).where(r.c.table_name == "status_reports")
    ).all()
    df = pd.DataFrame(
        [
            {**json.loads(row.row_json), "replaced_by_upload": row.replaced_by_upload}
            for row in rows
        ],
        columns=[*models.FIELDS["status_reports"], "upload_id", "replaced_by_upload"],
    )
    for col in models.DATE_FIELDS["status_reports"]:
        df[col] = pd.to_datetime(df[col])
    return df


def read_uploads(conn) -> pd.DataFrame:
    u = models.uploads
    cols = [c for c in u.columns if c.name not in ("content", "report")]
    df = pd.read_sql(select(*cols).order_by(u.c.upload_id.desc()), conn)
    df["uploaded_at"] = pd.to_datetime(df["uploaded_at"], utc=True)
    return df


def upload_content(engine: Engine, upload_id: int) -> tuple[str, bytes | None]:
    """The original file name and raw bytes of one upload."""
    u = models.uploads
    with engine.connect() as conn:
        row = conn.execute(
            select(u.c.file_name, u.c.content).where(u.c.upload_id == upload_id)
        ).one()
    return row.file_name, row.content


def upload_report(engine: Engine, upload_id: int) -> dict | None:
    u = models.uploads
    with engine.connect() as conn:
        raw = conn.execute(select(u.c.report).where(u.c.upload_id == upload_id)).scalar()
    return json.loads(raw) if raw else None


def upload_reports(engine: Engine) -> dict[int, dict]:
    """The stored validation report of every upload that kept one (skipped rows, warnings)."""
    u = models.uploads
    with engine.connect() as conn:
        rows = conn.execute(select(u.c.upload_id, u.c.report).where(u.c.report.is_not(None)))
        return {r.upload_id: json.loads(r.report) for r in rows}


def known_project_ids(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(models.projects.c.project_id)).scalars())
