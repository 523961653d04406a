"""A database that is down, wrongly named, refuses the login or may only be read: the page and
every command line say which database and what to check, never a traceback, SQL parameters or
file contents. And text the database cannot hold is refused the same way on every backend."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from sqlalchemy import create_engine, text

import store
from tests.conftest import PG_ADMIN_URL, ROOT, app_test
from tests.db.test_store import _meta, _projects, _status

SERVER = PG_ADMIN_URL.rsplit("/", 1)[0].split("@", 1)[1]  # 127.0.0.1:5432
MARKER = "MARKER-7d3f-not-for-eyes"  # in the uploaded file: must never be printed


def _bad_urls() -> dict[str, tuple[str, str]]:
    """name -> (URL, what the message must say)."""
    return {
        "closed port": (
            "postgresql://pmo:s3cret-pw@127.0.0.1:1/pmo",
            "check host and port",
        ),
        "missing database": (
            f"postgresql://postgres:s3cret-pw@{SERVER}/pmo_missing_{uuid.uuid4().hex[:8]}",
            "does not exist",
        ),
        "unknown user": (
            f"postgresql://pmo_nobody_{uuid.uuid4().hex[:8]}:s3cret-pw@{SERVER}/test",
            "user name",
        ),
    }


@pytest.fixture(params=list(_bad_urls()))
def bad_url(request, pg_url):  # pg_url: the server must be up for these to mean anything
    return _bad_urls()[request.param]


def test_page_names_the_database_and_what_to_check(bad_url, monkeypatch):
    url, hint = bad_url
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    at = app_test().run()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "not available" in message and hint in message
    assert "127.0.0.1" in message and "s3cret-pw" not in message


@pytest.mark.parametrize(
    "command",
    [
        ["data_loaders", "ingest", "{file}"],
        ["data_loaders", "sync", str(ROOT / "sources" / "example_ppm.toml")],
        ["exports", "deck", "--out", "{out}"],
        ["sample_data", "seed"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_command_lines_print_one_line_and_exit_1(bad_url, command, tmp_path):
    url, hint = bad_url
    file = tmp_path / "status.csv"
    file.write_text(f"Project ID,Project Name,Report Date,Summary\nP1,One,2026-11-27,{MARKER}\n")
    args = [a.format(file=file, out=tmp_path / "deck.pptx") for a in command]
    done = _run(args[0], *args[1:], "--db", url)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and hint in lines[0], done.stderr
    for secret in ("Traceback", "s3cret-pw", MARKER):
        assert secret not in done.stderr + done.stdout


def _run(module: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


# --- a read-only role --------------------------------------------------------------------------


@pytest.fixture
def read_only_url(pg_url):
    """``pg_url`` with one project, and a URL for a role that may only SELECT there."""
    store.write_batch(store.get_engine(pg_url), {"projects": _projects("P1")}, _meta("seed"))
    role = f"pmo_ro_{uuid.uuid4().hex[:8]}"
    admin = create_engine(store._normalise_url(pg_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    url = pg_url.replace("postgres@", f"{role}@", 1)
    yield url
    store.get_engine(url).dispose()
    store.get_engine.cache_clear()
    with admin.connect() as conn:
        conn.execute(text(f"DROP OWNED BY {role}"))
        conn.execute(text(f"DROP ROLE {role}"))
    admin.dispose()


def test_read_only_role_reads_and_a_write_is_refused_plainly(read_only_url, pg_url):
    engine = store.get_engine(read_only_url)  # the schema is at head: nothing to write
    assert store.read_frames(engine)["projects"]["project_id"].tolist() == ["P1"]
    with pytest.raises(store.WriteRefused, match="may only read") as refused:
        store.write_batch(engine, {"projects": _projects("P2")}, _meta("b"))
    assert "INSERT" not in str(refused.value) and refused.value.__cause__ is None
    assert store.data_version(store.get_engine(pg_url)) == 1  # nothing written


def test_read_only_role_page_works_and_cli_commit_is_refused(read_only_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", read_only_url)
    at = app_test().run()
    assert not at.exception and not at.error
    file = tmp_path / "status.csv"
    file.write_text(f"Project ID,Project Name,Report Date,Summary\nP2,Two,2026-11-27,{MARKER}\n")
    done = _run("data_loaders", "ingest", str(file), "--db", read_only_url, "--create-projects")
    assert done.returncode == 1
    assert "rejected" in done.stdout and "may only read" in done.stdout
    for secret in ("Traceback", MARKER, "INSERT"):
        assert secret not in done.stderr + done.stdout


# --- text the database cannot hold ---------------------------------------------------------------


@pytest.mark.parametrize(
    "table, column, value",
    [
        ("projects", "project_id", "P" * 5000),
        ("projects", "name", "N" * 5000),
        ("projects", "name", "bad\x00name"),
        ("status_reports", "summary", "nul\x00inside"),
    ],
    ids=["long id", "long name", "NUL in name", "NUL in free text"],
)
def test_unstorable_text_is_refused_alike_on_every_backend(db_url, table, column, value):
    engine = store.get_engine(db_url)
    frames = {"projects": _projects("P1"), "status_reports": _status("P1", "2026-03-06")}
    frames[table] = frames[table].assign(**{column: [value]})
    if column == "project_id":
        frames["status_reports"]["project_id"] = value
    with pytest.raises(store.WriteRefused, match=f"{table}.{column}, row 1") as refused:
        store.write_batch(engine, frames, _meta("a"))
    assert value not in str(refused.value)
    assert store.data_version(engine) == 0
    assert store.read_frames(engine)["projects"].empty


def test_long_uploader_name_is_refused_not_crashed(db_url):
    engine = store.get_engine(db_url)
    meta = _meta("a")
    meta.uploaded_by = "x" * 5000
    with pytest.raises(store.WriteRefused, match="uploads.uploaded_by"):
        store.write_batch(engine, {"projects": _projects("P1")}, meta)
    assert store.data_version(engine) == 0
