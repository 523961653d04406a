"""``python -m data_loaders.sync_cli`` (the ``sync`` subcommand): exit codes, JSON, dry run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import store
from data_loaders.sync_cli import main
from tests.db.test_sync_db import create_source, write_toml

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def source(tmp_path) -> tuple[Path, dict]:
    prefix = f"s{uuid.uuid4().hex[:8]}_"
    url = f"sqlite:///{tmp_path / 'ppm_source.db'}"
    create_source(url, prefix)
    env = {**os.environ, "PPM_DB_URL": url, "PMO_SOURCES_DIR": str(tmp_path / "sources")}
    return write_toml(tmp_path / "sources", prefix), env


def cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_dry_run_then_sync_then_unchanged(source, tmp_path, monkeypatch, capsys):
    path, env = source
    app_url = f"sqlite:///{tmp_path / 'app.db'}"
    dry = cli(
        "data_loaders.sync_cli", "ppm", "--db", app_url, "--dry-run", "--json", env=env
    )  # found by name
    assert dry.returncode == 0, dry.stderr
    report = json.loads(dry.stdout)
    assert report["status"] == "valid" and report["totals"]["risks"] == 4
    assert not (tmp_path / "app.db").exists()  # a dry run does not even create the app db

    done = cli("data_loaders", "sync", str(path), "--db", app_url, env=env)  # the subcommand
    assert done.returncode == 0, done.stderr
    assert "ppm: loaded" in done.stdout and "status_reports: 6 rows read, 6 new" in done.stdout
    monkeypatch.setenv("PPM_DB_URL", env["PPM_DB_URL"])
    assert main([str(path), "--db", app_url, "--json"]) == 0  # in process from here on
    assert json.loads(capsys.readouterr().out)["status"] == "duplicate"
    assert len(store.read_frames(store.get_engine(app_url))["uploads"]) == 1


def test_cli_problems_exit_1_and_usage_exit_2(source, tmp_path, monkeypatch, capsys):
    path, env = source
    monkeypatch.setenv("PPM_DB_URL", env["PPM_DB_URL"])
    path.write_text(path.read_text().replace('"title"', '"project_title"'))
    assert main([str(path), "--db", f"sqlite:///{tmp_path / 'app.db'}"]) == 1
    out = capsys.readouterr().out
    assert "ERROR:" in out and "'project_title' not found" in out and "nothing was written" in out
    assert main([str(tmp_path / "nope.toml")]) == 2
    assert "no source file" in capsys.readouterr().err
