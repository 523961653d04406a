"""Viewers per process: N headless Chromium sessions on one app process, page times.

    .venv/bin/python bench/bench_viewers.py [--projects 2000] [--weeks 26]
        [--db URL | --server URL] [--viewers 1,2,4,8] [--rounds 4] [--keep]

1. The portfolio: ``--db URL`` is an app database already loaded (used as it is, never
   written); otherwise N projects x W weekly reports (``sample_data.generator.generate``, every
   register snapshot) are written in one batch (``store.write_batch``) into a private database
   created on the PostgreSQL ``--server`` (default the test server), dropped afterwards unless
   ``--keep`` (then its URL is printed for the next run's ``--db``).
2. One app process (``python -m ui.serve`` on a free loopback port, open local mode, the
   repository's .streamlit/config.toml), as deploy/systemd/pmo-lens@.service runs each one.
3. For each N in ``--viewers``: N browser contexts in one headless Chromium (/usr/bin/chromium)
   each open the app, then go This week -> Risks -> This week ... through the sidebar
   ``--rounds`` times, as fast as the pages come: no think time, so N is N people clicking at
   the same moment. A page's time runs from the click to the server's "script finished"
   message on the page's websocket (what the person waits for; the deltas paint as they
   arrive). Prints p50, p95 and max per N beside N = 1 (the baseline of the same run), and the
   app process's CPU use (one process runs its scripts on one core: near 100 % it is full).

The browsers run on the same machine as the server and take CPU from it: on a small machine
the figures are pessimistic. Prints figures; not a test. Exits non-zero when it measured
nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redact import scrub  # noqa: E402  (after the path line above)

CHROMIUM = "/usr/bin/chromium"
DEFAULT_SERVER = os.environ.get(
    "PMO_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PAGES = ("Risks", "This week")  # the sidebar titles visited in turn
PAGE_TIMEOUT_S = 300


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=26)
    parser.add_argument("--db", help="an app database already loaded: measured as it is")
    parser.add_argument("--server", default=DEFAULT_SERVER, help="PostgreSQL server URL")
    parser.add_argument("--viewers", default="1,2,4,8", help="concurrent sessions, e.g. 1,2,4,8")
    parser.add_argument("--rounds", type=int, default=4, help="Risks + This week per session")
    parser.add_argument("--keep", action="store_true", help="keep the database it loaded")
    args = parser.parse_args()
    counts = [int(n) for n in args.viewers.split(",") if n.strip()]
    if not counts or min(counts) < 1 or args.rounds < 1:
        parser.error("--viewers and --rounds must be positive")
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"bench_viewers: {CHROMIUM} missing (make chromium); nothing measured")
    with _database(args) as url, _app(url) as (app_url, pid):
        results = asyncio.run(_measure(app_url, pid, counts, args.rounds))
    return _report(results, counts)


@contextmanager
def _database(args):
    if args.db:
        yield args.db
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    name = f"pmo_viewers_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    try:
        _load(url, args.projects, args.weeks)
        yield url
    finally:
        if args.keep:
            print(f"kept the database: --db {scrub(url, url)}")
        else:
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()


def _load(url: str, projects: int, weeks: int) -> None:
    import store
    from sample_data.generator import generate

    t0 = time.perf_counter()
    tables = generate(n_projects=projects, weeks=weeks).tables()
    label = f"bench_viewers {projects}x{weeks}"
    meta = store.UploadMeta(
        file_name=f"{label}.xlsx", sha256=hashlib.sha256(label.encode()).hexdigest(),
        size_bytes=0, uploaded_by="bench_viewers", source="cli",
    )  # fmt: skip
    engine = store.get_engine(url)
    store.write_batch(engine, tables, meta)
    engine.dispose()
    store.get_engine.cache_clear()
    rows = ", ".join(f"{t} {len(f):,}" for t, f in tables.items())
    print(f"portfolio: {projects:,} projects x {weeks} weeks ({rows}); "
          f"generated and loaded in {time.perf_counter() - t0:.0f} s")  # fmt: skip


@contextmanager
def _app(url: str):
    """One ``python -m ui.serve`` on a free loopback port (tests.browser.start_app), from a
    folder holding only the repository's .streamlit/config.toml (no sign-in: open local mode on
    127.0.0.1)."""
    from tests.browser import start_app, stop_app

    with tempfile.TemporaryDirectory(prefix="pmo-viewers-") as tmp:
        run = Path(tmp)
        (run / ".streamlit").mkdir()
        shutil.copy(ROOT / ".streamlit" / "config.toml", run / ".streamlit" / "config.toml")
        try:
            proc, app_url = start_app(url, run / "streamlit.log", cwd=run, timeout=120)
        except RuntimeError as exc:  # it exited or did not answer: the end of its log
            raise SystemExit(scrub(str(exc), url)) from None
        try:
            yield app_url, proc.pid
        finally:
            stop_app(proc)


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the process (and its waited-for children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
    return ticks / os.sysconf("SC_CLK_TCK")


class Viewer:
    """One browser context: a person with the app open, clicking through the sidebar."""

    def __init__(self, context) -> None:
        self.context = context
        self.page = None
        self.finished = asyncio.Event()
        self.times: list[tuple[str, float]] = []  # (page title, seconds)

    def _frame(self, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        from tests.browser import forward_msg

        msg = forward_msg(payload)
        if (
            msg is not None
            and msg.WhichOneof("type") == "script_finished"
            and msg.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY
        ):
            self.finished.set()

    async def open(self, url: str) -> None:
        self.page = await self.context.new_page()
        self.page.set_default_timeout(PAGE_TIMEOUT_S * 1000)
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))
        self.finished.clear()
        await self.page.goto(url)
        await asyncio.wait_for(self.finished.wait(), PAGE_TIMEOUT_S)

    async def visit(self, title: str) -> None:
        link = self.page.locator('[data-testid="stSidebarNav"] a', has_text=title)
        await link.wait_for()
        self.finished.clear()
        t0 = time.perf_counter()
        await link.click()
        await asyncio.wait_for(self.finished.wait(), PAGE_TIMEOUT_S)
        self.times.append((title, time.perf_counter() - t0))


async def _measure(app_url: str, pid: int, counts: list[int], rounds: int) -> dict:
    from playwright.async_api import async_playwright

    results = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-sync"],
        )  # fmt: skip
        # One session first, not counted: the process reads the frames into its cache.
        warm = Viewer(await browser.new_context(viewport={"width": 1400, "height": 900}))
        t0 = time.perf_counter()
        await warm.open(app_url)
        for title in PAGES:
            await warm.visit(title)
        print(f"first session (loads the frames, opens both pages): "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        await warm.context.close()
        for n in counts:
            viewers = [
                Viewer(await browser.new_context(viewport={"width": 1400, "height": 900}))
                for _ in range(n)
            ]
            await asyncio.gather(*(v.open(app_url) for v in viewers))
            cpu0, t0 = _cpu_seconds(pid), time.perf_counter()

            async def clicks(v: Viewer) -> None:
                for _ in range(rounds):
                    for title in PAGES:
                        await v.visit(title)

            await asyncio.gather(*(clicks(v) for v in viewers))
            wall = time.perf_counter() - t0
            cpu = _cpu_seconds(pid) - cpu0
            times = [t for v in viewers for t in v.times]  # (title, seconds)
            load = os.getloadavg()[0]
            results[n] = {"times": times, "wall": wall, "cpu": cpu, "load": load}
            print(f"  {n} viewer(s): {len(times)} pages in {wall:.0f} s, machine load {load:.1f}",
                  flush=True)  # fmt: skip
            for v in viewers:
                await v.context.close()
        await browser.close()
    return results


def _p(times: list[float], q: float) -> float:
    if len(times) == 1:
        return times[0]
    return statistics.quantiles(times, n=100, method="inclusive")[q - 1]


def _report(results: dict, counts: list[int]) -> int:
    measured = {n: r for n, r in results.items() if r["times"]}
    if not measured:
        print("bench_viewers: no page time measured")
        return 1
    base_n = min(measured)
    base_p95 = _p([t for _, t in measured[base_n]["times"]], 95)
    print(f"\npage time, click to script finished (Risks and This week in turn), one process; "
          f"baseline {base_n} viewer(s) p95 {base_p95:.2f} s")  # fmt: skip
    print(f"{'viewers':>7} {'pages':>6} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
          f"{'p95/base':>8} {'pages/s':>8} {'app CPU':>8} {'CPU s/page':>10} {'load':>5}  "
          f"p50 by page")  # fmt: skip
    for n in counts:
        r = measured.get(n)
        if not r:
            print(f"{n:>7} nothing measured")
            continue
        t = [s for _, s in r["times"]]
        by_page = ", ".join(
            f"{title} {_p([s for name, s in r['times'] if name == title], 50):.2f}"
            for title in PAGES
        )
        print(f"{n:>7} {len(t):>6} {_p(t, 50):7.2f} {_p(t, 95):7.2f} {max(t):7.2f} "
              f"{_p(t, 95) / base_p95:8.1f} {len(t) / r['wall']:8.2f} "
              f"{100 * r['cpu'] / r['wall']:7.0f}% {r['cpu'] / len(t):10.2f} "
              f"{r['load']:5.1f}  {by_page}")  # fmt: skip
    cpu = sum(r["cpu"] for r in measured.values()) / sum(len(r["times"]) for r in measured.values())
    print(f"(app CPU: the process's CPU time over the wall time, 100 % = one core; load: the "
          f"machine's 1-minute load average at the end, on {os.cpu_count()} cores)")  # fmt: skip
    print(f"the process spent {cpu:.2f} CPU s per page: on a core of its own it serves about "
          f"{1 / cpu:.1f} pages/s before pages queue")  # fmt: skip
    return 0 if len(measured) == len(counts) else 1


if __name__ == "__main__":
    sys.exit(main())
