"""Real browser: the This week "Needs attention" table shows every row (13 in the sample, once
cut to a 10-row window), wraps its "Why" text, and a click on a row's box opens its full text
below. AppTest sees the height we ask for, not what the browser draws."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, browser_page, live_app, wait_for_app  # noqa: F401
from ui.components import WRAP_ROW_HEIGHT, table_height

pytestmark = pytest.mark.browser


def test_attention_table_shows_every_row_and_opens_one(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/")
    wait_for_app(page)
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    table.scroll_into_view_if_needed()  # the row clicked below is on the screen
    box = table.bounding_box()
    # 13 projects need attention on the sample's last date; all of them fit, none scroll
    assert box["height"] == pytest.approx(table_height(13, WRAP_ROW_HEIGHT), abs=2)
    assert page.get_by_text("scroll the table for the rest").count() == 0
    # the checkbox column of the 4th row (header, then rows of WRAP_ROW_HEIGHT)
    y = box["y"] + 35 + WRAP_ROW_HEIGHT * 3 + WRAP_ROW_HEIGHT / 2
    page.mouse.click(box["x"] + 15, y)
    panel = page.locator(".st-key-details_attention")
    panel.wait_for()
    wait_for_app(page)
    assert "Why it needs attention" in panel.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "this_week_attention.png"), full_page=True)
