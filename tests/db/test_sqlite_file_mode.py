"""The SQLite app database holds every upload: it is created readable by its owner only (0600),
and so are its -wal and -shm files; an existing file every user can read is reported."""

from __future__ import annotations

import logging
import os
import stat

import store
from tests.db.test_store import _meta, _projects


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_new_database_and_its_wal_files_are_private(tmp_path):
    umask = os.umask(0o022)  # the usual umask: a file created with default rights gets 0644
    try:
        _check_new_database(tmp_path / "data" / "pmo.db")
    finally:
        os.umask(umask)


def _check_new_database(path):
    engine = store.get_engine(f"sqlite:///{path}")
    store.write_batch(engine, {"projects": _projects("P1")}, _meta("a"))
    with engine.connect() as conn:  # the -wal and -shm files exist while a connection is open
        conn.exec_driver_sql("SELECT 1")
        files = sorted(p.name for p in path.parent.iterdir())
        assert files == ["pmo.db", "pmo.db-shm", "pmo.db-wal"]
        assert {name: _mode(path.parent / name) for name in files} == dict.fromkeys(files, 0o600)
    engine.dispose()


def test_existing_world_readable_database_is_reported(tmp_path, caplog):
    path = tmp_path / "shared.db"
    store.get_engine(f"sqlite:///{path}").dispose()
    os.chmod(path, 0o644)
    store.get_engine.cache_clear()
    with caplog.at_level(logging.WARNING, logger="store"):
        store.get_engine(f"sqlite:///{path}").dispose()
    assert "can be read by every user" in caplog.text and "chmod 600" in caplog.text
    assert _mode(path) == 0o644  # reported, not changed behind the admin's back
