"""Ingest benchmark: a generated 50,000-row status workbook, parse + validate + commit versus a
plain ``pandas.read_excel(engine="calamine")`` of the same file, in the same run.

    .venv/bin/python bench/bench_ingest.py [--rows 50000] [--db postgresql://...] [--repeat 3]

First the whole upload through the command line (``python -m data_loaders ingest FILE``: its
start-up, the sandboxed parse, the commit into a new SQLite database) in CPU seconds of every
process it starts, against the plain read's CPU seconds: the ratio, goal 2x; then a run with a
second workbook (earlier reports of the same projects), whose extra CPU is what one more file
costs. It fails (exit 1) when the command fails or loads other than every row, instead of
printing a ratio of nothing.

Prints seconds, rows per second and peak Python memory (tracemalloc) for each step, the same
parse in the child process the upload page and the CLI use, and the commit into the app
database: SQLite in a temporary folder, or with ``--db`` a PostgreSQL server on which each
commit gets a new database (dropped afterwards). The plain read and the commit are timed
``--repeat`` times and the best run counts (the machine may be shared). Not a test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from openpyxl import Workbook  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

import store  # noqa: E402
from data_loaders.ingest import Options, commit, parse_file  # noqa: E402
from data_loaders.sandbox import parse_isolated  # noqa: E402

RAGS = ["Green", "Amber", "Red", "Amber/Green", "Amber/Red"]


def workbook(rows: int, first_week: int = 0) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Status")
    ws.append(["Weekly status"])
    ws.append(["Report date:", date(2026, 11, 20)])
    ws.append([])
    ws.append(["Project ID", "Project Name", "Report Date", "Overall RAG", "Schedule", "Cost",
               "% Complete", "PV", "EV", "AC", "Forecast End", "Summary"])  # fmt: skip
    start = date(2026, 11, 20) - timedelta(weeks=first_week)
    for i in range(rows):
        # 5,000 projects x 10 weekly reports
        ws.append([
            f"B-{i % 5000:05d}", f"Bench project {i % 5000}",
            start - timedelta(weeks=i // 5000), RAGS[i % 5], RAGS[(i + 1) % 3],
            RAGS[(i + 2) % 3], (i % 100), 1000.0 + i, 900.0 + i, 950.0 + i,
            start + timedelta(days=i % 400), f"Update {i}: on plan",
        ])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def measure(label: str, fn, rows: int, memory: bool = True):
    """Time one run; then (tracemalloc slows code down) measure peak memory in a second run."""
    t0 = time.perf_counter()
    out = fn()
    seconds = time.perf_counter() - t0
    peak = "      n/a"
    if memory:
        tracemalloc.start()
        fn()
        peak = f"{tracemalloc.get_traced_memory()[1] / 1e6:6.1f} MB"
        tracemalloc.stop()
    print(f"{label:<38} {seconds:7.2f} s {rows / seconds:10,.0f} rows/s  peak {peak}")
    return out, seconds


@contextmanager
def fresh_database(server: str | None, tmp: str, n: int):
    """An empty app database: a SQLite file under ``tmp``, or a new database on ``server``."""
    if server is None:
        yield store.get_engine(f"sqlite:///{tmp}/bench{n}.db")
        return
    name = f"pmo_bench_{uuid.uuid4().hex[:12]}"
    admin = create_engine(store._normalise_url(server), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = store.get_engine(store._normalise_url(server).rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def best(label: str, runs: list[tuple[float, float]], rows: int) -> tuple[float, float]:
    """The fastest of ``runs`` (wall, this process's CPU seconds), printed."""
    wall, cpu = min(runs)
    print(f"{label:<38} {wall:7.2f} s {rows / wall:10,.0f} rows/s  CPU {cpu:5.2f} s "
          f"(best of {len(runs)})")  # fmt: skip
    return wall, cpu


def timed(fn) -> tuple[float, float]:
    t0, c0 = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def children_cpu() -> float:
    """CPU seconds of this process's finished (waited-for) children and their descendants."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def cli_upload(paths: list[Path], tmp: str, n: int, rows: int) -> tuple[float, float]:
    """(wall, CPU) of ``python -m data_loaders ingest PATH...`` into an empty SQLite app
    database whose schema exists, as every upload after the first finds it (creating the schema
    is done once, here, untimed): every process the command starts counts (each waits for its
    children, so their CPU reaches ours)."""
    url = f"sqlite:///{tmp}/cli{n}.db"
    store.get_engine(url).dispose()
    command = [sys.executable, "-m", "data_loaders", "ingest", *map(str, paths),
               "--create-projects", "--json", "--db", url]  # fmt: skip
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    t0, c0 = time.perf_counter(), children_cpu()
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, children_cpu() - c0
    if done.returncode != 0:
        sys.exit(f"the command line upload failed ({done.returncode}):\n{done.stderr[-2000:]}")
    loaded = [f["rows_loaded"] for f in json.loads(done.stdout)["files"]]
    if loaded != [rows] * len(paths) or cpu <= 0:
        sys.exit(f"the command line upload loaded {loaded} of {rows} rows each (CPU {cpu:.2f} s)")
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--db", help="a PostgreSQL server URL (default: SQLite in a temp folder)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    data = workbook(args.rows)
    backend = "PostgreSQL" if args.db else "SQLite"
    print(f"workbook: {args.rows:,} rows, {len(data) / 1e6:.1f} MB; app database: {backend}")
    options = Options(new_projects="create")
    with tempfile.TemporaryDirectory() as tmp:
        read = lambda: pd.read_excel(io.BytesIO(data), engine="calamine", header=3)  # noqa: E731
        plain, plain_cpu = best(
            "pandas.read_excel(engine='calamine')", [timed(read) for _ in range(args.repeat)],
            args.rows,
        )  # fmt: skip
        first, second = Path(tmp, "bench.xlsx"), Path(tmp, "bench-c.xlsx")
        first.write_bytes(data)
        # The next ten weeks back of the same projects. (A second file of 5,000 new projects
        # would measure projects_match: each new id compared with each known one, minutes.)
        second.write_bytes(workbook(args.rows, first_week=args.rows // 5000))
        runs = [cli_upload([first], tmp, n, args.rows) for n in range(args.repeat)]
        _, cli_cpu = best("whole upload, command line (SQLite)", runs, args.rows)
        runs = [cli_upload([first, second], tmp, 10 + n, args.rows) for n in range(args.repeat)]
        _, two_cpu = best("two files in one command line run", runs, 2 * args.rows)
        print(f"CPU, whole command line upload / plain read: {cli_cpu:.2f} s / {plain_cpu:.2f} s "
              f"= {cli_cpu / plain_cpu:.1f}x (goal <= 2x); the second file of a run: "
              f"{two_cpu - cli_cpu:.2f} s = {(two_cpu - cli_cpu) / plain_cpu:.1f}x")  # fmt: skip
        parsed, parse_s = measure(
            "parse + validate", lambda: parse_file("bench.xlsx", data, {}, options=options),
            args.rows,
        )  # fmt: skip
        assert not parsed.report.has_errors, parsed.report.all_problems[:5]
        # What the upload page and the CLI run: the same parse in a child process with limits.
        isolated, _ = measure(
            "parse + validate in the sandbox",
            lambda: parse_isolated("bench.xlsx", data, {}, options=options),
            args.rows, memory=False,
        )  # fmt: skip
        assert isolated.report.status == "valid", isolated.report.all_problems[:5]

        def commit_once(n: int) -> tuple[float, float]:
            with fresh_database(args.db, tmp, n) as engine:
                reports = []
                run = timed(lambda: reports.append(commit(engine, parsed, "bench", "cli")))
                assert reports[0].status == "loaded", reports[0].status
            return run

        runs = [commit_once(n) for n in range(args.repeat)]
        commit_s, commit_cpu = best(f"commit ({backend})", runs, args.rows)
        total = parse_s + commit_s
        print(f"{'parse + validate + commit':<38} {total:7.2f} s {args.rows / total:10,.0f} rows/s")
        print(f"ratio to the plain read: commit {commit_s / plain:.1f}x, parse+validate "
              f"{parse_s / plain:.1f}x, all three {total / plain:.1f}x (goal <= 2x); "
              f"CPU here, commit / plain read: {commit_cpu / plain_cpu:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
