"""Real browser: click a bubble in the governance quadrant and land on that project's page."""

from __future__ import annotations

import re

import pytest

from tests.browser import ARTIFACTS, browser_page, live_app, wait_for_app  # noqa: F401

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
