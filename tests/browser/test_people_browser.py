"""Real browser: on People, a click on a manager's row lists that manager's projects and puts
the name in the URL (AppTest cannot click a table row)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser import ARTIFACTS, browser_page, live_app, wait_for_app  # noqa: F401
from ui.components import ROW_HEIGHT

pytestmark = pytest.mark.browser


def test_a_click_on_a_manager_lists_their_projects(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/people?date=2026-11-20")
    wait_for_app(page)
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    # the first row (header, then rows of ROW_HEIGHT): the flagged manager, Maya Singh (7)
    page.mouse.click(box["x"] + 15, box["y"] + 35 + ROW_HEIGHT / 2)
    page.wait_for_function("() => location.search.includes('people_manager=')", timeout=30_000)
    wait_for_app(page)
    chosen = parse_qs(urlparse(page.url).query)["people_manager"]
    assert chosen == ["Maya Singh"]
    assert page.get_by_text("7 projects of Maya Singh").count() == 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "people_chosen.png"), full_page=True)
