"""Hostile-input figures for the ingest limits. Prints seconds and memory; not a test.

    .venv/bin/python bench/bench_limits.py              # worker start, a job, bomb, 1M rows, CSV
    .venv/bin/python bench/bench_limits.py --server     # the bomb uploaded on a running app

``--server`` starts ``streamlit run app.py`` on a free loopback port against a copy of the
sample database, uploads the bomb on the Upload page with Playwright and Debian's Chromium, and
samples the server's resident memory from /proc while the file is refused.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import resource
import statistics
import sys
import tempfile
import threading
import time
import zipfile
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from openpyxl import Workbook  # noqa: E402

from config import Config  # noqa: E402
from data_loaders import worker  # noqa: E402
from data_loaders.ingest import parse_file  # noqa: E402
from data_loaders.sandbox import parse_isolated  # noqa: E402

HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete"]


def bomb() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Status"
    ws.append(HEADER)
    ws.append(["P1", "2026-11-20", "Green", 5])
    ws["XFD1048576"] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def million_rows(rows: int) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Status")
    ws.append(HEADER)
    for i in range(rows - 1):
        ws.append([f"P{i % 5000}", "2026-11-20", "Green", i % 100])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def with_dimension(data: bytes, ref: bytes) -> bytes:
    """openpyxl's write-only mode writes no <dimension>; Excel always does. Add one."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = body.replace(b"</sheetPr>", b'</sheetPr><dimension ref="' + ref + b'"/>', 1)
            zf.writestr(info, body)
    return out.getvalue()


def cpu() -> float:
    """CPU seconds used so far by this process, its finished children and the parse worker
    with the jobs it forked (load-independent). The worker runs on, so its time and its
    children's is read from /proc, not from our children's usage."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime + worker_cpu()


def worker_cpu() -> float:
    """CPU seconds of the running parse worker and the children it has reaped (0 if none)."""
    server = worker._server
    if server is None or not server.alive():
        return 0.0
    fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")  # utime .. cstime


def timed(label: str, fn) -> object:
    t0, c0 = time.perf_counter(), cpu()
    parsed = fn()
    seconds, cpu_s = time.perf_counter() - t0, cpu() - c0
    first = (parsed.report.all_problems or [None])[0]
    print(f"{label:<50} {seconds:6.2f} s wall {cpu_s:6.2f} s CPU  {parsed.report.status:<9} "
          f"{(first.message if first else '')[:60]}")  # fmt: skip
    return parsed


def figures() -> None:
    known = {"P1": "One"}
    small = b"Project ID,Report Date,Overall RAG,% Complete\nP1,2026-11-20,Green,5\n"
    worker.stop()
    t0, c0 = time.perf_counter(), cpu()
    parse_isolated("s.csv", small, known)  # pays the worker's start
    print(f"{'first job: the worker starts (2-line CSV)':<50} {time.perf_counter() - t0:6.2f} s "
          f"wall {cpu() - c0:6.2f} s CPU")  # fmt: skip
    runs = []
    for _ in range(5):
        t0, c0 = time.perf_counter(), cpu()
        parse_isolated("s.csv", small, known)
        runs.append((time.perf_counter() - t0, cpu() - c0))
    t0 = time.perf_counter()
    parse_file("s.csv", small, known)
    inline = time.perf_counter() - t0
    wall, cpu_s = (statistics.median(r[i] for r in runs) for i in (0, 1))
    load = os.getloadavg()[0]
    label = "a job of the warm worker (2-line CSV, median of 5)"
    print(f"{label:<50} {wall:6.2f} s wall {cpu_s:6.2f} s CPU  (in-process parse "
          f"{inline:.3f} s); load average {load:.1f}")  # fmt: skip
    data = bomb()
    print(f"bomb workbook: {len(data):,} bytes, one cell at XFD1048576")
    timed("bomb, in-process pre-check", lambda: parse_file("bomb.xlsx", data, known))
    timed("bomb, in the sandbox", lambda: parse_isolated("bomb.xlsx", data, known))
    limits = replace(Config().ingest, max_rows=10**9, max_columns=10**9, max_cells=10**15)
    loose = replace(Config(), ingest=limits)
    timed("bomb, pre-checks off (child hits 1 GB)",
          lambda: parse_isolated("b.xlsx", data, known, loose))  # fmt: skip
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this (parent) process: peak RSS {peak:.0f} MB")
    t0 = time.perf_counter()
    big = million_rows(1_048_576)
    built = time.perf_counter() - t0
    print(f"1,048,576-row workbook: {len(big) / 1e6:.1f} MB (built in {built:.0f} s)")
    timed("1M rows, no <dimension>: cells scanned (sandbox)",
          lambda: parse_isolated("m.xlsx", big, known))  # fmt: skip
    declared = with_dimension(big, b"A1:D1048576")
    timed("1M rows, refused from <dimension> (sandbox)",
          lambda: parse_isolated("m.xlsx", declared, known))  # fmt: skip
    timed("1M rows, refused from <dimension> (in-process)",
          lambda: parse_file("m.xlsx", declared, known))  # fmt: skip
    flood = b"Project ID,Report Date,Overall RAG,% Complete\nP1,2026-11-20,Green,5\n"
    flood += b"\n" * 20_000_000
    timed("20 MB CSV of blank lines (sandbox)", lambda: parse_isolated("f.csv", flood, known))


def _rss(pid: int, field: str = "VmRSS") -> int:
    """Kilobytes of ``field`` in /proc/PID/status (0 once the process is gone)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    found = re.search(rf"{field}:\s+(\d+)", status)  # a zombie has no memory lines
    return int(found.group(1)) if found else 0


def server() -> None:
    """Files uploaded on the Upload page of a running app; the server's memory from /proc."""
    import shutil

    from playwright.sync_api import sync_playwright

    import store
    from sample_data import write_sample
    from sample_data.excel import write_pm_workbooks
    from tests.browser import start_app, stop_app, wait_for_app

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "app.db"
        engine = store.get_engine(f"sqlite:///{db}")
        write_sample(engine)
        engine.dispose()
        good = write_pm_workbooks(Path(tmp) / "good")[0]
        path = Path(tmp) / "bomb.xlsx"
        path.write_bytes(bomb())
        proc, url = start_app(f"sqlite:///{db}", Path(tmp) / "streamlit.log")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                            args=["--no-sandbox"])  # fmt: skip
                page = browser.new_page()
                page.goto(f"{url}/upload")
                wait_for_app(page)
                for file, expect in ((good, "Status: Status report"),
                                     (path, "declares cell XFD1048576")):  # fmt: skip
                    before = _rss(proc.pid)
                    peak, seconds, shown = _upload(page, proc, file, expect)
                    print(f"{file.name}: server RSS {before / 1024:.0f} MB before, peak "
                          f"{peak / 1024:.0f} MB while parsing; answer shown: {shown} after "
                          f"{seconds:.1f} s; server alive: {proc.poll() is None}")  # fmt: skip
                    if proc.poll() is not None:
                        print(f"server exit status {proc.returncode}")
                        break
                browser.close()
            print(f"server VmHWM {_rss(proc.pid, 'VmHWM') / 1024:.0f} MB")
        finally:
            stop_app(proc)


def _upload(page, proc, file: Path, expect: str) -> tuple[int, float, bool]:
    """Upload ``file``; sample the server's RSS every 20 ms until ``expect`` shows or it dies."""
    samples = [_rss(proc.pid)]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(_rss(proc.pid))
            time.sleep(0.02)

    thread = threading.Thread(target=sample)
    thread.start()
    t0 = time.perf_counter()
    page.set_input_files('input[type="file"]', str(file))
    shown = False
    while time.perf_counter() - t0 < 180 and proc.poll() is None and not shown:
        shown = page.get_by_text(expect).count() > 0
        page.wait_for_timeout(100)
    stop.set()
    thread.join()
    return max(samples), time.perf_counter() - t0, shown


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", action="store_true", help="upload the bomb on a running app")
    args = parser.parse_args()
    server() if args.server else figures()
