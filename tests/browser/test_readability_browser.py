"""Real browser: every chart on every page is readable with 40+ character portfolio, programme
and project names (the long-names sample), at 800, 1280 and 1600 px wide and in the 1920x1080
slide export: no tick label outside its chart, no two texts (tick labels, axis titles, chart
title, legend, annotations, text on points) on top of each other. The page around them too: at
800 px the sidebar starts collapsed; no tile cuts its figure ("£2…"); the columns a table is
read for are in sight, not scrolled past the table's edge.

The export check draws each chart of the live page again the way the toolbar camera does
(the figure's own data and layout at the slide layout size, charts.template.export_layout),
with plotly.js from the installed plotly package, offline. Full-page screenshots of every page
at each width (<page>_<width>.png), and of its charts in the slide layout (<page>_slide.png),
go to test-artifacts/readability/ (git-ignored).

Pages come from ui/navigation.py (the menu), so a new page is covered without changing this file.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import plotly
import pytest

from charts.template import EXPORT_HEIGHT, EXPORT_WIDTH, export_layout
from tests.browser import ARTIFACTS, chromium_page, settle, start_app, stop_app
from tests.conftest import CHROMIUM, require
from ui import navigation

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "readability"
WIDTHS = [800, 1280, 1600]
# Columns a table is read for, by page and width: in sight (the table may scroll sideways to
# the rest). Main cut the Why text at 1280 and clipped Flags at 1600.
IN_SIGHT = {
    "": {1280: ["Why"], 1600: ["Why"]},
    "health": {1280: ["Flags"], 1600: ["Flags", "Rule that fired"]},
}
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"  # offline bundle
# The project detail page is opened for a project with earned value, milestones and re-baselines.
PROJECT = "PRJ-0008"
TOLERANCE = 1.0  # px: boxes may touch, not overlap


def app_pages() -> list[str]:
    """URL paths of the pages in the menu ("" for the start page), Project detail with a
    project."""
    paths = [navigation.url_path(s) for s in navigation.SCRIPTS]
    return [f"project?project={PROJECT}&date=2026-11-20" if p == "project" else p for p in paths]


PAGES = app_pages()

# The texts a reader must read, per chart; boxes in page pixels. Plotly draws tick labels in
# g.xtick/g.ytick (g.x2tick… on subplots), axis titles in g.g-xtitle/g.g-ytitle, the title and
# its subtitle in g.g-gtitle, legend and annotation texts in their own groups, and text drawn
# on points (mode "markers+text", e.g. the old "re-baselined" notes) in g.textpoint.
MEASURE = """
(root) => {
  const KINDS = [
    ['tick', 'g[class$="axislayer-above"] g[class$="tick"] > text'],
    ['axis title', '.infolayer g[class^="g-"][class$="title"]:not(.g-gtitle) text'],
    ['chart title', '.infolayer .g-gtitle text'],
    ['legend', '.infolayer .legend text'],
    ['annotation', '.annotation text'],
    ['point text', '.textpoint text'],
  ];
  const box = (r) => ({x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  const scope = root || document;
  // Charts in a closed tab or expander are not drawn: nothing to read (or check) there.
  const shown = [...scope.querySelectorAll('.js-plotly-plot')].filter((p) => {
    const r = p.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  });
  return shown.map((plot) => {
    let frame = box(plot.querySelector('.main-svg').getBoundingClientRect());
    // Streamlit's chart element may be narrower than the svg: what it cuts off is clipped.
    const holder = plot.closest('[data-testid="stPlotlyChart"]');
    if (holder) {
      const h = box(holder.getBoundingClientRect());
      frame = {x0: Math.max(frame.x0, h.x0), y0: Math.max(frame.y0, h.y0),
               x1: Math.min(frame.x1, h.x1), y1: Math.min(frame.y1, h.y1)};
    }
    const texts = [];
    for (const [kind, sel] of KINDS) {
      for (const el of plot.querySelectorAll(sel)) {
        const text = (el.textContent || '').trim();
        const r = el.getBoundingClientRect();
        if (!text || r.width < 0.5 || r.height < 0.5) continue;
        const style = getComputedStyle(el);
        if (style.visibility === 'hidden' || style.opacity === '0') continue;
        texts.push({kind, text: text.slice(0, 60), ...box(r)});
      }
    }
    const title = plot.querySelector('.g-gtitle .gtitle');
    return {title: title ? title.textContent : '(untitled)', frame, texts};
  });
}
"""

# Draw every chart of the page again at the slide layout size, as the toolbar camera does
# (Plotly.toImage lays the figure out again at toImageButtonOptions' width and height).
EXPORT_REDRAW = """
async ([w, h]) => {
  const host = document.createElement('div');
  host.id = 'pmo-export-check';
  host.style.cssText = 'position:absolute;left:0;top:0;background:white;z-index:100000';
  document.body.appendChild(host);
  // The sidebar is drawn above everything: out of the way of the screenshot.
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  if (sidebar) sidebar.style.display = 'none';
  const charts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')];
  // The figure as Streamlit handed it to plotly.js (typed arrays as plain arrays).
  const copy = (v) => JSON.parse(
    JSON.stringify(v, (k, x) => (ArrayBuffer.isView(x) ? Array.from(x) : x)));
  for (const gd of charts) {
    const div = document.createElement('div');
    div.style.cssText = `width:${w}px;height:${h}px`;
    host.appendChild(div);
    const layout = {...copy(gd.layout), width: w, height: h, autosize: false};
    await Plotly.newPlot(div, copy(gd.data), layout, {staticPlot: true});
  }
  return charts.length;
}
"""


def text_problems(charts: list[dict], tol: float = TOLERANCE) -> list[str]:
    """Texts outside their chart's frame, and pairs of texts that overlap, readably listed."""
    out = []
    for c in charts:
        f = c["frame"]
        for t in c["texts"]:
            outside = (
                t["x0"] < f["x0"] - tol
                or t["y0"] < f["y0"] - tol
                or t["x1"] > f["x1"] + tol
                or t["y1"] > f["y1"] + tol
            )
            if outside:
                out.append(f"[{c['title']}] {t['kind']} {t['text']!r} is cut off at the edge")
        texts = c["texts"]
        for i, a in enumerate(texts):
            for b in texts[i + 1 :]:
                dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
                dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
                if dx > tol and dy > tol:
                    out.append(
                        f"[{c['title']}] {a['kind']} {a['text']!r} overlaps "
                        f"{b['kind']} {b['text']!r}"
                    )
    return out


def test_text_problems_finds_clipping_and_overlap():
    """The check itself: a label past the left edge and two titles on each other are found."""
    chart = {
        "title": "t",
        "frame": {"x0": 0, "y0": 0, "x1": 100, "y1": 100},
        "texts": [
            {"kind": "tick", "text": "ompliance", "x0": -20, "y0": 10, "x1": 30, "y1": 20},
            {"kind": "axis title", "text": "band", "x0": 40, "y0": 50, "x1": 60, "y1": 60},
            {"kind": "tick", "text": "medium", "x0": 55, "y0": 52, "x1": 80, "y1": 62},
            {"kind": "tick", "text": "touching", "x0": 80, "y0": 52, "x1": 99, "y1": 62},
        ],
    }
    found = text_problems([chart])
    assert found == [
        "[t] tick 'ompliance' is cut off at the edge",
        "[t] axis title 'band' overlaps tick 'medium'",
    ]


@pytest.fixture(scope="module")
def long_app(long_names_db_file, tmp_path_factory):
    """One app server for the module, on a private copy of the long-names sample."""
    if not Path(CHROMIUM).exists():
        require(f"{CHROMIUM} missing (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("readability")
    shutil.copy(long_names_db_file, folder / "app.db")
    proc, url = start_app(f"sqlite:///{folder / 'app.db'}", folder / "streamlit.log")
    yield url
    stop_app(proc)


@pytest.fixture(scope="module")
def page(long_app):
    """One Chromium page for the module (widths are set per test)."""
    with chromium_page(CHROMIUM) as pg:
        yield pg


def _open(page, url: str, width: int) -> int:
    """Open the page at ``width``; the number of charts on it once all visible ones are drawn.

    The window is made as tall as the page (Streamlit scrolls inside its own container, so a
    "full page" screenshot would show only the first screen)."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(url)
    page.locator("h1").first.wait_for()  # the first run of a fresh server paints late
    settle(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    height = page.evaluate(
        '() => Math.max(...[...document.querySelectorAll(\'[data-testid="stMain"], '
        '[data-testid="stMain"] *\')].map((e) => e.scrollHeight))'
    )
    page.set_viewport_size({"width": width, "height": min(max(height + 100, 1000), 16000)})
    holders = page.locator('[data-testid="stPlotlyChart"]')
    n = holders.count()
    for i in range(n):
        if holders.nth(i).is_visible():
            holders.nth(i).locator(".main-svg").first.wait_for()
    page.wait_for_timeout(500)  # charts redraw at the new window size
    return n


def _name(path: str) -> str:
    return (path.split("?")[0] or "this_week").replace("/", "_")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", PAGES)
def test_charts_read_on_screen_and_in_the_slide_export(page, long_app, path, width):
    name = f"{path or 'this week'} at {width} px"
    n = _open(page, f"{long_app}/{path}", width)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{_name(path)}_{width}.png"), full_page=True)
    found = [f"{name}: {p}" for p in text_problems(page.evaluate(MEASURE, None))]
    found += [f"{name}: {p}" for p in page_problems(page, path, width)]
    # Every chart has its text summary (ui.components.show_chart) under it.
    summaries = page.get_by_text(re.compile(r"^Chart summary: ")).count()
    assert summaries == n, f"{name}: {n} charts, {summaries} text summaries"
    if n and width == WIDTHS[-1]:  # the export does not depend on the window: check it once
        found += [f"{path or 'this week'} in the slide layout: {p}" for p in _export(page, path)]
    assert not found, "\n".join(found)


# Tiles whose figure is cut (wider than its box, "£2…"); whether the sidebar is open; each
# table's columns as drawn (the grid renders only the columns in sight, the last one perhaps
# in part) and whether it scrolls sideways.
LAYOUT = """
async () => {
  // A figure is cut when its text runs past its tile (or is hidden behind "…").
  const tiles = [...document.querySelectorAll('[data-testid="stMetricValue"]')].filter((e) => {
    const box = e.closest('[data-testid="stMetric"]').getBoundingClientRect();
    const text = e.querySelector('p') || e;
    const range = document.createRange();
    range.selectNodeContents(text);
    const r = range.getBoundingClientRect();
    const style = getComputedStyle(text);
    return r.right > box.right + 1 || r.left < box.left - 1
      || (style.textOverflow === 'ellipsis' && text.scrollWidth > text.clientWidth + 1);
  }).map((e) => e.textContent);
  const side = document.querySelector('[data-testid="stSidebar"]');
  const sidebar = side ? side.getBoundingClientRect().width : 0;
  const tables = [];
  for (const t of document.querySelectorAll('[data-testid="stDataFrame"]')) {
    t.scrollIntoView();
    await new Promise((r) => setTimeout(r, 300));
    const s = t.querySelector('.dvn-scroller');
    tables.push({
      columns: [...t.querySelectorAll('table thead th')].map((h) => h.textContent),
      scrolls: !!s && s.scrollWidth > s.clientWidth + 1,
    });
  }
  return {tiles, sidebar, tables};
}
"""


def page_problems(page, path: str, width: int) -> list[str]:
    """Tiles that cut their figure, an open sidebar at 800 px, read-for columns out of sight."""
    got = page.evaluate(LAYOUT)
    out = [f"tile figure {t!r} is cut" for t in got["tiles"]]
    if width < 1000 and got["sidebar"] > 0:
        out.append(f"the sidebar is open ({got['sidebar']:.0f} px) on a narrow screen")
    wanted = IN_SIGHT.get(path.split("?")[0], {}).get(width, [])
    for column in wanted:
        holding = [t for t in got["tables"] if column in t["columns"]]
        # the last column drawn of a table that scrolls sideways may be cut at its edge
        whole = [t for t in holding if not t["scrolls"] or t["columns"][-1] != column]
        if not whole:
            out.append(f"table column {column!r} is not in sight")
    return out


def _export(page, path: str) -> list[str]:
    """The page's charts drawn again in the slide layout, as the toolbar camera draws them."""
    # The camera draws the figure shown on screen: it carries its as-of/source line already.
    subtitles = page.locator('[data-testid="stPlotlyChart"] .g-gtitle').all_text_contents()
    assert all("as of 2026-11-20" in s for s in subtitles), subtitles
    page.add_script_tag(path=str(PLOTLY_JS))
    n = page.locator('[data-testid="stPlotlyChart"]').count()
    assert page.evaluate(EXPORT_REDRAW, [EXPORT_WIDTH, EXPORT_HEIGHT]) == n
    host = page.locator("#pmo-export-check")
    host.screenshot(path=str(SHOTS / f"{_name(path)}_slide.png"))
    return text_problems(page.evaluate(MEASURE, host.element_handle()))


def test_the_toolbar_camera_downloads_the_slide_image(page, long_app):
    """The camera of a real chart: a 1920x1080 PNG (960x540 at 2x), named after the chart."""
    from PIL import Image

    _open(page, f"{long_app}/health", 1600)
    chart = page.locator('[data-testid="stPlotlyChart"]').nth(2)  # RAG by portfolio
    chart.hover()
    with page.expect_download() as info:
        chart.locator('.modebar-btn[data-title="Download plot as a PNG"]').click()
    download = info.value
    assert download.suggested_filename == "rag_by_portfolio.png"
    path = SHOTS / "camera_rag_by_portfolio.png"
    SHOTS.mkdir(parents=True, exist_ok=True)
    download.save_as(path)
    with Image.open(path) as img:
        assert img.size == (1920, 1080)
        # Dark text (the title) in the top strip: the as-of line sits under it.
        assert img.convert("L").crop((0, 0, 1920, 160)).getextrema()[0] < 160


def test_a_27_milestone_trend_reads_in_the_slide_export(page):
    """A plan with 27 milestones, several re-baselined on the same report: the notes that used
    to stack on each other are markers now, the names a one-line legend."""
    from charts.project import milestone_trend

    dates = pd.date_range("2026-06-05", periods=12, freq="7D")
    rows = []
    for i in range(27):
        baseline = pd.Timestamp("2026-09-01") + pd.Timedelta(days=7 * i)
        for j, d in enumerate(dates):
            slip = 14 if j >= 6 and i % 3 == 0 else 0
            rows.append(
                {
                    "milestone_id": f"M{i + 1:02d}",
                    "name": f"Workstream {i + 1} integration and acceptance testing sign-off",
                    "report_date": d,
                    "due": baseline + pd.Timedelta(days=slip),
                    "original_baseline": baseline,
                    "baseline_date": baseline + pd.Timedelta(days=slip),
                    "rebaselined": j == 6 and i % 3 == 0,
                    "slip_days": slip,
                }
            )
    fig = export_layout(milestone_trend(pd.DataFrame(rows)), "2026-11-20", "milestone plans")
    page.set_content("<html><body style='margin:0'><div id='f'></div></body></html>")
    page.add_script_tag(path=str(PLOTLY_JS))
    page.evaluate(
        "async (spec) => { await Plotly.newPlot('f', spec.data, spec.layout); }",
        json.loads(fig.to_json()),
    )
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#f").screenshot(path=str(SHOTS / "milestones_27_export.png"))
    found = text_problems(page.evaluate(MEASURE, None))
    assert not found, "\n".join(found)
