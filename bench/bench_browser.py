"""Browser time: every page of the menu in Chromium, from navigation to its last element.

    .venv/bin/python bench/bench_browser.py [--projects 2000] [--weeks 156] [--db URL]
        [--shape default|weekly-registers] [--register-every K] [--weekly-for N]
        [--workdir DIR] [--pages-only] [--chromium PATH]

1. Generates and loads a portfolio as bench/bench_scale.py does (same options; the shape
   defaults to issue 13's, weekly-registers), on a SQLite file in the work folder or, with
   ``--db``, on a private database created on that PostgreSQL server and dropped afterwards.
   ``--pages-only`` measures the pages of an already-loaded ``--db`` as it is.
2. Starts the app (``python -m ui.serve`` on a free loopback port, as ``make run`` does) on
   that database and opens every page of ui/navigation.py in headless Chromium (Playwright,
   /usr/bin/chromium), start page first:
   cold, the page's first visit since the server started (a new browser context, so nothing
   cached by the browser either; the start page's cold visit loads the frames: the first
   page), then warm, the same address opened again (a new session on the warm server).
3. A page is rendered when Streamlit has finished running its script (the app's script state
   is notRunning and its status widget is gone), no skeleton or spinner is left, every Plotly
   chart has drawn its SVG, and nothing in the main block has changed for a second. The time
   is from navigation start to the last change seen before that second of quiet: when the last
   element (or the last chart) appeared, measured by the browser (performance.now()), not by
   our polling. A page that shows an exception or an error box, or is not rendered within
   120 s, fails the run.
4. Starts the app again and, once it has read ahead (launcher.py: the frames and the landing
   page's review, ``ui.data.read_ahead``, seen in Streamlit's metrics), opens the start page
   in a new browser context: what the first viewer who comes after a (re)start finds (a
   first page: held to the first page's goal).

Prints each page's cold and warm seconds beside the goals of issue 13 (every page at most 1 s,
the first page at most 3 s) and the server's peak RSS; exits non-zero when ui/navigation.py
lists no page or a page failed. Not a test.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_scale  # noqa: E402  (after the path lines above)

from redact import scrub  # noqa: E402
from ui.navigation import SCRIPTS, START, url_path  # noqa: E402

if not SCRIPTS:  # a benchmark with nothing to measure must not print a pass
    raise SystemExit("bench_browser: no pages found in ui/navigation.py; nothing to measure")
GOAL_PAGE_S, GOAL_FIRST_S = 1.0, 3.0
QUIET_MS = 1000  # nothing changed in the main block for this long: the page is complete
TIMEOUT_MS = 120_000
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip

# Runs in every document before Streamlit's own scripts: records performance.now() whenever
# what the page shows changes (script state, elements in the main block, skeletons, spinners,
# charts drawn), so the time of the last change is the browser's, not our polling's.
WATCH = """(() => {
  const w = window;
  w.__pmo = {last: 0, key: ''};
  const q = (s) => document.querySelectorAll(s).length;
  const check = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    const key = [
      app ? app.getAttribute('data-test-script-state') : '',
      q('[data-testid="stMain"] [data-testid="stElementContainer"]'),
      q('[data-testid="stSkeleton"]'), q('[data-testid="stSpinner"]'),
      q('[data-testid="stStatusWidget"]'), q('.js-plotly-plot .main-svg'),
    ].join('/');
    if (key !== w.__pmo.key) { w.__pmo.key = key; w.__pmo.last = performance.now(); }
  };
  new MutationObserver(check).observe(document, {
    childList: true, subtree: true, attributes: true,
    attributeFilter: ['data-test-script-state'],
  });
})();"""
DONE = """(quiet) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const q = (s) => document.querySelectorAll(s).length;
  if (q('[data-testid="stStatusWidget"]') || q('[data-testid="stSkeleton"]')
      || q('[data-testid="stSpinner"]')) return false;
  if (!q('[data-testid="stMain"] [data-testid="stElementContainer"]')) return false;
  const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
  for (const c of charts) if (!c.querySelector('.main-svg')) return false;
  return performance.now() - window.__pmo.last >= quiet;
}"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=156, help="weekly reports (at least 26)")
    parser.add_argument("--shape", choices=sorted(bench_scale.SHAPES), default="weekly-registers")
    parser.add_argument("--register-every", type=int, metavar="K", help="as bench_scale.py")
    parser.add_argument("--weekly-for", type=int, metavar="N", help="as bench_scale.py")
    parser.add_argument("--db", help="PostgreSQL server URL; default a SQLite file")
    parser.add_argument("--workdir", help="keep the CSVs, the SQLite file and the server log")
    parser.add_argument("--pages-only", action="store_true", help="time the pages of --db")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="the browser")
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        parser.error(f"no Chromium at {args.chromium}")
    with tempfile.TemporaryDirectory(prefix="pmo-browser-") as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        if args.pages_only:
            if not args.db:
                parser.error("--pages-only needs --db")
            return _report(args.db, work, args.chromium)
        shape = bench_scale.SHAPES[args.shape]
        if args.register_every is not None:
            shape = replace(shape, register_every=max(1, args.register_every))
        if args.weekly_for is not None:
            shape = replace(shape, weekly_for=max(0, args.weekly_for))
        folder = bench_scale._write_csvs(args.projects, args.weeks, shape, work / "csv")
        with bench_scale._database(args.db, work) as url:
            if bench_scale._load(folder, url):
                return 1
            return _report(url, work, args.chromium)


def _report(url: str, work: Path, chromium: str) -> int:
    """Serve the app on ``url``, time every page, print the table; 1 if a page failed."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        project = conn.execute(text("SELECT MIN(project_id) FROM projects")).scalar()
        backend = engine.dialect.name
    engine.dispose()
    log = work / "streamlit.log"
    try:
        results, peak = _measure(url, log, chromium, project)
        ahead = _after_read_ahead(url, work / "read_ahead.log", chromium)
        blank = _baseline(work, chromium)
    except Exception as exc:  # the server did not start, Chromium did not launch
        print(f"the browser run failed: {scrub(str(exc), url)[-3000:]}")
        return 1
    print(f"\nbrowser time per page (Chromium, navigation to the last element, s), {backend}")
    print(f"goals: every page <= {GOAL_PAGE_S:g} s, the first page (cold start page, loads the "
          f"frames) <= {GOAL_FIRST_S:g} s")  # fmt: skip
    print(f"{'page':<34} {'cold s':>7} {'warm s':>7}  goal")
    failed = 0
    for script, r in results.items():
        if r["error"]:
            failed += 1
            print(f"{script:<34} {'':>7} {'':>7}  failed: {scrub(r['error'], url)[:100]}")
            continue
        cold_goal = GOAL_FIRST_S if script == START else GOAL_PAGE_S
        ok = r["cold"] <= cold_goal and r["warm"] <= GOAL_PAGE_S
        print(f"{script:<34} {r['cold']:7.2f} {r['warm']:7.2f}  {'ok' if ok else 'over'}")
    print(f"{'start page after the read-ahead':<34} {ahead[1]:7.2f} {'':>7}  "
          f"{'ok' if ahead[1] <= GOAL_FIRST_S else 'over'} (the server read ahead for "
          f"{ahead[0]:.1f} s after its health check)")  # fmt: skip
    if blank:
        print(f"{'baseline: a one-line Streamlit page':<34} {blank[0]:7.2f} {blank[1]:7.2f}  "
              "(the same server options and browser: the floor on this machine)")  # fmt: skip
    if peak is not None:
        print(f"server peak RSS after every page: {peak:.0f} MB")
    if failed:
        # the app shows users no exception message: the server's log has it
        raised = [line for line in log.read_text(errors="replace").splitlines()
                  if re.match(r"[\w.]+(Error|Exception): ", line)]  # fmt: skip
        for line in dict.fromkeys(raised):
            print(f"server log: {scrub(line, url)[:400]}")
        print(f"{failed} page(s) failed; the server log is {log} (kept with --workdir)")
    return 1 if failed else 0


def _measure(url: str, log: Path, chromium: str, project: str | None):
    """Start the server, then each page cold and warm; the results and the server's peak MB."""
    from playwright.sync_api import sync_playwright

    from tests.browser import start_app, stop_app

    proc, base = start_app(url, log)
    results = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            for script in SCRIPTS:  # the start page first: its cold visit loads the frames
                address = f"{base}/{url_path(script)}"
                if script.endswith("/project.py") and project:
                    address += f"?project={project}"
                context = _watched(browser)
                page = context.new_page()
                try:
                    cold = _visit(page, address)
                    warm = _visit(page, address)
                    results[script] = {"cold": cold, "warm": warm, "error": ""}
                except _PageFailed as exc:
                    results[script] = {"error": str(exc)}
                finally:
                    context.close()
            browser.close()
        peak = _peak_mb(proc.pid)
    finally:
        stop_app(proc)
    return results, peak


def _after_read_ahead(url: str, log: Path, chromium: str) -> tuple[float, float]:
    """Start the server, wait until it has read ahead; the seconds that took (from its health
    check) and the start page's first visit then."""
    from playwright.sync_api import sync_playwright

    from tests.browser import start_app, stop_app, wait_computed

    proc, base = start_app(url, log)
    try:
        started = time.perf_counter()
        if wait_computed(base, "_review", 1, timeout=TIMEOUT_MS / 1000) < 1:
            raise RuntimeError("the server did not read ahead (no landing review in its metrics)")
        waited = time.perf_counter() - started
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            first = _visit(_watched(browser).new_page(), f"{base}/{url_path(START)}")
            browser.close()
    finally:
        stop_app(proc)
    return waited, first


def _baseline(work: Path, chromium: str) -> tuple[float, float]:
    """Cold and warm seconds of a page holding one title, served by plain ``streamlit run``
    with the app's options: what Streamlit and Chromium cost here before any of our code."""
    from playwright.sync_api import sync_playwright

    from tests.browser import free_port, stop_app, wait_for_health

    script = work / "blank_page.py"
    script.write_text('import streamlit as st\n\nst.title("Blank")\nst.write("nothing else")\n')
    port = free_port()
    log = work / "blank.log"
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        wait_for_health(proc, f"http://127.0.0.1:{port}", log)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, headless=True, args=ARGS)
            page = _watched(browser).new_page()
            address = f"http://127.0.0.1:{port}/"
            times = (_visit(page, address), _visit(page, address))
            browser.close()
    finally:
        stop_app(proc)
    return times


class _PageFailed(Exception):
    pass


def _watched(browser):
    """A new browser context (nothing cached) whose every document runs ``WATCH``."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.add_init_script(WATCH)
    return context


def _visit(page, address: str) -> float:
    """Open ``address``; seconds from navigation start to the page's last change."""
    from playwright.sync_api import Error as PlaywrightError

    try:
        page.goto(address, wait_until="commit")
        page.wait_for_function(DONE, arg=QUIET_MS, polling=100, timeout=TIMEOUT_MS)
    except PlaywrightError as exc:
        raise _PageFailed(f"not rendered within {TIMEOUT_MS // 1000} s: {exc}") from None
    for testid in ("stException", "stAlertContentError"):
        box = page.locator(f'[data-testid="{testid}"]')
        if box.count():
            raise _PageFailed(f"{testid}: {box.first.inner_text()[:300]}")
    return float(page.evaluate("window.__pmo.last")) / 1000


def _peak_mb(pid: int) -> float | None:
    """The server's peak RSS (VmHWM of its process), while it still runs."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


if __name__ == "__main__":
    t0 = time.perf_counter()
    code = main()
    print(f"bench_browser finished in {time.perf_counter() - t0:.0f} s, exit {code}")
    sys.exit(code)
