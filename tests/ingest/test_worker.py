"""The warm parse worker (data_loaders.worker): each job runs in its own child, forked from a
server that has imported the readers, under the job's limits; a crash, a limit or a dead server
is a clear refusal with nothing loaded, and the next job works."""

from __future__ import annotations

import io
import os
import re
import resource
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook

from config import Config
from data_loaders import worker
from data_loaders.sandbox import parse_isolated
from tests.conftest import ROOT
from tests.ingest_helpers import xlsx

HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete"]
KNOWN = {f"P{i}": f"Project {i}" for i in range(5000)}
# About a second of parsing (5,000 projects x 12 weekly reports): the child is still running
# when its first progress line arrives.
WEEKS = [date(2026, 11, 20) - timedelta(weeks=w) for w in range(12)]
ROWS = "".join(f"P{i % 5000},{WEEKS[i // 5000]},Green,{i % 100}\n" for i in range(60_000))
BIG = (",".join(HEADER) + "\n" + ROWS).encode()
GOOD = xlsx({"Status": [HEADER, ["P1", "2026-11-20", "Green", 5]]})


def config(**ingest) -> Config:
    return replace(Config(), ingest=replace(Config().ingest, **ingest))


def children(pid: int) -> list[int]:
    """The pids of the processes whose parent is ``pid`` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # exited meanwhile
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def limit(pid: int, name: str) -> tuple[str, str]:
    """(soft, hard) of a line of /proc/PID/limits, e.g. "Max address space"."""
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith(name):
            return tuple(line[len(name) :].split()[:2])
    raise AssertionError(f"no {name} in /proc/{pid}/limits")


class Watch:
    """A progress callback that looks at the job's child while it runs (once), and may act
    on it: ``then(child_pid, server_pid)``."""

    def __init__(self, then=None) -> None:
        self.server = worker.start()
        self.child: int | None = None
        self.seen: dict = {}
        self.then = then

    def __call__(self, _fraction: float, _text: str) -> None:
        if self.child is not None:
            return
        [self.child] = children(self.server)
        self.seen = {
            "memory": limit(self.child, "Max address space"),
            "cpu": limit(self.child, "Max cpu time"),
            "core": limit(self.child, "Max core file size"),
            "environ": Path(f"/proc/{self.child}/environ").read_bytes(),
        }
        if self.then:
            self.then(self.child, self.server)


def messages(parsed) -> list[str]:
    return [p.message for p in parsed.report.all_problems]


def test_a_job_runs_in_a_child_of_the_warm_worker_under_its_limits():
    mine = resource.getrlimit(resource.RLIMIT_AS)
    watch = Watch()
    parsed = parse_isolated("s.csv", BIG, KNOWN, config(parse_memory_mb=900, parse_cpu_seconds=50),
                            progress=watch)  # fmt: skip
    assert parsed.report.status == "valid", messages(parsed)
    assert watch.child not in (None, os.getpid(), watch.server)
    assert watch.seen["memory"] == (str(900 * 1024 * 1024),) * 2
    assert watch.seen["cpu"] == ("50", "51")
    assert watch.seen["core"] == ("0", "0")
    assert resource.getrlimit(resource.RLIMIT_AS) == mine  # the limits are the child's only
    # The server forks: one thread (no jemalloc or BLAS thread), so forking it is safe. Its
    # address space is every child's to start with: no allocator reserved a GB in it (pyarrow's
    # jemalloc did), which would leave a child of 1,024 MB no room for a file.
    status = Path(f"/proc/{watch.server}/status").read_text()
    assert "\nThreads:\t1\n" in status, status
    size_kb = int(re.search(r"VmSize:\s+(\d+) kB", status).group(1))
    assert size_kb < 512 * 1024, status


def test_each_job_gets_a_new_process_from_the_same_server():
    first, second = Watch(), Watch()
    assert parse_isolated("a.csv", BIG, KNOWN, progress=first).report.status == "valid"
    assert first.child not in children(first.server)  # gone once its job is done
    assert parse_isolated("b.csv", BIG, KNOWN, progress=second).report.status == "valid"
    assert second.child != first.child  # recycled: no job runs where another ran
    assert second.server == first.server  # warm: no new interpreter per file


def test_a_memory_bomb_is_refused_and_the_next_job_works():
    server = worker.start()
    loose = config(parse_memory_mb=700, max_rows=10**9, max_columns=10**9, max_cells=10**15)
    wb = Workbook()
    wb.active.append(HEADER)
    wb.active["XFD1048576"] = "x"  # calamine asks for 512 GiB
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse_isolated("bomb.xlsx", buf.getvalue(), KNOWN, loose)
    assert parsed.report.status == "rejected" and not parsed.frames
    [message] = messages(parsed)
    assert "more than 700 MB of memory (memory limit, ingest.parse_memory_mb)" in message
    after = parse_isolated("s.xlsx", GOOD, KNOWN)
    assert after.report.status == "valid", messages(after)
    assert worker.start() == server  # the crash took the child only


def test_a_crashing_child_is_a_clear_refusal_and_the_next_job_works(tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # gettempdir() reads TMPDIR again
    watch = Watch(then=lambda child, _server: os.kill(child, signal.SIGSEGV))
    parsed = parse_isolated("s.csv", BIG, KNOWN, progress=watch)
    assert parsed.report.status == "rejected" and not parsed.frames
    assert messages(parsed) == [
        "the file crashed the spreadsheet reader (SIGSEGV); nothing was loaded"
    ]
    assert not list(tmp_path.glob("pmo-parse-*"))  # the job's folder went with it
    after = parse_isolated("s.xlsx", GOOD, KNOWN)
    assert after.report.status == "valid", messages(after)
    assert worker.start() == watch.server


def test_a_killed_worker_is_a_refusal_and_replaced_for_the_next_job():
    def kill_both(child: int, server: int) -> None:
        os.kill(server, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)  # orphaned, it would stop by itself at its end

    watch = Watch(then=kill_both)
    parsed = parse_isolated("s.csv", BIG, KNOWN, progress=watch)
    assert parsed.report.status == "rejected" and not parsed.frames
    assert messages(parsed) == [
        "the parse worker stopped unexpectedly; nothing was loaded. Try again"
    ]
    after = parse_isolated("s.xlsx", GOOD, KNOWN)
    assert after.report.status == "valid", messages(after)
    assert worker.start() != watch.server


@pytest.fixture
def fresh_worker():
    worker.stop()  # the next job starts a server from this test's environment
    yield
    worker.stop()


def test_no_secret_of_the_caller_reaches_the_child(fresh_worker, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", "postgresql://pmo:s3cret-pw@db/pmo")
    watch = Watch()
    assert parse_isolated("s.csv", BIG, KNOWN, progress=watch).report.status == "valid"
    assert b"s3cret-pw" not in watch.seen["environ"]
    assert b"PMO_DATABASE_URL" not in Path(f"/proc/{watch.server}/environ").read_bytes()


def workers_in(folder: Path) -> list[int]:
    """The parse workers started with TMPDIR=folder (a CLI run given that temp folder)."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            command, environ = (proc / "cmdline").read_bytes(), (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"data_loaders.worker" in command and f"TMPDIR={folder}".encode() in environ.split(
            b"\0"
        ):
            found.append(int(proc.name))
    return found


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.05)
    raise AssertionError("timed out")


def cli(tmp_path: Path, file: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "data_loaders", "ingest", str(file), "--dry-run",
               "--db", f"sqlite:///{tmp_path / 'app.db'}"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip


@pytest.mark.slow
def test_the_command_line_leaves_no_worker_behind(tmp_path):
    small = tmp_path / "status.csv"
    small.write_text(",".join(HEADER) + "\nP1,2026-11-20,Green,5\n")
    done = cli(tmp_path, small)
    assert done.wait(timeout=300) == 1  # P1 is unknown to the empty database: refused, parsed
    assert not workers_in(tmp_path)
    # Killed outright mid-parse, the command cannot stop its worker: the worker sees its end
    # of the socket close, kills the job's child and exits by itself.
    big = tmp_path / "big.csv"
    big.write_bytes(BIG)
    killed = cli(tmp_path, big)
    [server] = wait_for(lambda: workers_in(tmp_path))
    wait_for(lambda: children(server))  # the job is running
    killed.kill()
    killed.wait()
    wait_for(lambda: not workers_in(tmp_path), seconds=30)


@pytest.mark.slow
def test_two_sessions_parse_at_once_each_in_its_own_child():
    """The Streamlit server parses for several sessions at once (one thread each)."""
    server, seen = worker.start(), []

    def look(_fraction: float, _text: str) -> None:
        seen.append(set(children(server)))

    with ThreadPoolExecutor(2) as pool:
        runs = [pool.submit(parse_isolated, f"{n}.csv", BIG, KNOWN, progress=look)
                for n in range(2)]  # fmt: skip
        parsed = [run.result(timeout=600) for run in runs]
    assert [p.report.status for p in parsed] == ["valid", "valid"]
    assert parsed[0].frames["status_reports"].equals(parsed[1].frames["status_reports"])
    assert len(set().union(*seen)) == 2  # two children of the one worker
