"""Scale: a large portfolio loaded through the command line, then every page's server time.

    .venv/bin/python bench/bench_scale.py [--projects 2000] [--weeks 156] [--db URL]
        [--shape default|weekly-registers] [--register-every K] [--weekly-for N]
        [--workdir DIR] [--pages-only] [--browser]

1. Generates N projects x W weekly reports (``sample_data.generator.generate``) with their
   risks, milestones, decisions and RAID items, written as canonical CSVs (the format of
   ``--export-dir``) in a work folder. ``--shape default`` is the sample's organisation
   scaled up (3 to 8 risks and 6 milestones a project, registers every week);
   ``--shape weekly-registers`` is issue 13's (``generator.WEEKLY_REGISTERS``): every
   project reports every week, about 20 open risks a project in the latest register (40,000
   at 2,000 projects), 8 milestones and 3 decisions a project, a fifth of the projects
   needing attention; the store keeps the registers of the latest 13 weeks and one a quarter
   before. ``--register-every K`` and ``--weekly-for N`` change which registers are kept:
   those of the latest N weeks and every K-th week before, counted back from the latest.
2. Loads the folder with ``python -m data_loaders ingest`` in a subprocess and times it.
3. In a fresh child process (so the peak memory is the server's alone) runs every page of
   app.py with Streamlit's AppTest: the first page (which loads the frames), then each page
   opened (cold) and rerun (warm), as process CPU seconds around ``at.run()``; the peak RSS
   after the first page and after every page; then, in the same run, bench/naive_page.py (a
   page that re-reads the tables with read_sql on every run, no cache) and each page's warm
   time as a ratio to the naive page's.
4. In another fresh child, what a served app does at start before any viewer comes
   (launcher.py's read-ahead, ``ui.data.read_ahead``: the frames and the landing page's
   review), then the first page: what the first viewer after a (re)start or an upload waits.

``--db`` takes a PostgreSQL server URL (e.g. the test server's); the bench creates a private
database on it and drops it afterwards. The default is a SQLite file in the work folder.
``--workdir DIR`` keeps the CSVs (and the SQLite file) there;
``--pages-only`` measures the pages of an already-loaded ``--db`` as it is; ``--browser``
then runs bench/bench_browser.py's measure (every page in Chromium) on the same database.
Prints figures beside the goals of issue 13; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from redact import scrub  # noqa: E402  (after the path line above)
from sample_data.generator import SAMPLE_SHAPE, WEEKLY_REGISTERS, Shape, generate  # noqa: E402
from ui.navigation import SCRIPTS  # noqa: E402

# Every page of the menu but the start page (opened first, where the frames load).
PAGES = list(SCRIPTS[1:])
if not PAGES:  # a benchmark with nothing to measure must not print a pass
    raise SystemExit("bench_scale: no pages found in ui/navigation.py; nothing to measure")
NAIVE = ROOT / "bench" / "naive_page.py"
GOAL_WARM_S, GOAL_NAIVE_SHARE, GOAL_FIRST_S, GOAL_PEAK_MB = 0.5, 0.1, 3.0, 600
CHUNK_ROWS = 20_000  # rows per canonical CSV (about 4 MB of risks)
SHAPES = {"default": SAMPLE_SHAPE, "weekly-registers": WEEKLY_REGISTERS}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--weeks", type=int, default=156, help="weekly reports (at least 26)")
    parser.add_argument(
        "--shape",
        choices=sorted(SHAPES),
        default="default",
        help="the organisation generated: the sample's scaled up, or issue 13's",
    )
    parser.add_argument(
        "--register-every",
        type=int,
        metavar="K",
        help="keep the risk and milestone registers of every K-th week only (the latest "
        "always); default: the shape's (1, or 13 for weekly-registers)",
    )
    parser.add_argument(
        "--weekly-for",
        type=int,
        metavar="N",
        help="keep every register of the latest N weeks; default: the shape's (0, or 13)",
    )
    parser.add_argument("--db", help="PostgreSQL server URL; default a SQLite file")
    parser.add_argument("--workdir", help="keep the CSVs and the SQLite file in this folder")
    parser.add_argument("--pages-only", action="store_true", help="time the pages of --db")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="then every page in Chromium on the same database (bench/bench_browser.py)",
    )
    # the children: every page, or the first page after the read-ahead
    parser.add_argument("--serve", choices=["pages", "read-ahead"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:  # the URL comes in the environment: a command line is visible in ps
        child = _serve_pages if args.serve == "pages" else _serve_read_ahead
        print(json.dumps(child(os.environ["PMO_DATABASE_URL"])))
        return 0
    if args.pages_only:
        if not args.db:
            parser.error("--pages-only needs --db")
        with tempfile.TemporaryDirectory(prefix="pmo-scale-") as tmp:
            work = Path(args.workdir or tmp)
            work.mkdir(parents=True, exist_ok=True)
            return _measure(args.db, work, args.browser)
    with tempfile.TemporaryDirectory(prefix="pmo-scale-") as tmp:
        work = Path(args.workdir or tmp)
        work.mkdir(parents=True, exist_ok=True)
        shape = SHAPES[args.shape]
        if args.register_every is not None:
            shape = replace(shape, register_every=max(1, args.register_every))
        if args.weekly_for is not None:
            shape = replace(shape, weekly_for=max(0, args.weekly_for))
        folder = _write_csvs(args.projects, args.weeks, shape, work / "csv")
        with _database(args.db, work) as url:
            if _load(folder, url):
                return 1
            return _measure(url, work, args.browser)


def _measure(url: str, work: Path, browser: bool) -> int:
    """The pages in AppTest, then with ``browser`` bench/bench_browser.py's measure on the
    same database (one load for both)."""
    code = _report_pages(url)
    if browser:
        # bench_browser.py in its own process on the loaded database (it imports this module
        # for the generator and the load, so it is run, not imported: no import circle)
        script = Path(__file__).with_name("bench_browser.py")
        cmd = [sys.executable, str(script), "--pages-only", "--db", url, "--workdir", str(work)]
        code = subprocess.run(cmd, check=False).returncode or code
    return code


def _write_csvs(projects: int, weeks: int, shape: Shape, folder: Path) -> Path:
    from data_loaders.ingest import export_frames

    t0 = time.perf_counter()
    # the generator builds only the kept registers: all of them would be millions of rows
    tables = generate(n_projects=projects, weeks=weeks, shape=shape).tables()
    for path in folder.glob("*.csv"):  # export_frames appends to what is there
        path.unlink()
    for table, frame in tables.items():
        # files of CHUNK_ROWS rows: the CLI's parse sandbox allows 32 MB per MB of file
        # (ingest.cli_parse_memory_per_mb) and a 19 MB CSV already needs more than that
        for k, start in enumerate(range(0, max(len(frame), 1), CHUNK_ROWS)):
            (written,) = export_frames({table: frame.iloc[start : start + CHUNK_ROWS]}, folder)
            written.rename(folder / f"{table}_{k + 1:03d}.csv")
    rows = ", ".join(f"{t} {len(f):,}" for t, f in tables.items())
    kept = sum(shape.keeps(w, weeks) for w in range(weeks))
    print(
        f"portfolio: {projects:,} projects x {weeks} weeks, {kept} registers kept (latest "
        f"{min(shape.weekly_for, weeks)} weekly, every {shape.register_every} before): {rows}"
    )
    print(_shape_figures(tables))
    files = sorted(folder.iterdir())
    mb = sum(p.stat().st_size for p in files) / 1e6
    print(
        f"{len(files)} canonical CSVs of at most {CHUNK_ROWS:,} rows, {mb:.0f} MB, in {folder} "
        f"({time.perf_counter() - t0:.0f} s)"
    )
    return folder


def _shape_figures(tables: dict) -> str:
    """What the issue states of its portfolio, as generated: open risks in the latest
    register, milestones, decisions, projects needing attention (Red, Amber, watermelon, not
    reported, as the portfolio snapshot judges them)."""
    from analytics import portfolio
    from analytics.risk import open_risks
    from config import get_config

    config = get_config()
    last = tables["status_reports"]["report_date"].max()
    ms = tables["milestones"]
    snap = portfolio.snapshot(tables, last, config)
    attention = snap["display_rag"].isin(["Red", "Amber"]) | snap["watermelon"]
    attention |= snap["not_reported"]
    return (
        f"latest register: {len(open_risks(tables['risks'], last, config.risk)):,} open risks; "
        f"{len(ms[ms['report_date'] == ms['report_date'].max()]):,} milestones, "
        f"{len(tables['decisions']):,} decisions; {attention.mean():.0%} of projects need "
        "attention (Red, Amber, watermelon or not reported)"
    )


@contextmanager
def _database(url: str | None, work: Path):
    """The app database for the run: a SQLite file in ``work``, or a private database on the
    server of ``url`` (created here, dropped afterwards) so that nothing else is touched."""
    if not url:
        path = work / "bench.db"
        for p in work.glob("bench.db*"):
            p.unlink()
        yield f"sqlite:///{path}"
        return
    from sqlalchemy import create_engine, make_url, text

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"pmo_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        force = " WITH (FORCE)" if admin.dialect.name == "postgresql" else ""
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}{force}"))
        admin.dispose()


def _load(folder: Path, url: str) -> int:
    """``python -m data_loaders ingest FOLDER`` in a subprocess: its wall and CPU time."""
    # no --db: the URL (and its password) goes in the environment, not on a command line
    cmd = [sys.executable, "-m", "data_loaders", "ingest", str(folder), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    run = subprocess.run(cmd, cwd=ROOT, env=_env(url), capture_output=True, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"the command line failed (exit {run.returncode}):\n{scrub(run.stderr[-3000:], url)}")
        return 1
    tables: dict[str, list[int]] = {}  # table: files, rows loaded, rows skipped
    for f in report["files"]:
        if f["status"] != "loaded":
            problems = "; ".join(p["message"] for p in f.get("problems", [])[:2])
            print(f"  {Path(f['file']).name}: {f['status']} {scrub(problems, url)[:300]}")
        counts = tables.setdefault(Path(f["file"]).stem.rsplit("_", 1)[0], [0, 0, 0])
        counts[0] += 1
        counts[1] += f["rows_loaded"]
        counts[2] += f.get("rows_skipped") or 0
    for table, (files, rows, skipped) in tables.items():
        print(f"  {table:<16} {files:>3} files {rows:>10,} rows loaded, {skipped:,} skipped")
    print(f"loaded through the command line in {wall:.0f} s wall, {cpu:.0f} s CPU "
          f"(the CLI and its parser children), exit {run.returncode}")  # fmt: skip
    return run.returncode


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PMO_DATABASE_URL": url}


def _child(url: str, serve: str) -> dict | str:
    """Run a ``--serve`` child on ``url``: its figures, or why it failed."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--serve", serve]
    run = subprocess.run(cmd, cwd=ROOT, env=_env(url), capture_output=True, text=True)
    if run.returncode:
        return f"the {serve} run failed (exit {run.returncode}):\n{scrub(run.stderr[-3000:], url)}"
    return json.loads(run.stdout.strip().splitlines()[-1])


def _report_pages(url: str) -> int:
    """Run the pages in child processes and print the figures beside the goals."""
    r = _child(url, "pages")
    if isinstance(r, str):
        print(r)
        return 1
    naive = r["naive"]["warm"]
    if r["naive"]["error"]:
        print(f"the naive page failed: {scrub(r['naive']['error'], url)}")
    print(f"\nserver time per page (AppTest, process CPU s), {r['backend']}; naive page "
          f"{naive:.2f} s warm ({r['naive']['cold']:.2f} s first run)")  # fmt: skip
    print(f"goals: warm <= {GOAL_WARM_S} s and <= {GOAL_NAIVE_SHARE:g} x naive "
          f"(<= {GOAL_NAIVE_SHARE * naive:.2f} s); first page <= {GOAL_FIRST_S:g} s; "
          f"peak <= {GOAL_PEAK_MB} MB")  # fmt: skip
    first = r["first"]
    print(f"{'first page (loads the frames)':<34} {first:7.2f} s   "
          f"{'ok' if first <= GOAL_FIRST_S else 'over'}")  # fmt: skip
    print(f"{'page':<34} {'cold s':>7} {'warm s':>7} {'warm/naive':>10}  goal")
    errors = []
    for page, t in r["pages"].items():
        ratio = t["warm"] / naive if naive else float("nan")
        ok = t["warm"] <= GOAL_WARM_S and ratio <= GOAL_NAIVE_SHARE and not t["error"]
        note = "ok" if ok else "over" if not t["error"] else "error (below)"
        print(f"{page:<34} {t['cold']:7.2f} {t['warm']:7.2f} {ratio:10.2f}  {note}")
        if t["error"]:
            errors.append(f"{page}: {scrub(t['error'], url)}")
    peak = r["peak_mb"]
    print(f"server peak RSS: {r['first_peak_mb']:.0f} MB after the first page, {peak:.0f} MB "
          f"after every page ({'ok' if peak <= GOAL_PEAK_MB else 'over'})")  # fmt: skip
    ahead = _child(url, "read-ahead")
    if isinstance(ahead, str):
        errors.append(ahead)
    else:
        print(f"{'first page after the read-ahead':<34} {ahead['first']:7.2f} s   "
              f"{'ok' if ahead['first'] <= GOAL_FIRST_S else 'over'} (the server's read-ahead at "
              f"start, before any viewer: {ahead['read_ahead']:.2f} s; peak RSS "
              f"{ahead['peak_mb']:.0f} MB)")  # fmt: skip
        if ahead["error"]:
            errors.append(f"the first page after the read-ahead: {scrub(ahead['error'], url)}")
    for error in errors:
        print(f"error on {error}")
    return 1 if errors else 0


def _serve_pages(url: str) -> dict:
    """The child: every page, then the naive page; CPU seconds and peak RSS of this process."""
    from sqlalchemy import create_engine, text
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    engine = create_engine(url)
    with engine.connect() as conn:
        project = conn.execute(text("SELECT MIN(project_id) FROM projects")).scalar()
        backend = engine.dialect.name
    engine.dispose()
    # the app's config redacts an exception's message for users; the bench names the error
    config.set_option("client.showErrorDetails", "full")

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600)
    at.query_params["project"] = project
    first, _ = _timed(at)
    first_peak = _peak_mb()
    pages = {}
    for page in PAGES:
        at.switch_page(page)
        cold, error = _timed(at)
        warm, error_again = _timed(at)
        pages[page] = {"cold": cold, "warm": warm, "error": error or error_again}
    peak = _peak_mb()
    naive = AppTest.from_file(str(NAIVE), default_timeout=3600)
    cold, error = _timed(naive)
    warm, error_again = _timed(naive)
    return {
        "backend": backend,
        "first": first,
        "first_peak_mb": first_peak,
        "pages": pages,
        "peak_mb": peak,
        "naive": {"cold": cold, "warm": warm, "error": error or error_again},
    }


def _timed(at) -> tuple[float, str]:
    """CPU seconds of this process for one run of ``at``, and its exceptions."""
    t0 = time.process_time()
    at.run()
    error = "; ".join(str(e.value)[:400] for e in at.exception) if at.exception else ""
    return time.process_time() - t0, error


def _serve_read_ahead(url: str) -> dict:
    """The child: launcher.py's read-ahead (``ui.data.read_ahead``), then the first page."""
    from streamlit import config
    from streamlit.testing.v1 import AppTest

    from ui import data

    config.set_option("client.showErrorDetails", "full")
    t0 = time.process_time()
    data.read_ahead()
    ahead = time.process_time() - t0
    first, error = _timed(AppTest.from_file(str(ROOT / "app.py"), default_timeout=3600))
    return {"read_ahead": ahead, "first": first, "error": error, "peak_mb": _peak_mb()}


def _peak_mb() -> float:
    """This process's peak RSS. Not ``getrusage``'s ru_maxrss: Linux carries that over from the
    parent through fork and exec, so the child would report the generator's 1.2 GB; VmHWM
    belongs to the process's own address space."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
