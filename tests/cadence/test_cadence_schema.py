"""Migration 0006 (manager_email, notifications) on SQLite and PostgreSQL, and manager_email
loaded from a sheet like any project field."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine, insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

import models
import store
from data_loaders import ingest
from tests.migrations_helpers import at_revision


def test_migration_0006_upgrades_an_existing_database(db_url):
    """A database at 0005 with a project: upgrading keeps it (manager_email NULL), adds the
    notifications table, and its unique key refuses the same mail twice."""
    with at_revision(db_url, "0005") as conn:
        conn.execute(text(
            "INSERT INTO uploads (file_name, sha256, size_bytes, uploaded_by, uploaded_at, source)"
            " VALUES ('old.xlsx', 'abc', 1, 'someone', '2026-01-01 00:00:00', 'upload')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO projects (project_id, name, upload_id) VALUES ('P1', 'Old project', 1)"
        ))  # fmt: skip
    upgraded = store.get_engine(db_url)
    columns = {c["name"] for c in inspect(upgraded).get_columns("projects")}
    assert "manager_email" in columns
    assert {c["name"] for c in inspect(upgraded).get_columns("notifications")} >= {
        "project_id", "recipient", "kind", "review_date", "sent_at", "message_id",
    }  # fmt: skip
    frames = store.read_frames(upgraded)
    assert frames["projects"].loc[0, "project_id"] == "P1"
    assert frames["projects"]["manager_email"].isna().all()
    row = {
        "project_id": "P1",
        "recipient": "pm@example.org",
        "kind": "request",
        "review_date": date(2026, 1, 7),
        "sent_at": datetime(2026, 1, 5, 8, tzinfo=UTC),
        "message_id": "<1@x>",
    }
    with upgraded.begin() as conn:
        conn.execute(insert(models.notifications).values(**row))
    with pytest.raises(IntegrityError), upgraded.begin() as conn:
        conn.execute(insert(models.notifications).values(**{**row, "message_id": "<2@x>"}))
    with upgraded.begin() as conn:  # another kind for the same review is another reason
        conn.execute(insert(models.notifications).values(**{**row, "kind": "reminder"}))
        assert sorted(conn.execute(select(models.notifications.c.kind)).scalars()) == [
            "reminder", "request",
        ]  # fmt: skip
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version >= "0006"  # the head: 0006 or a later revision


def test_migration_0006_downgrades(sqlite_url):
    with at_revision(sqlite_url, "0006"):
        pass
    with at_revision(sqlite_url, "0005", downgrade=True) as conn:
        tables = set(inspect(conn).get_table_names())
        projects = {c["name"] for c in inspect(conn).get_columns("projects")}
    assert "notifications" not in tables
    assert "manager_email" not in projects


@pytest.mark.parametrize("header", ["PM Email", "Manager e-mail", "Project Manager Email"])
def test_manager_email_loads_from_a_project_list(header, sqlite_url):
    wb = Workbook()
    ws = wb.active
    ws.append(["Project ID", "Project Name", "Project Manager", header, "Sponsor", "Budget",
               "Start Date", "End Date", "Stage"])  # fmt: skip
    ws.append(["P1", "Alpha", "Ann Lee", "ann.lee@example.org", "Cy", 1000, date(2026, 1, 1),
               date(2026, 12, 1), "Build"])  # fmt: skip
    ws.append(["P2", "Beta", "Bo Kim", None, "Di", 2000, date(2026, 2, 1), date(2026, 9, 1),
               "Design"])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    engine = store.get_engine(sqlite_url)
    parsed = ingest.parse_file(
        "register.xlsx", buf.getvalue(), options=ingest.Options(new_projects="create")
    )
    assert parsed.ok, parsed.report
    assert list(parsed.frames["projects"]["manager_email"].fillna("")) == [
        "ann.lee@example.org", "",
    ]  # fmt: skip
    ingest.commit(engine, parsed, uploaded_by="test")
    stored = store.read_frames(engine)["projects"].set_index("project_id")
    assert stored.loc["P1", "manager_email"] == "ann.lee@example.org"


def test_the_sample_has_manager_emails(frames):
    emails = frames["projects"]["manager_email"]
    assert emails.notna().all()
    assert emails.str.fullmatch(r"[a-z.]+@example\.org").all()
    # one address per manager
    assert frames["projects"].groupby("manager")["manager_email"].nunique().max() == 1


@pytest.mark.parametrize("server", ["postgres", "mariadb"])
def test_manager_email_syncs_from_a_sql_source(server, request, tmp_path, monkeypatch):
    """A PPM database's PM e-mail column maps to manager_email like any project field, read
    as the docs' read-only user (PostgreSQL and MariaDB)."""
    import uuid

    from sqlalchemy import Column, MetaData, String, Table

    from data_loaders.sync import sync
    from tests.sources_helpers import reader

    url = request.getfixturevalue("pg_url" if server == "postgres" else "mariadb_url")
    name = f"cad_{uuid.uuid4().hex[:8]}_proj"
    md = MetaData()
    table = Table(
        name, md, Column("code", String(20), primary_key=True), Column("title", String(100)),
        Column("pm_mail", String(100)),
    )  # fmt: skip
    source = create_engine(url)
    md.create_all(source)
    try:
        with source.begin() as conn:
            conn.execute(table.insert(), [
                {"code": "001", "title": "Core banking", "pm_mail": "ann.lee@example.org"},
                {"code": "002", "title": "HR portal", "pm_mail": None},
            ])  # fmt: skip
        with reader(server, url, [name]) as reader_url:
            monkeypatch.setenv("CADENCE_SRC_URL", reader_url)
            path = tmp_path / "src.toml"
            path.write_text(
                '[source]\nname = "ppm"\nurl = "${CADENCE_SRC_URL}"\n\n'
                f'[tables.projects]\ntable = "{name}"\n\n[tables.projects.columns]\n'
                'project_id = "code"\nname = "title"\nmanager_email = "pm_mail"\n'
            )
            app = store.get_engine(f"sqlite:///{tmp_path / 'app.db'}")
            result = sync(path, app)
        assert result.report.status == "loaded", result.report.all_problems
        stored = store.read_frames(app)["projects"].set_index("project_id")["manager_email"]
        assert stored["001"] == "ann.lee@example.org" and pd.isna(stored["002"])
    finally:
        md.drop_all(source)
        source.dispose()
