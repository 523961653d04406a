"""Server-side PNG rendering of our plotly figures with kaleido and the system Chromium.

Every exported PNG is 1920x1080 (16:9): the figure in the slide layout the toolbar camera also
draws (charts.template.export_layout: 960x540 at 2x, the as-of date and source under the title).
``Renderer`` starts Chromium once and renders many figures with it (one start per deck);
``render_png`` is the one-figure shortcut the "Download PNG" button uses.
Nothing here imports streamlit.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import Future
from pathlib import Path

import plotly.graph_objects as go

from charts.template import EXPORT_HEIGHT, EXPORT_SCALE, EXPORT_WIDTH, export_layout

SYSTEM_CHROMIUM = "/usr/bin/chromium"
# Lay the figure out at 960x540 and render at 2x: 1920x1080 pixels whose text stays legible
# on a slide (a 14 px label at 1920 px wide would be ~7 pt on a 13.3 in slide).
LAYOUT_WIDTH, LAYOUT_HEIGHT = EXPORT_WIDTH, EXPORT_HEIGHT
SCALE = EXPORT_SCALE
RENDER_TIMEOUT_S = 60
log = logging.getLogger(__name__)


class ExportError(RuntimeError):
    """A readable reason why an export could not be made."""


def ensure_browser() -> str:
    """Point kaleido/choreographer at the system Chromium unless ``BROWSER_PATH`` says otherwise.

    choreographer reads ``BROWSER_PATH`` first, then searches PATH; we never download a browser.
    """
    path = os.environ.get("BROWSER_PATH")
    if not path and Path(SYSTEM_CHROMIUM).exists():
        os.environ["BROWSER_PATH"] = path = SYSTEM_CHROMIUM
    if not path or not Path(path).exists():
        raise ExportError(
            f"No Chromium found at {path or SYSTEM_CHROMIUM}: PNG and slide export need the "
            "system browser (Debian/Ubuntu: apt-get install chromium), or set BROWSER_PATH."
        )
    return path


def with_footer(fig: go.Figure, as_of: str, source: str) -> go.Figure:
    """A copy of ``fig`` in the slide layout with its as-of/source line: the one export layout
    (charts.template.export_layout) the toolbar camera draws too, so both images match. The
    line sits under the title, where plotly makes room for it whatever the margins grow to
    (long names push the left margin, a long legend the bottom one)."""
    return export_layout(fig, as_of, source)


class Renderer:
    """One Chromium for many figures: ``with Renderer() as r: r.render(fig)``.

    kaleido is asyncio-based; it runs on a private event loop thread so callers (a Streamlit
    script, a CLI, a download callback thread) stay synchronous and can report progress.
    Chromium starts in the background on entering (a few seconds) and ``submit`` queues a
    figure without waiting, so a caller can compute the next chart while Chromium renders.
    """

    def __init__(self, timeout: float = RENDER_TIMEOUT_S) -> None:
        self._timeout = timeout
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._opening: asyncio.Task | None = None

    def __enter__(self) -> Renderer:
        ensure_browser()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._opening = self._call(self._start())
        return self

    async def _start(self) -> asyncio.Task:
        return asyncio.ensure_future(self._open())

    async def _open(self):
        import kaleido  # imported late: it loads plotly.js helpers and registers encoders

        # mathjax=False: no CDN request (our charts use no LaTeX), so export works offline.
        k = kaleido.Kaleido(n=1, mathjax=False, timeout=self._timeout)
        # Every wait on Chromium is bounded: a browser that never answers (seen once on a
        # loaded machine: a deck build waited for ever) becomes a readable error, not a hang.
        try:
            await asyncio.wait_for(k.open(), self._timeout)
        except TimeoutError:
            raise ExportError(f"Chromium did not start within {self._timeout:.0f} s") from None
        return k

    async def _kaleido(self):
        try:
            return await self._opening
        except Exception as exc:
            raise ExportError(f"Could not start Chromium for PNG export: {exc}") from exc

    def _call(self, coro):
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def submit(self, fig: go.Figure) -> Future[bytes]:
        """Queue a figure (use ``with_footer`` first); the future gives its PNG bytes."""
        opts = {
            "format": "png",
            "width": fig.layout.width or LAYOUT_WIDTH,
            "height": fig.layout.height or LAYOUT_HEIGHT,
            "scale": SCALE,
        }
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(self._render(still(fig), opts), self._loop)

    async def _render(self, spec: dict, opts: dict) -> bytes:
        k = await self._kaleido()
        try:
            return await asyncio.wait_for(k.calc_fig(spec, opts=opts), self._timeout)
        except TimeoutError:
            raise ExportError(
                f"Chromium did not render the chart within {self._timeout:.0f} s"
            ) from None
        except Exception as exc:
            raise ExportError(f"Chromium could not render the chart: {exc}") from exc

    def render(self, fig: go.Figure) -> bytes:
        """PNG bytes of a figure (use ``with_footer`` first for the slide size and footer)."""
        return self.submit(fig).result()

    def __exit__(self, *exc) -> None:
        try:
            if self._opening is not None:
                self._call(self._close())
        finally:
            self._opening = None
            self._stop_loop()

    async def _close(self) -> None:
        try:
            k = await self._opening
        except Exception:  # it never started: nothing to close (render reported why)
            return
        try:
            await asyncio.wait_for(k.close(), self._timeout)
        except Exception:  # a wedged browser: the export already has its result or its error
            log.warning("Chromium did not close cleanly after PNG export", exc_info=True)

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            if self._thread is not None:
                self._thread.join(timeout=30)
            self._loop.close()
            self._loop = None


def still(fig: go.Figure) -> dict:
    """The figure as a dict for a still image.

    - WebGL scatter traces are drawn as SVG: plotly express switches to ``scattergl`` above
      1,000 points, and headless Chromium has no GPU, so WebGL is software-rendered: 2,000
      bubbles took 3-6 s, as SVG under 1 s, and look the same (SVG is sharper).
    - Hover-only data are left out (an image has no hover): the governance quadrant's
      explanations are 2 MB of JSON for 2,000 projects, without them 0.1 MB.
    """
    spec = fig.to_dict()
    for trace in spec["data"]:
        if trace.get("type") == "scattergl":
            trace["type"] = "scatter"
        trace.pop("hovertext", None)
        trace.pop("hovertemplate", None)
        if "texttemplate" not in trace:  # a text template may show customdata
            trace.pop("customdata", None)
    return spec


def render_png(fig: go.Figure, as_of: str, source: str) -> bytes:
    """One slide-sized PNG with its footer (starts and stops Chromium: ~2-3 s)."""
    with Renderer() as renderer:
        return renderer.render(with_footer(fig, as_of, source))


def file_name(key: str, as_of: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in key)
    return f"{safe}_{as_of}.png" if as_of else f"{safe}.png"
