"""Real browser: start the app on a seeded database, open every page, no error box, charts drawn."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, browser_page, live_app, wait_for_app  # noqa: F401
from ui import navigation

PAGES = [navigation.url_path(s) for s in navigation.SCRIPTS]

pytestmark = pytest.mark.browser


def test_every_page_opens_without_error(live_app, browser_page):  # noqa: F811
    page = browser_page
    ARTIFACTS.mkdir(exist_ok=True)
    for path in PAGES:
        page.goto(f"{live_app}/{path}")
        wait_for_app(page)
        assert page.locator('[data-testid="stException"]').count() == 0, path
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0, path
        title = page.locator("h1").first.inner_text()
        assert title, path
    page.goto(f"{live_app}/health")
    wait_for_app(page)
    page.wait_for_selector(".js-plotly-plot .main-svg")
    assert page.locator(".js-plotly-plot").count() >= 5
    assert page.get_by_text("Watermelons").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "health.png"), full_page=True)


def test_filters_live_in_the_url(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/health?portfolio=Customer+%26+Growth&date=2026-10-02")
    wait_for_app(page)
    metric = page.locator('[data-testid="stMetric"]').first
    assert "16" in metric.inner_text()  # 16 projects in that portfolio
    assert "as of 2026-10-02" in page.locator("body").inner_text()
