"""Ingest benchmark: a generated 50,000-row status workbook, parse + validate + commit versus a
plain ``pandas.read_excel(engine="calamine")`` of the same file, in the same run.

    .venv/bin/python bench/bench_ingest.py [--rows 50000]

Prints seconds, rows per second and peak Python memory (tracemalloc) for each step, and the
same parse in the child process the upload page and the CLI use. Not a test.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pandas as pd  # noqa: E402
from openpyxl import Workbook  # noqa: E402

import store  # noqa: E402
from data_loaders.ingest import Options, commit, known_projects, parse_file  # noqa: E402
from data_loaders.sandbox import parse_isolated  # noqa: E402

RAGS = ["Green", "Amber", "Red", "Amber/Green", "Amber/Red"]


def workbook(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Status")
    ws.append(["Weekly status"])
    ws.append(["Report date:", date(2026, 11, 20)])
    ws.append([])
    ws.append(["Project ID", "Project Name", "Report Date", "Overall RAG", "Schedule", "Cost",
               "% Complete", "PV", "EV", "AC", "Forecast End", "Summary"])  # fmt: skip
    start = date(2026, 11, 20)
    for i in range(rows):
        # 5,000 projects x 10 weekly reports
        ws.append([
            f"B-{i % 5000:05d}", f"Bench project {i % 5000}", start - timedelta(weeks=i // 5000),
            RAGS[i % 5], RAGS[(i + 1) % 3], RAGS[(i + 2) % 3], (i % 100), 1000.0 + i,
            900.0 + i, 950.0 + i, start + timedelta(days=i % 400), f"Update {i}: on plan",
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()
    data = workbook(args.rows)
    print(f"workbook: {args.rows:,} rows, {len(data) / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{tmp}/bench.db")
        known = known_projects(engine)
        _, plain = measure(
            "pandas.read_excel(engine='calamine')",
            lambda: pd.read_excel(io.BytesIO(data), engine="calamine", header=3),
            args.rows,
        )
        parsed, parse_s = measure(
            "parse + validate",
            lambda: parse_file("bench.xlsx", data, known, options=Options(new_projects="create")),
            args.rows,
        )  # fmt: skip
        assert not parsed.report.has_errors, parsed.report.all_problems[:5]
        # What the upload page and the CLI run: the same parse in a child process with limits.
        isolated, _ = measure(
            "parse + validate in the sandbox", lambda: parse_isolated("bench.xlsx", data, known),
            args.rows, memory=False,
        )  # fmt: skip
        assert isolated.report.status == "valid", isolated.report.all_problems[:5]
        report, commit_s = measure(
            "commit (SQLite, one transaction)", lambda: commit(engine, parsed, "bench", "cli"),
            args.rows, memory=False,
        )  # fmt: skip
        assert report.status == "loaded", report.status
        total = parse_s + commit_s
        print(f"{'parse + validate + commit':<38} {total:7.2f} s {args.rows / total:10,.0f} rows/s")
        print(f"ratio parse+validate / plain read: {parse_s / plain:.1f}x; "
              f"with commit: {total / plain:.1f}x (goal <= 2x)")  # fmt: skip


if __name__ == "__main__":
    main()
