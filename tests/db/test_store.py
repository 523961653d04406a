"""The app database on SQLite and PostgreSQL: migrate, write, read back, replace, concurrency."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
from sqlalchemy import func, inspect, select, text

import models
import store
from tests.conftest import ROOT
from tests.migrations_helpers import at_revision


def _projects(*ids):
    return pd.DataFrame(
        {
            "project_id": list(ids),
            "name": [f"Project {i}" for i in ids],
            "budget": [1000.0] * len(ids),
            "start_date": pd.to_datetime(["2026-01-05"] * len(ids)),
            "end_date": pd.to_datetime(["2026-12-31"] * len(ids)),
        }
    )


def _status(pid, date, rag="Green", ev=100.0):
    return pd.DataFrame(
        {
            "project_id": [pid],
            "report_date": pd.to_datetime([date]),
            "overall_rag": [rag],
            "rag_label": [rag],
            "planned_value": [100.0],
            "earned_value": [ev],
            "actual_cost": [100.0],
            "summary": ["=HYPERLINK('x')"],  # stored as text, untouched
        }
    )


def _meta(sha, name="status.xlsx"):
    return store.UploadMeta(name, sha.ljust(64, "0"), 3, "pm@example.com", "upload", b"abc")


def test_migration_from_empty_creates_every_table(db_url):
    engine = store.get_engine(db_url)
    tables = set(inspect(engine).get_table_names())
    assert set(models.metadata.tables) <= tables
    assert "alembic_version" in tables
    store.migrate(engine)  # running again is a no-op
    assert store.data_version(engine) == 0


def test_head_revision_is_alembics_head():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "migrations"))
    assert ScriptDirectory.from_config(config).get_current_head() == store.HEAD_REVISION


def test_a_database_at_head_opens_while_an_upload_holds_the_write_lock(sqlite_url):
    """A process starting during a long upload reads the schema's revision and goes on: it
    neither takes nor waits for SQLite's write lock (the busy timeout is 60 s)."""
    import sqlite3
    import threading

    store.get_engine(sqlite_url)
    store.get_engine.cache_clear()
    writer = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # what write_batch holds while it writes
    opened = threading.Event()
    try:
        thread = threading.Thread(target=lambda: (store.get_engine(sqlite_url), opened.set()))
        thread.start()
        assert opened.wait(10), "opening the database waited for the write lock"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        thread.join()


def test_write_read_back(db_url):
    engine = store.get_engine(db_url)
    res = store.write_batch(
        engine,
        {"projects": _projects("007"), "status_reports": _status("007", "2026-03-06")},
        _meta("a"),
    )
    assert res.status == "loaded" and res.rows == {"projects": 1, "status_reports": 1}
    frames = store.read_frames(engine)
    assert frames["projects"]["project_id"].tolist() == ["007"]  # leading zeros kept
    row = frames["status_reports"].iloc[0]
    assert row["report_date"] == pd.Timestamp("2026-03-06")
    assert row["summary"] == "=HYPERLINK('x')"
    assert row["upload_id"] == res.upload_id
    up = frames["uploads"].iloc[0]
    assert up["uploaded_by"] == "pm@example.com" and up["source"] == "upload"
    assert json.loads(up["row_counts"]) == {"projects": 1, "status_reports": 1}
    assert store.upload_content(engine, res.upload_id) == ("status.xlsx", b"abc")
    assert store.data_version(engine) == res.upload_id


def test_same_file_twice_is_a_duplicate(db_url):
    engine = store.get_engine(db_url)
    batch = {"projects": _projects("1"), "status_reports": _status("1", "2026-03-06")}
    first = store.write_batch(engine, batch, _meta("a"))
    again = store.write_batch(engine, batch, _meta("a"))
    assert again.status == "duplicate" and again.upload_id == first.upload_id
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.uploads)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(models.status_reports)).scalar() == 1


def test_rewriting_a_snapshot_replaces_it_and_keeps_history(db_url):
    engine = store.get_engine(db_url)
    store.write_batch(
        engine,
        {"projects": _projects("1"), "status_reports": _status("1", "2026-03-06")},
        _meta("a"),
    )
    res = store.write_batch(
        engine, {"status_reports": _status("1", "2026-03-06", rag="Red", ev=50.0)}, _meta("b")
    )
    assert res.replaced == {"status_reports": 1}
    frames = store.read_frames(engine)
    assert frames["status_reports"]["overall_rag"].tolist() == ["Red"]
    with engine.connect() as conn:
        hist = conn.execute(select(models.replaced_rows)).mappings().all()
    assert len(hist) == 1 and hist[0]["replaced_by_upload"] == res.upload_id
    assert json.loads(hist[0]["row_json"])["overall_rag"] == "Green"


def test_identical_rows_are_left_alone(db_url):
    engine = store.get_engine(db_url)
    store.write_batch(engine, {"projects": _projects("1")}, _meta("a"))
    res = store.write_batch(engine, {"projects": _projects("1")}, _meta("b"))
    assert res.rows == {"projects": 0} and res.unchanged == {"projects": 1}


def test_unknown_project_writes_nothing(db_url):
    engine = store.get_engine(db_url)
    with pytest.raises(store.UnknownProjectError, match="X9"):
        store.write_batch(engine, {"status_reports": _status("X9", "2026-03-06")}, _meta("a"))
    assert store.data_version(engine) == 0


def test_failed_write_rolls_back_everything(db_url):
    engine = store.get_engine(db_url)
    twice = pd.concat([_status("1", "2026-03-06"), _status("1", "2026-03-06")])  # same key twice
    with pytest.raises(Exception):  # noqa: B017 - the driver's own error type
        store.write_batch(engine, {"projects": _projects("1"), "status_reports": twice}, _meta("a"))
    assert store.data_version(engine) == 0
    assert store.read_frames(engine)["projects"].empty


def _writer(url: str, worker: str, n: str = "8") -> None:
    worker, n = int(worker), int(n)
    engine = store.get_engine(url)
    ids = [f"W{worker}-{i}" for i in range(n)]
    for i, pid in enumerate(ids):
        batch = {
            "projects": _projects(pid, "SHARED"),
            "status_reports": pd.concat(
                [
                    _status(pid, "2026-03-06"),
                    _status("SHARED", f"2026-03-{6 + i % 3:02d}", ev=worker),
                ]
            ),
        }
        res = store.write_batch(engine, batch, _meta(f"{worker}{i:03d}"))
        assert res.status == "loaded"


def test_concurrent_writers_in_separate_processes(db_url):
    store.get_engine(db_url)  # migrate once up front
    # Plain subprocesses (not multiprocessing): a spawned child would re-run whatever script
    # pytest's __main__ last pointed at, e.g. app.py after an AppTest.
    code = "import sys; from tests.db.test_store import _writer as w; w(*sys.argv[1:])"
    procs = [
        subprocess.Popen([sys.executable, "-c", code, db_url, str(w)], cwd=ROOT) for w in (1, 2)
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    frames = store.read_frames(store.get_engine(db_url))
    assert len(frames["uploads"]) == 16
    ids = set(frames["projects"]["project_id"])
    assert {f"W{w}-{i}" for w in (1, 2) for i in range(8)} <= ids
    own = frames["status_reports"][frames["status_reports"]["project_id"] != "SHARED"]
    assert len(own) == 16
    # each own row points at an upload made by its writer: nothing mixed
    by_upload = frames["uploads"].set_index("upload_id")["sha256"]
    for pid, uid in zip(own["project_id"], own["upload_id"], strict=True):
        assert by_upload[uid].startswith(pid[1])


def test_an_uploads_file_is_kept_whole_on_every_backend(any_db):
    """A 1 MB workbook's bytes come back as written (MariaDB's BLOB held 64 KB: LONGBLOB), kept
    apart from the upload's row, which the frames read without them."""
    engine = store.get_engine(any_db)
    big = bytes(range(256)) * 4096  # 1 MiB, every byte value
    meta = store.UploadMeta("big.xlsx", "b" * 64, len(big), "pm@example.com", "upload", big)
    batch = {"projects": _projects("1"), "status_reports": _status("1", "2026-03-06")}
    res = store.write_batch(engine, batch, meta)
    assert store.upload_content(engine, res.upload_id) == ("big.xlsx", big)
    assert "content" not in store.read_frames(engine)["uploads"]
    engine.dispose()


def test_migration_0008_moves_each_file_to_upload_files_and_back(any_db):
    """At 0007 an upload kept its file in uploads.content: upgrading moves the bytes (and keeps
    an upload without a file), downgrading puts them back."""
    with at_revision(any_db, "0007") as conn:
        for upload_id, content in ((1, b"\x00old file\xff"), (2, None)):
            conn.execute(
                text(
                    "INSERT INTO uploads (upload_id, file_name, sha256, size_bytes, uploaded_by, "
                    "uploaded_at, source, status, content) VALUES (:id, 'old.xlsx', :sha, 9, "
                    "'someone', '2026-01-01 00:00:00', 'upload', 'loaded', :content)"
                ),
                {"id": upload_id, "sha": str(upload_id) * 64, "content": content},
            )
    engine = store.get_engine(any_db)
    assert "content" not in {c["name"] for c in inspect(engine).get_columns("uploads")}
    assert store.upload_content(engine, 1) == ("old.xlsx", b"\x00old file\xff")
    assert store.upload_content(engine, 2) == ("old.xlsx", None)
    engine.dispose()
    with at_revision(any_db, "0007", downgrade=True) as conn:
        rows = conn.execute(text("SELECT upload_id, content FROM uploads ORDER BY upload_id"))
        assert [(r[0], r[1] and bytes(r[1])) for r in rows] == [(1, b"\x00old file\xff"), (2, None)]
