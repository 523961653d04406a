"""Screenshots for the docs, from the sample portfolio: ``make docs-shots``.

Seeds the sample into a temporary SQLite file, starts the app as ``make run`` does
(``python -m ui.serve`` on a free loopback port), opens a few pages in Debian's Chromium
(Playwright, never a downloaded browser; the helpers of tests/browser.py) and writes small PNGs
to docs/img/. Run it again after a change to a page; commit the PNGs.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

import store  # noqa: E402
from sample_data import write_sample  # noqa: E402
from tests.browser import chromium_page, settle, start_app, stop_app  # noqa: E402
from tests.conftest import CHROMIUM  # noqa: E402

OUT = ROOT / "docs" / "img"
# (file name, page address): the start of the review and the two pages people ask about most
SHOTS = [("this_week", "/"), ("health", "/health"), ("risks", "/risks")]
VIEWPORT = {"width": 1280, "height": 800}
WIDTH = 960  # the PNG's width: readable on GitHub, small in the repository
COLOURS = 64  # a palette PNG: screenshots of flat UI need few colours


def shrink(raw: Path, out: Path) -> None:
    image = Image.open(raw).convert("RGB")
    height = round(image.height * WIDTH / image.width)
    image = image.resize((WIDTH, height), Image.LANCZOS)
    image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


def main() -> int:
    if not Path(CHROMIUM).exists():
        print(f"error: {CHROMIUM} missing (apt-get install chromium)", file=sys.stderr)
        return 1
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pmo-shots-") as tmp:
        db = Path(tmp) / "sample.db"
        engine = store.get_engine(f"sqlite:///{db}")
        write_sample(engine)
        engine.dispose()
        proc, url = start_app(f"sqlite:///{db}", Path(tmp) / "streamlit.log")
        try:
            with chromium_page(CHROMIUM) as page:
                page.set_viewport_size(VIEWPORT)
                for name, path in SHOTS:
                    page.goto(url + path)
                    settle(page)
                    raw = Path(tmp) / f"{name}.png"
                    page.screenshot(path=str(raw))
                    shrink(raw, OUT / f"{name}.png")
                    size = (OUT / f"{name}.png").stat().st_size
                    print(f"docs/img/{name}.png  {size / 1024:.0f} KB")
        finally:
            stop_app(proc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
