"""The sandboxed parse's temporary files: created 0600, the job (the whole upload) deleted by the
child once read, and a folder left by a parent killed outright (kill -9) removed at the next
start, while the folder of a parse running now is left alone."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from data_loaders import sandbox
from data_loaders.sandbox import parse_isolated
from tests.conftest import ROOT

HEADER = "Project ID,Project Name,Report Date,Overall RAG"


@pytest.fixture
def tmpdir_env(tmp_path, monkeypatch) -> Path:
    """A private temp folder for this test's parses (this process and the CLIs it starts)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    return folder


def _big_csv(path: Path, rows: int = 100_000) -> Path:
    lines = [HEADER, *(f"P{i},Project {i},2026-11-27,Green" for i in range(rows))]
    path.write_text("\n".join(lines))
    return path


def _cli(tmp_path: Path, file: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "data_loaders", "ingest", str(file), "--dry-run",
               "--create-projects", "--db", f"sqlite:///{tmp_path / 'app.db'}"]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def _wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


@pytest.mark.slow
def test_killed_cli_parse_leaves_nothing_after_the_next_start(tmp_path, tmpdir_env):
    big = _big_csv(tmp_path / "status.csv")
    cli = _cli(tmp_path, big)
    folder = _wait_for(lambda: list(tmpdir_env.glob("pmo-parse-*")))[0]
    assert folder.name.startswith(f"pmo-parse-{cli.pid}-")  # the owner's pid, for the clean-up
    # the job pickle holds the whole upload: the child deletes it once read, then parses
    _wait_for(lambda: not (folder / "job.pickle").exists(), seconds=30)
    os.kill(cli.pid, signal.SIGKILL)  # mid-parse
    cli.wait()
    assert folder.exists()  # what a killed parent leaves (its clean-up never ran)

    small = tmp_path / "status-small.csv"
    small.write_text(f"{HEADER}\nP1,One,2026-11-27,Green\n")
    after = _cli(tmp_path, small)
    assert after.wait(timeout=120) == 0
    assert not folder.exists() and not list(tmpdir_env.glob("pmo-parse-*"))


def test_a_running_parse_is_left_alone_and_a_dead_ones_removed(tmpdir_env):
    live = tmpdir_env / f"pmo-parse-{os.getpid()}-abc"  # this process: alive
    live.mkdir()
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = tmpdir_env / f"pmo-parse-{gone.stdout.strip()}-xyz"  # its pid exited
    dead.mkdir()
    (dead / "job.pickle").write_bytes(b"the upload")
    legacy = tmpdir_env / "pmo-parse-q1w2e3"  # named before the pid was in the name
    legacy.mkdir()
    old_legacy = tmpdir_env / "pmo-parse-old"
    old_legacy.mkdir()
    os.utime(old_legacy, (time.time() - 3 * 86400,) * 2)
    assert sorted(sandbox.remove_stale()) == sorted([dead, old_legacy])
    assert live.exists() and legacy.exists()


def test_temporary_files_are_private(tmpdir_env):
    modes = {}

    def look(_fraction, _text):  # runs in the parent while the child parses
        for folder in tmpdir_env.glob("pmo-parse-*"):
            modes["folder"] = stat.S_IMODE(folder.stat().st_mode)
            for f in folder.iterdir():
                modes[f.name] = stat.S_IMODE(f.stat().st_mode)

    data = f"{HEADER}\nP1,One,2026-11-27,Green\n".encode()
    parsed = parse_isolated("status.csv", data, {"P1": "One"}, progress=look)
    assert parsed.ok, parsed.report.all_problems
    assert modes["folder"] == 0o700 and modes["stderr"] == 0o600, modes
    assert all(m == 0o600 for name, m in modes.items() if name != "folder"), modes
    assert not list(tmpdir_env.glob("pmo-parse-*"))  # removed after the parse
