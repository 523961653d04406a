"""Secrets never shown: a database URL's password, in the user part or in the query string
(``?password=``), is masked wherever the URL appears: the "database not available" page, the SQL
sources page and every command line's ``error:`` line, and a URL SQLAlchemy cannot parse is
masked too, never echoed raw."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import redact
from data_loaders import sql_source
from data_loaders.sql_source import display_url
from tests.conftest import ROOT, app_test
from tests.db.test_sync_db import write_toml

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

SECRET = "s3cret-q9"
# Nothing listens on port 1: every URL fails at connect time, after being shown.
BAD_URLS = {
    "query password": f"postgresql+psycopg://pmo@127.0.0.1:1/pmo?password={SECRET}",
    "query sslpassword": f"postgresql://pmo@127.0.0.1:1/pmo?sslmode=require&SSLPassword={SECRET}",
    "both parts": f"postgresql://pmo:{SECRET}@127.0.0.1:1/pmo?password={SECRET}",
    "unparsable port": f"postgresql://pmo:{SECRET}@127.0.0.1:1x/pmo?password={SECRET}",
    "@ in password": f"postgresql://pmo:ab@{SECRET}@127.0.0.1:1/pmo",
}


@pytest.mark.parametrize(
    "url, shown",
    [
        ("postgresql://pmo@db/pmo?password=s3cret", "postgresql://pmo@db/pmo?password=***"),
        ("postgresql://pmo:s3cret@db:5432/pmo", "postgresql://pmo:***@db:5432/pmo"),
        (
            "postgresql://pmo@db/pmo?sslmode=require&PWD=a&api_key=b&token=c&passwd=d",
            "postgresql://pmo@db/pmo?sslmode=require&PWD=***&api_key=***&token=***&passwd=***",
        ),
        ("postgresql://pmo:pa@ss@db/pmo?password=x", "postgresql://pmo:***@db/pmo?password=***"),
        ("postgresql://pmo:s3cret@db:54x/pmo", "postgresql://pmo:***@db:54x/pmo"),  # unparsable
        (
            "mssql+pyodbc:///?odbc_connect=DRIVER%3Dx%3BUID%3Du%3BPWD%3Ds3cret",
            "mssql+pyodbc:///?odbc_connect=***",
        ),
        ("host=db password=s3cret", "host=db password=***"),  # not a URL at all
        ("sqlite:////data/pmo.db", "sqlite:////data/pmo.db"),
        ("mysql://u@h/d?charset=utf8mb4", "mysql://u@h/d?charset=utf8mb4"),
    ],
)
def test_one_rule_masks_user_part_and_query(url, shown):
    assert redact.shown_url(url) == shown
    assert display_url(url) == shown  # the sources' name for it is the same rule


def test_scrub_masks_what_a_driver_message_quotes():
    url = "postgresql://pmo:ab@s3cret@db/pmo?sslpassword=k3y"
    message = "failed to resolve host 's3cret@db'; dsn: host=db password=ab@s3cret sslpassword=k3y"
    scrubbed = redact.scrub(message, url)
    assert "s3cret" not in scrubbed and "k3y" not in scrubbed and "resolve host" in scrubbed


# --- the "database not available" page -------------------------------------------------------


@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_database_not_available_page_masks_the_password(url, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", url)
    at = app_test().run()
    assert not at.exception
    message = at.error[0].value
    assert "not available" in message and "127.0.0.1" in message
    assert SECRET not in message


# --- the SQL sources page --------------------------------------------------------------------


def test_sources_page_masks_the_source_password(empty_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PPM_DB_URL", f"postgresql://pmo@127.0.0.1:1/ppm?password={SECRET}")
    write_toml(tmp_path / "sources", "ppm_")
    monkeypatch.setenv("PMO_SOURCES_DIR", str(tmp_path / "sources"))
    at = app_test().run()
    at.switch_page("pages/data/sources.py").run()
    assert not at.exception
    assert "127.0.0.1:1/ppm?password=***" in _texts(at)
    at.button(key="sync_ppm").click().run()  # the connect error names the server too
    assert not at.exception
    page = _texts(at)
    assert "cannot reach the database server at postgresql://pmo@127.0.0.1:1" in page
    assert SECRET not in page


def _texts(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.warning]
    tables = [str(d.value.to_dict()) for d in at.dataframe]
    return "\n".join([*(str(p.value) for p in parts), *tables])


# --- every command line's error line ---------------------------------------------------------

COMMANDS = {
    "ingest": ["data_loaders", "ingest", "{file}", "--db", "{url}"],
    "sync": ["data_loaders", "sync", str(ROOT / "sources" / "example_ppm.toml"), "--db", "{url}"],
    "deck": ["exports", "deck", "--out", "{out}", "--db", "{url}"],
    "seed": ["sample_data", "seed", "--db", "{url}"],
    "access": ["access", "list", "--db", "{url}"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_command_line_error_masks_the_password(command, url, tmp_path):
    file = tmp_path / "status.csv"
    file.write_text("Project ID,Project Name,Report Date\nP1,One,2026-11-27\n")
    args = [a.format(file=file, out=tmp_path / "deck.pptx", url=url) for a in COMMANDS[command]]
    done = _run(*args)
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "127.0.0.1" in lines[0], lines
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize("url", list(BAD_URLS.values()), ids=list(BAD_URLS))
def test_sync_of_a_source_masks_the_source_password(url, tmp_path):
    """The source's own URL (not the app database's), in the sync's report lines: masked in
    every shape, a driver message that quotes part of it included, and never a traceback."""
    path = write_toml(tmp_path / "sources", "ppm_")
    done = _run("data_loaders", "sync", str(path), "--dry-run", env={"PPM_DB_URL": url})
    assert done.returncode == 1, done
    assert "127.0.0.1" in done.stdout and "Traceback" not in done.stderr, done
    assert SECRET not in done.stdout + done.stderr


@pytest.mark.parametrize("query", ["password", "sslpassword", "token"])
def test_a_secret_written_in_a_source_file_is_refused(query, tmp_path):
    path = tmp_path / "ppm.toml"
    path.write_text(
        f'[source]\nname = "ppm"\nurl = "postgresql://pmo@db/ppm?{query}={SECRET}"\n'
        '[tables.projects]\ntable = "p"\n'
    )
    with pytest.raises(sql_source.SourceError, match="never put secrets in this file"):
        sql_source.load_source(path)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        timeout=300,
    )
