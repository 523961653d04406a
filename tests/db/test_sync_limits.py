"""A SQL sync applies the same text limits as an upload: a too-long name refuses the sync (it
is all-or-nothing) with the table, row and column named, and control characters are removed
with a warning. SQLite stores what PostgreSQL refuses, so both app databases are checked."""

from __future__ import annotations

from sqlalchemy import func, select

import models
import store
from data_loaders.sync import sync
from tests.db.test_sync_db import execute
from tests.db.test_sync_removed import source  # noqa: F401  (fixture)


def _projects(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.projects)).scalar()


def test_a_too_long_name_refuses_the_sync_and_writes_nothing(source, db_url):  # noqa: F811
    url, prefix, path = source
    execute(url, f"UPDATE {prefix}project SET title = '{'x' * 5000}' WHERE proj_code = '001'")
    app = store.get_engine(db_url)
    result = sync(path, app)
    assert result.report.status == "rejected"
    errors = [p for p in result.report.all_problems if p.severity == "error"]
    assert any(p.row is not None and "300" in p.message for p in errors), errors
    assert _projects(app) == 0


def test_control_characters_are_removed_with_a_warning(source, db_url):  # noqa: F811
    url, prefix, path = source
    execute(url, f"UPDATE {prefix}project SET title = 'CRM' || char(7) || 'Phase 1' "
                 "WHERE proj_code = '001'")  # fmt: skip
    app = store.get_engine(db_url)
    result = sync(path, app)
    assert result.report.status == "loaded", result.report.all_problems
    assert any(p.severity == "warning" for p in result.report.all_problems)
    names = store.read_frames(app)["projects"].set_index("project_id")["name"]
    assert names["001"] == "CRMPhase 1"
