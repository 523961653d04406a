"""The write path under concurrency and crashes, on SQLite and PostgreSQL, with real processes.

Children are plain subprocesses (not multiprocessing, see tests/db/test_store.py). They wait for a
"go" file so that all of them hit the database at the same moment.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, inspect, select, text

import models
import store
from tests.conftest import ROOT
from tests.db.test_store import _projects, _status

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

WORKERS = 8
SAME = ("SAME", "2026-03-06")


def _wait_for_go(go: str) -> None:
    Path(go + f".ready.{os.getpid()}").touch()
    while not Path(go).exists():
        time.sleep(0.005)


def _start(role: str, url: str, go: Path, *args: str) -> subprocess.Popen:
    code = f"import sys; from tests.db.test_store_concurrency import {role} as f; f(*sys.argv[1:])"
    return subprocess.Popen(
        [sys.executable, "-c", code, url, str(go), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _run_all(role: str, url: str, tmp_path: Path, args: list[list[str]]) -> list[tuple]:
    """Start one child per argument list, release them together, return (code, out, err)."""
    go = tmp_path / "go"
    procs = [_start(role, url, go, *a) for a in args]
    deadline = time.monotonic() + 120
    while len(list(tmp_path.glob("go.ready.*"))) < len(procs) and time.monotonic() < deadline:
        time.sleep(0.05)
    go.touch()
    return [(p.wait(180), *p.communicate()) for p in procs]


# --- same-key replacement --------------------------------------------------------------------


def _same_key_writer(url: str, go: str, worker: str) -> None:
    engine = store.get_engine(url)
    _wait_for_go(go)
    batch = {"status_reports": _status(SAME[0], SAME[1], ev=float(worker))}
    meta = store.UploadMeta("s.xlsx", f"{worker:0>64}", 3, f"w{worker}", "upload", b"x")
    print(store.write_batch(engine, batch, meta).status)


def test_same_key_from_eight_processes_keeps_every_version_once(db_url, tmp_path):
    engine = store.get_engine(db_url)
    meta = store.UploadMeta("p.xlsx", "p".ljust(64, "0"), 3, "pm", "upload", b"x")
    store.write_batch(engine, {"projects": _projects(SAME[0])}, meta)

    results = _run_all("_same_key_writer", db_url, tmp_path, [[str(w)] for w in range(WORKERS)])

    assert [(code, out.strip()) for code, out, _ in results] == [(0, "loaded")] * WORKERS, [
        err for *_, err in results
    ]
    with engine.connect() as conn:
        live = conn.execute(select(models.status_reports.c.earned_value)).scalars().all()
        history = conn.execute(
            select(models.replaced_rows.c.row_json).where(
                models.replaced_rows.c.table_name == "status_reports"
            )
        ).scalars()
        replaced = [json.loads(r)["earned_value"] for r in history]
    assert len(live) == 1 and len(replaced) == WORKERS - 1
    assert sorted(live + replaced) == [float(w) for w in range(WORKERS)]


# --- migrations on an empty database ---------------------------------------------------------


def _migrator(url: str, go: str) -> None:
    _wait_for_go(go)
    store.get_engine(url)
    print("ok")


def test_eight_processes_migrate_one_empty_database(db_url, tmp_path):
    results = _run_all("_migrator", db_url, tmp_path, [[] for _ in range(WORKERS)])

    assert [(code, out.strip()) for code, out, _ in results] == [(0, "ok")] * WORKERS, [
        err for *_, err in results
    ]
    assert not any("Traceback" in err for *_, err in results)
    engine = create_engine(store._normalise_url(db_url))
    with engine.connect() as conn:
        versions = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert set(models.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    assert len(versions) == 1


# --- kill -9 in the middle of a commit --------------------------------------------------------

BIG_META = store.UploadMeta("big.csv", "b".ljust(64, "0"), 1, "pm", "cli", b"big")


def _big_batch() -> dict[str, pd.DataFrame]:
    """1,000 projects and 50,000 status rows with long summaries: a commit of many seconds."""
    ids = [f"K{i:04d}" for i in range(1000)]
    dates = pd.date_range("2025-01-03", periods=50, freq="7D")
    status = pd.DataFrame(
        [(pid, d) for pid in ids for d in dates], columns=["project_id", "report_date"]
    )
    status["overall_rag"] = "Green"
    status["summary"] = "on track " * 50
    return {"projects": _projects(*ids), "status_reports": status}


def _big_writer(url: str, go: str) -> None:
    engine = store.get_engine(url)
    batch = _big_batch()
    _wait_for_go(go)
    print(store.write_batch(engine, batch, BIG_META).status)


def _in_write_transaction(url: str, wal: Path, baseline: int) -> bool:
    """Deterministic signs that the child is inside its transaction and has written rows."""
    if url.startswith("sqlite"):
        if not wal.exists() or wal.stat().st_size < baseline + 2_000_000:
            return False
        probe = sqlite3.connect(url.split("///", 1)[1], timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")  # fails while the child holds the write lock
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    return _pg_backends(
        url,
        "AND backend_xid IS NOT NULL "
        "AND (query LIKE 'INSERT INTO status%' OR query LIKE 'COPY status%')",
    )


def _pg_backends(url: str, where: str = "") -> bool:
    admin = create_engine(store._normalise_url(url.split("?")[0]))
    with admin.connect() as conn:
        n = conn.execute(
            text(
                f"SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pmo_kill' {where}"
            )
        ).scalar()
    admin.dispose()
    return bool(n)


def test_kill_during_commit_leaves_nothing_and_the_same_file_loads(db_url, tmp_path):
    store.get_engine(db_url)  # migrated up front: the child's transaction is the only writer
    url = db_url if db_url.startswith("sqlite") else db_url + "?application_name=pmo_kill"
    wal = Path(db_url.split("///", 1)[-1] + "-wal")
    baseline = wal.stat().st_size if wal.exists() else 0
    go = tmp_path / "go"
    child = _start("_big_writer", url, go)
    while not list(tmp_path.glob("go.ready.*")):
        assert child.poll() is None, child.communicate()
        time.sleep(0.05)
    go.touch()
    while not _in_write_transaction(url, wal, baseline):
        assert child.poll() is None, f"child ended before it was killed: {child.communicate()}"
        time.sleep(0.01)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(30) == -signal.SIGKILL
    while not url.startswith("sqlite") and _pg_backends(url):
        time.sleep(0.05)  # the server notices the closed connection and rolls back

    engine = store.get_engine(db_url)
    with engine.connect() as conn:
        for table in (models.uploads, models.projects, models.status_reports):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0
    again = store.write_batch(engine, _big_batch(), BIG_META)
    assert again.status == "loaded"
    assert again.rows == {"projects": 1000, "status_reports": 50_000}
