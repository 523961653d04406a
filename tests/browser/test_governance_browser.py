"""Real browser: click a bubble in the governance quadrant and land on that project's page;
the named labels stay clear of each other and inside the plot; the view survives a reload."""

from __future__ import annotations

import re
from itertools import combinations

import pytest

from tests.browser import (  # noqa: F401
    ARTIFACTS,
    browser_page,
    live_app,
    start_app,
    stop_app,
    wait_for_app,
)

pytestmark = pytest.mark.browser


def test_quadrant_click_opens_the_project(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/governance")
    wait_for_app(page)
    chart = page.locator(".js-plotly-plot").first
    chart.wait_for()
    # The last trace is drawn on top, so its last point is never hidden behind another bubble.
    point = chart.locator(".scatterlayer .trace").last.locator(".points path").last
    point.scroll_into_view_if_needed()
    box = point.bounding_box()
    # plotly's drag layer sits on top of the points, so move the real mouse over the centre.
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext")
    hovered = re.search(
        r"PRJ-\d{4}", page.locator(".hoverlayer .hovertext").first.text_content() or ""
    )
    assert hovered, "hover label names the project"
    pid = hovered.group(0)
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/project\?.*project={pid}"), timeout=60_000)
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h2").first.inner_text().startswith(pid)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "project.png"), full_page=True)


@pytest.fixture
def long_names_app(long_names_url, tmp_path, chromium):
    """The app on the long-names sample (every project name 40+ characters)."""
    proc, url = start_app(long_names_url, tmp_path / "streamlit.log")
    yield url
    stop_app(proc)


LABEL_BOXES = """() => {
  const plot = document.querySelector('.js-plotly-plot .nsewdrag').getBoundingClientRect();
  const boxes = [...document.querySelectorAll('.js-plotly-plot .annotation')]
    .map(a => ({text: a.textContent, box: (a.querySelector('.bg') || a).getBoundingClientRect()}))
    .map(({text, box}) => ({text, x0: box.left, y0: box.top, x1: box.right, y1: box.bottom}));
  return {plot: {x0: plot.left, y0: plot.top, x1: plot.right, y1: plot.bottom}, boxes};
}"""


@pytest.mark.parametrize("width", [1280, 1920])
def test_quadrant_labels_clear_and_inside_with_long_names(long_names_app, browser_page, width):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{long_names_app}/governance")
    wait_for_app(page)
    page.locator(".js-plotly-plot .annotation").first.wait_for()
    found = page.evaluate(LABEL_BOXES)
    plot, boxes = found["plot"], found["boxes"]
    names = [b for b in boxes if b["text"].endswith("…")]
    assert len(names) >= 5, boxes  # the long names are named, shortened
    for b in boxes:  # quadrant names and project labels alike
        assert plot["x0"] - 1 <= b["x0"] and b["x1"] <= plot["x1"] + 1, b
        assert plot["y0"] - 1 <= b["y0"] and b["y1"] <= plot["y1"] + 1, b
    for a, b in combinations(boxes, 2):
        apart = a["x1"] <= b["x0"] or b["x1"] <= a["x0"] or a["y1"] <= b["y0"] or b["y1"] <= a["y0"]
        assert apart, (a, b)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / f"quadrant_{width}.png"))


def test_view_survives_a_reload(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/governance")
    wait_for_app(page)
    page.get_by_text("Stage gates", exact=True).click()
    page.wait_for_url(re.compile(r"view=gates"))
    wait_for_app(page)
    page.reload()
    wait_for_app(page)
    assert "view=gates" in page.url
    page.get_by_text("Gate decisions overdue", exact=False).first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
