"""Real browser: on the Roadmap, a click on a project's bar opens the project; a drag across
bars picks them (the table lists only those, the pick is in the URL) and the chip clears it."""

from __future__ import annotations

import re

import pytest

from tests.browser import browser_page, live_app, wait_for_app  # noqa: F401

pytestmark = pytest.mark.browser


def _first_chart(page):
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').first
    chart.wait_for()
    chart.locator(".barlayer .point").first.wait_for()
    chart.scroll_into_view_if_needed()
    return chart


def test_a_click_on_a_bar_opens_the_project(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_app}/roadmap")
    wait_for_app(page)
    chart = _first_chart(page)
    bar = chart.locator(".barlayer .point path").first
    box = bar.bounding_box()
    # Near the bar's start: milestone symbols sit further along it.
    x, y = box["x"] + 4, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_selector(".hoverlayer .hovertext")
    pid = re.search(r"PRJ-\d{4}", page.locator(".hoverlayer .hovertext").first.text_content())
    assert pid, "the hover names the project"
    page.mouse.click(x, y)
    page.wait_for_url(re.compile(rf"/project\?.*project={pid.group(0)}"), timeout=60_000)
    wait_for_app(page)
    assert page.locator("h2").first.inner_text().startswith(pid.group(0))


def test_a_drag_picks_bars_and_the_chip_clears_them(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_app}/roadmap")
    wait_for_app(page)
    chart = _first_chart(page)
    # A click opens the project; the toolbar's Box Select makes a drag pick bars instead.
    chart.hover()
    chart.locator('.modebar-btn[data-title="Box Select"]').click()
    plot = chart.locator(".nsewdrag").first.bounding_box()
    # A box over the top half of the plot, across its whole width: the first few bars.
    x0, y0 = plot["x"] + 2, plot["y"] + 2
    x1, y1 = plot["x"] + plot["width"] - 2, plot["y"] + plot["height"] * 0.4
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move((x0 + x1) / 2, (y0 + y1) / 2, steps=5)
    page.mouse.move(x1, y1, steps=5)
    page.mouse.up()
    page.wait_for_url(re.compile(r"roadmap_pick=PRJ-\d{4}"), timeout=60_000)
    chip = page.get_by_role("button", name=re.compile("Picked on the chart"))
    chip.wait_for()
    picked = re.findall(r"roadmap_pick=(PRJ-\d{4})", page.url)
    assert 1 <= len(picked) < 60
    caption = page.get_by_text(re.compile(r"^\d+ rows:|select a row")).count()
    assert caption == 0 or len(picked) > 15  # a short table: every picked row shows
    chip.click()
    page.wait_for_url(lambda url: "roadmap_pick" not in url, timeout=60_000)
    wait_for_app(page)
    assert page.get_by_role("button", name=re.compile("Picked on the chart")).count() == 0


def test_a_click_on_rag_by_portfolio_filters_the_exceptions(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(f"{live_app}/health")
    wait_for_app(page)
    chart = page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot').nth(2)  # by portfolio
    chart.locator(".barlayer .point path").first.wait_for()
    chart.scroll_into_view_if_needed()
    box = chart.locator(".barlayer .point path").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_url(re.compile(r"health_portfolio=.+&health_rag=|health_rag=.+"), timeout=60_000)
    chip = page.get_by_role("button", name=re.compile("^✕ Only portfolio"))
    chip.wait_for()
    chip.click()
    page.wait_for_url(lambda url: "health_portfolio" not in url, timeout=60_000)
    wait_for_app(page)
    assert page.get_by_role("button", name=re.compile("^✕ Only")).count() == 0
