"""Benchmark: time to build the full review deck for the sample portfolio, and time per chart.

    .venv/bin/python bench/bench_deck.py [--runs 3]

Seeds the sample portfolio into a temporary SQLite file, then prints: Chromium start, each
chart's render time (1920x1080 PNG with footer), and the full build_deck time (analytics +
one Chromium start + every chart + writing the .pptx). Figures, not assertions.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import store  # noqa: E402
from exports.deck import build_deck, plan_slides, prepare_review  # noqa: E402
from exports.png import Renderer, with_footer  # noqa: E402
from sample_data import write_sample  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="full-deck builds to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        engine = store.get_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        write_sample(engine)
        frames = store.read_frames(engine)
        engine.dispose()
    review = frames["status_reports"]["report_date"].max()
    print(f"sample portfolio: {len(frames['projects'])} projects, review date {review.date()}")

    t = time.perf_counter()
    rv = prepare_review(frames, review)
    slides = plan_slides(rv)
    print(f"analytics + slide plan: {time.perf_counter() - t:.2f} s ({len(slides) + 1} slides)")
    charts = [s for s in slides if s.fig is not None]
    t = time.perf_counter()
    with Renderer() as renderer:
        print(f"Chromium start (kaleido): {time.perf_counter() - t:.2f} s")
        times = []
        for s in charts:
            fig = with_footer(s.fig, rv.as_of, s.source)
            t = time.perf_counter()
            png = renderer.render(fig)
            times.append(time.perf_counter() - t)
            print(f"  chart {times[-1]:.2f} s  {len(png) / 1024:6.0f} KiB  {s.title}")
    print(f"per chart: mean {sum(times) / len(times):.2f} s, max {max(times):.2f} s")

    builds = []
    for _ in range(args.runs):
        t = time.perf_counter()
        data = build_deck(frames, review)
        builds.append(time.perf_counter() - t)
    print(
        f"full deck ({len(data) / 1024:,.0f} KiB, {len(charts)} charts): "
        f"best {min(builds):.2f} s, mean {sum(builds) / len(builds):.2f} s over {args.runs} runs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
