"""Real browser: click a non-empty cell of the risk matrix and see the drill-down table appear.
AppTest cannot click a plotly point, so this is the one test that proves the selection works."""

from __future__ import annotations

import re

import pytest

from tests.browser import ARTIFACTS, browser_page, live_app, wait_for_app  # noqa: F401

pytestmark = pytest.mark.browser

DRILL = ".st-key-risk_drilldown"


def test_clicking_a_matrix_cell_lists_its_risks(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/risks")
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    matrix = page.locator(".js-plotly-plot").first
    matrix.locator(".scatterlayer .point").first.wait_for()
    assert page.locator(f"{DRILL} [data-testid='stDataFrame']").count() == 0

    # The busiest cell: the point whose text label carries the highest count.
    # SVG text has no innerText; read textContent ("12high": count then band).
    texts = matrix.locator(".scatterlayer .textpoint").evaluate_all(
        "els => els.map(e => e.textContent)"
    )
    counts = [int(re.match(r"\d+", t).group()) for t in texts]
    assert len(counts) == 25 and max(counts) > 0
    target = counts.index(max(counts))
    box = matrix.locator(".scatterlayer .point").nth(target).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)

    heading = page.get_by_text(re.compile(r"Risks in cell: likelihood \d × impact \d"))
    heading.wait_for()
    table = page.locator(f"{DRILL} [data-testid='stDataFrame']")
    table.wait_for()
    wait_for_app(page)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert f"{max(counts)} risks" in page.locator(DRILL).inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "risks_drilldown.png"), full_page=True)
