"""Page speed: time each page's script run on a generated portfolio (cold: first run after the
data changed; warm: a rerun with the frames cached), through Streamlit's AppTest.

    .venv/bin/python bench/bench_pages.py [--projects 60]

Prints figures; not a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = [
    "review/this_week",
    "review/health",
    "portfolio/risks",
    "portfolio/raid",
    "portfolio/governance",
    "portfolio/project",
    "data/quality",
    "data/upload",
    "data/export",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.db"
        os.environ["PMO_DATABASE_URL"] = url

        from streamlit.testing.v1 import AppTest

        import store
        from sample_data.generator import generate
        from sample_data.seed import write_sample

        t0 = time.perf_counter()
        write_sample(store.get_engine(url), n_projects=args.projects)
        sample = generate(n_projects=args.projects)
        rows = sum(len(f) for f in sample.tables().values())
        print(f"portfolio: {args.projects} projects, {rows:,} rows, seeded in "
              f"{time.perf_counter() - t0:.1f} s")  # fmt: skip
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        t0 = time.perf_counter()
        at.run()
        print(f"{'first run (loads frames)':<28} {time.perf_counter() - t0:6.2f} s")
        for page in PAGES:
            at.query_params["project"] = sample.projects["project_id"].iloc[0]
            t0 = time.perf_counter()
            at.switch_page(f"pages/{page}.py").run()
            cold = time.perf_counter() - t0
            t0 = time.perf_counter()
            at.run()
            warm = time.perf_counter() - t0
            status = "error" if at.exception else "ok"
            print(f"{page:<28} {cold:6.2f} s open, {warm:6.2f} s rerun  {status}")


if __name__ == "__main__":
    main()
