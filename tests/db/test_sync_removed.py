"""Rows that disappear from a SQL source are removed from the app, counted, kept in history, and
live again when they come back; rows of Excel uploads and of other sources are never touched.

The source is the foreign PPM schema of test_sync_db.py in SQLite; the app database is SQLite and
PostgreSQL (``db_url``).
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pandas as pd
import pytest
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import create_engine, select, text

import models
import store
from analytics.risk import latest_register
from config import ROOT
from data_loaders.sync import last_sync, sync
from data_loaders.sync_cli import main
from tests.conftest import app_test
from tests.db.test_sync_db import create_source, execute, write_toml
from tests.ingest_helpers import STATUS_HEADER, load, xlsx


@pytest.fixture
def source(tmp_path, monkeypatch):
    prefix = f"s{uuid.uuid4().hex[:8]}_"
    url = f"sqlite:///{tmp_path / 'ppm_source.db'}"
    create_source(url, prefix)
    monkeypatch.setenv("PPM_DB_URL", url)
    return url, prefix, write_toml(tmp_path / "sources", prefix)


def live(engine, table: str) -> set[tuple]:
    df = store.read_frames(engine)[table]
    keys = models.KEYS[table]
    return {
        tuple(v.date() if isinstance(v, pd.Timestamp) else v for v in row)
        for row in df[keys].itertuples(index=False)
    }


def history(engine, action: str) -> list[tuple[str, list, dict]]:
    r = models.replaced_rows
    with engine.connect() as conn:
        rows = conn.execute(
            select(r.c.table_name, r.c.row_key, r.c.row_json).where(r.c.action == action)
        ).all()
    return [(t, json.loads(k), json.loads(j)) for t, k, j in rows]


def test_rows_gone_from_the_source_are_removed_counted_and_come_back(source, db_url, capsys):
    url, prefix, path = source
    app = store.get_engine(db_url)
    assert sync(path, app).report.status == "loaded"
    assert ("001", "2", date(2026, 5, 8)) in live(app, "risks")

    execute(url, f"DELETE FROM {prefix}risk_log WHERE proj_code = '001' AND rid = 2")
    execute(url, f"DELETE FROM {prefix}weekly_status WHERE week_ending = '2026-05-01'")
    gone = sync(path, app)
    assert gone.report.status == "loaded", gone.report.all_problems
    assert gone.removed == {"status_reports": 3, "risks": 1}
    assert gone.report.totals["status_reports"] == 3
    assert ("001", "2", date(2026, 5, 8)) not in live(app, "risks")
    assert live(app, "status_reports") == {(p, date(2026, 5, 8)) for p in ("001", "002", "010")}
    removed = history(app, "removed")
    assert len(removed) == 4
    risk = next(j for t, _, j in removed if t == "risks")
    assert (risk["project_id"], risk["risk_id"], risk["title"]) == ("001", "2", "Key staff leave")
    assert last_sync(app, "ppm")["removed"] == {"status_reports": 3, "risks": 1}
    assert main([str(path), "--db", db_url, "--dry-run"]) == 0  # a dry run removes nothing
    assert len(live(app, "status_reports")) == 3

    # back in the source: live again, the removal stays in the history
    execute(
        url,
        f"INSERT INTO {prefix}risk_log VALUES "
        "('001', 2, '2026-05-08', 'Key staff leave', 'Open', 1, 3)",
    )
    back = sync(path, app)
    assert back.removed == {} and back.changed["risks"] == 1
    assert ("001", "2", date(2026, 5, 8)) in live(app, "risks")
    assert len(history(app, "removed")) == 4

    execute(url, f"DELETE FROM {prefix}milestone_plan WHERE ms_code = 'M2'")
    capsys.readouterr()
    assert main([str(path), "--db", db_url]) == 0
    assert "milestones: 2 rows read, 0 new or changed, 1 removed" in capsys.readouterr().out


def test_analytics_never_see_removed_rows(source, db_url):
    url, prefix, path = source
    app = store.get_engine(db_url)
    sync(path, app)
    execute(url, f"DELETE FROM {prefix}risk_log WHERE proj_code = '010'")
    sync(path, app)
    register = latest_register(store.read_frames(app)["risks"], pd.Timestamp("2026-05-08"))
    assert set(register["project_id"]) == {"001", "002"}


def test_excel_rows_and_other_sources_are_never_removed(source, tmp_path, monkeypatch, db_url):
    url, prefix, path = source
    app = store.get_engine(db_url)
    assert sync(path, app).report.status == "loaded"
    # an Excel upload for project 001 (same key as a source row, and a week of its own)
    book = xlsx(
        {
            "Status": [
                STATUS_HEADER,
                ["001", date(2026, 5, 8), "Red", 50, None, "from the PM"],
                ["001", date(2026, 5, 15), "Red", 52, None, "from the PM"],
            ]
        }
    )
    written, parsed = load(db_url, book, name="pm.xlsx")
    assert written.status == "loaded", parsed
    # a second source reading the same database: one status row of its own
    execute(url, f"CREATE TABLE {prefix}extra (proj_code TEXT, week DATE, rag TEXT)")
    execute(url, f"INSERT INTO {prefix}extra VALUES ('002', '2026-05-22', 'Green')")
    other = tmp_path / "other.toml"
    other.write_text(
        '[source]\nname = "other"\nurl = "${PPM_DB_URL}"\n[tables.status_reports]\n'
        f'query = "SELECT proj_code AS project_id, week AS report_date, rag AS overall_rag '
        f'FROM {prefix}extra"\n'
    )
    assert sync(other, app).report.status == "loaded"

    execute(url, f"DELETE FROM {prefix}weekly_status")  # the first source now has no reports
    emptied = sync(path, app)
    assert emptied.removed == {"status_reports": 5}  # 001 on 2026-05-08 is the Excel version
    assert live(app, "status_reports") == {
        ("001", date(2026, 5, 8)),
        ("001", date(2026, 5, 15)),
        ("002", date(2026, 5, 22)),
    }
    execute(url, f"DELETE FROM {prefix}extra")
    assert sync(other, app).removed == {"status_reports": 1}
    assert live(app, "status_reports") == {("001", date(2026, 5, 8)), ("001", date(2026, 5, 15))}


def test_a_project_gone_from_the_source_is_removed_unless_still_referred_to(source, db_url):
    url, prefix, path = source
    app = store.get_engine(db_url)
    sync(path, app)
    for t in ("project", "weekly_status", "risk_log", "milestone_plan"):
        execute(url, f"DELETE FROM {prefix}{t} WHERE proj_code = '010'")
    execute(url, f"DELETE FROM {prefix}project WHERE proj_code = '002'")  # its reports remain
    result = sync(path, app)
    assert result.report.status == "loaded"
    assert result.removed == {"projects": 1, "status_reports": 2, "risks": 1}
    assert live(app, "projects") == {("001",), ("002",)}
    assert [(p.value, p.severity) for p in result.report.all_problems] == [("002", "warning")]
    assert "kept: other rows in the app still refer to them" in (
        result.report.all_problems[0].message
    )
    frames = store.read_frames(app)
    assert "010" not in set(frames["status_reports"]["project_id"])


def test_the_page_reports_removed_rows(source, empty_url, monkeypatch):
    url, prefix, path = source
    monkeypatch.setenv("PMO_SOURCES_DIR", str(path.parent))
    at = app_test().run()
    at.switch_page("pages/data/sources.py").run()
    at.button(key="sync_ppm").click().run()
    execute(url, f"DELETE FROM {prefix}risk_log WHERE rid = 7")
    at.button(key="sync_ppm").click().run()
    assert not at.exception
    shown = "\n".join(str(s.value) for s in at.success)
    assert "Removed (no longer in the source): 1 risks." in shown
    counts = at.dataframe[1].value  # the last-sync table
    assert dict(zip(counts["table"], counts["removed"], strict=True))["risks"] == 1


def test_an_older_database_upgrades_and_its_history_stays_replaced(db_url):
    engine = create_engine(store._normalise_url(db_url))
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO uploads (file_name, sha256, size_bytes, uploaded_by, uploaded_at, "
                "source) VALUES ('a.xlsx', 'abc', 1, 'pm', CURRENT_TIMESTAMP, 'upload')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO replaced_rows (table_name, row_key, row_json, replaced_by_upload) "
                "VALUES ('projects', '[\"1\"]', '{}', 1)"
            )
        )
    engine.dispose()
    app = store.get_engine(db_url)  # migrates to the latest revision
    assert [t for t, _, _ in history(app, "replaced")] == ["projects"]
