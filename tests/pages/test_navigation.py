"""The page folders: every page runs inside app.py's navigation, so the sidebar (review date and
filters) is there on a deep link to a fresh server and after switching pages.

Streamlit treats ``.py`` files placed directly in a top-level ``pages/`` folder as a legacy
multipage app and would then run such a page without app.py; files in sub-folders are left to
``st.navigation``. These tests pin that."""

from __future__ import annotations

import pytest

from tests.browser import browser_page, live_app, settle  # noqa: F401
from tests.conftest import ROOT, app_test
from ui import navigation

PAGES = navigation.SCRIPTS


def test_page_scripts_sit_in_section_folders():
    assert len(PAGES) >= 9
    assert not list((ROOT / "pages").glob("*.py")), "a .py directly in pages/ turns on legacy MPA"
    sections = {p.split("/")[1] for p in PAGES}
    assert sections == {"review", "portfolio", "data", "admin"}
    for page in PAGES:
        assert (ROOT / page).is_file(), page


def _sidebar_labels(at) -> list[str]:
    return [w.label for w in [*at.sidebar.selectbox, *at.sidebar.multiselect]]


@pytest.mark.slow
def test_switching_pages_keeps_the_sidebar(seeded_url):
    at = app_test()
    at.run()
    assert "Review date" in _sidebar_labels(at)
    at.query_params["project"] = "PRJ-0001"
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        at.run()  # a rerun on the same page (a widget changed) keeps it too
        labels = _sidebar_labels(at)
        assert "Review date" in labels and "Portfolio" in labels, (page, labels)


@pytest.mark.browser
def test_deep_link_to_a_fresh_server_shows_sidebar_and_filters(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/project?project=PRJ-0001")  # the server's very first request
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Review date", exact=True).wait_for()  # the first run has drawn it
    settle(page)
    assert page.get_by_text("Page not found").count() == 0
    labels = sidebar.locator("label").all_inner_texts()
    assert "Review date" in labels and "Portfolio" in labels, labels
    assert page.locator('[data-testid="stSidebarNav"]').get_by_text("This week").count() == 1
    assert page.get_by_text("PRJ-0001 · CRM Replacement Phase 1").count() == 1
    assert page.locator('[data-testid="stException"]').count() == 0
