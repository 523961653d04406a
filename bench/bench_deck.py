"""Benchmark: time to build the review deck, and time per chart, at any portfolio size.

    .venv/bin/python bench/bench_deck.py [--projects 60] [--weeks 26] [--runs 3] [--db URL]

Generates ``--projects`` x ``--weeks`` weekly reports (sample_data.generator) into a temporary
SQLite file as one upload, or reads an already loaded ``--db``, then prints: analytics and
slide plan, Chromium start, each chart's render time (1920x1080 PNG with footer), and the full
``build_deck`` time on a new review model (analytics + charts + writing the .pptx) with its
slide count. Figures, not
assertions; the issue's goal is 8 s at 2,000 projects x 156 weeks.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pptx import Presentation  # noqa: E402

import store  # noqa: E402
from analytics.review import Review  # noqa: E402
from config import get_config  # noqa: E402
from exports.deck import build_deck, plan_slides  # noqa: E402
from exports.png import Renderer, with_footer  # noqa: E402
from sample_data.generator import generate  # noqa: E402


def _cpu() -> float:
    """CPU seconds of this process and its ended children (Chromium, once closed): on a shared
    machine a steadier figure than wall time."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _seed(url: str, projects: int, weeks: int) -> None:
    t = time.perf_counter()
    tables = generate(n_projects=projects, weeks=weeks).tables()
    label = f"bench_deck {projects}x{weeks}"
    meta = store.UploadMeta(
        f"{label}.xlsx", hashlib.sha256(label.encode()).hexdigest(), 0, "bench", "sample"
    )
    engine = store.get_engine(url)
    store.write_batch(engine, tables, meta)
    engine.dispose()
    rows = ", ".join(f"{len(v):,} {k}" for k, v in tables.items())
    print(f"generated and loaded in {time.perf_counter() - t:.0f} s: {rows}")


def _frames(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        if not args.db:
            _seed(url, args.projects, args.weeks)
        engine = store.get_engine(url)
        frames = store.read_frames(engine)
        engine.dispose()
    return frames


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=60, help="projects to generate")
    parser.add_argument("--weeks", type=int, default=26, help="weekly reports per project")
    parser.add_argument("--runs", type=int, default=3, help="full-deck builds to time")
    parser.add_argument("--db", help="read this loaded database instead of generating one")
    args = parser.parse_args()
    frames = _frames(args)
    review = frames["status_reports"]["report_date"].max()
    print(
        f"portfolio: {len(frames['projects']):,} projects, "
        f"{len(frames['status_reports']):,} status reports, review date {review.date()}"
    )

    t = time.perf_counter()
    rv = Review(frames, get_config(), review)
    slides = plan_slides(rv)
    print(f"analytics + slide plan: {time.perf_counter() - t:.2f} s ({len(slides) + 1} slides)")
    charts = [s for s in slides if s.fig is not None]
    start = time.perf_counter()
    with Renderer() as renderer:
        times = []
        for s in charts:
            fig = with_footer(s.fig, review.date().isoformat(), s.source)
            t = time.perf_counter()
            png = renderer.render(fig)
            times.append(time.perf_counter() - t)
            wait = " (waited for Chromium to start)" if len(times) == 1 else ""
            print(f"  chart {times[-1]:.2f} s  {len(png) / 1024:6.0f} KiB  {s.title}{wait}")
    print(f"Chromium start + {len(charts)} charts: {time.perf_counter() - start:.2f} s")

    builds, cpus = [], []
    for _ in range(args.runs):
        t, cpu = time.perf_counter(), _cpu()
        data = build_deck(Review(frames, get_config(), review))  # a new review: nothing kept
        builds.append(time.perf_counter() - t)
        cpus.append(_cpu() - cpu)
    n_slides = len(Presentation(io.BytesIO(data)).slides)
    print(
        f"full deck ({len(data) / 1024:,.0f} KiB, {n_slides} slides, {len(charts)} charts): "
        f"best {min(builds):.2f} s, mean {sum(builds) / len(builds):.2f} s over {args.runs} runs; "
        f"CPU best {min(cpus):.2f} s (this process and its ended children: Python + Chromium)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
