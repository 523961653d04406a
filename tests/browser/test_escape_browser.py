"""Real browser on the sample plus a hostile upload: every page of app.py and the hostile
projects' pages. Playwright request interception proves no request leaves 127.0.0.1; the DOM
has no link to another host, no image or markup from the data, no table-toolbar CSV export;
our own table CSV is neutralised against formula injection."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.browser import browser_page, settle, start_app, stop_app  # noqa: F401
from tests.pages.test_escape import F1, HOSTILE_IDS, REVIEW, app_pages, hostile_url  # noqa: F401
from vocabulary.neutralise import FORMULA_STARTS

pytestmark = pytest.mark.browser

# Links to another host, external images/frames, and emphasis whose text comes from the data.
FIND_INJECTED = """() => {
  const foreign = (u) => { const url = new URL(u, location.href);
                           return url.protocol !== 'data:' && url.host !== location.host; };
  const out = {links: [], media: [], emphasis: []};
  for (const a of document.querySelectorAll('a')) {
    const href = a.getAttribute('href') ?? a.getAttribute('xlink:href');
    if (href !== null && foreign(href)) out.links.push(href);
  }
  for (const el of document.querySelectorAll('img, image, iframe, video, audio, object, embed')) {
    const src = el.getAttribute('src') ?? el.getAttribute('href') ?? el.getAttribute('data')
                ?? el.getAttribute('xlink:href');
    if (src && foreign(src)) out.media.push(src);
    if (el.getAttribute('alt') === 'x') out.media.push('alt=x');
  }
  for (const el of document.querySelectorAll('b, strong, em, i, tspan')) {
    const style = el.getAttribute('style') || '';
    const bold = el.tagName !== 'tspan' || /font-weight:\\s*bold/.test(style);
    if (bold && ['b', 'bold'].includes(el.textContent.trim())) out.emphasis.push(el.outerHTML);
  }
  return out;
}"""


def _check(page, where: str) -> None:
    assert page.locator('[data-testid="stException"]').count() == 0, where
    found = page.evaluate(FIND_INJECTED)
    assert found == {"links": [], "media": [], "emphasis": []}, (where, found)


def test_hostile_upload_injects_nothing_in_the_browser(hostile_url, browser_page, tmp_path):  # noqa: F811
    page = browser_page
    requests: list[str] = []

    def guard(route):
        requests.append(route.request.url)
        if urlparse(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    page.context.route("**/*", guard)
    proc, url = start_app(hostile_url, tmp_path / "streamlit.log")
    try:
        for path in app_pages():  # script paths; a page's URL is its file name
            page.goto(f"{url}/{Path(path).stem if path else ''}?date={REVIEW.isoformat()}")
            settle(page)
            _check(page, path or "this week")
        for pid in HOSTILE_IDS:
            page.goto(f"{url}/project?project={pid}&date={REVIEW.isoformat()}")
            settle(page)
            _check(page, pid)
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "Sp2 [click](http:" in body  # the data is shown, as written

        # The table toolbar offers no CSV export; our CSV under the table is neutralised.
        table = page.locator(".stDataFrame >> visible=true").first
        table.hover()
        toolbar = page.locator('[data-testid="stElementToolbar"] >> visible=true').first
        toolbar.wait_for()
        buttons = [b.get_attribute("aria-label") for b in toolbar.get_by_role("button").all()]
        assert "Search" in buttons and "Download as CSV" not in buttons, buttons
        with page.expect_download() as info:
            page.locator(".st-key-csv_risks button >> visible=true").click()
        text = Path(info.value.path()).read_text(encoding="utf-8-sig")
        cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
        assert "'" + F1 in cells  # the risk title and owner, neutralised
        assert not any(c.startswith(FORMULA_STARTS) for c in cells)

        # The upload history: the stored file name labels the download button, as text.
        page.goto(f"{url}/upload")
        settle(page)
        page.locator('[data-testid="stSelectbox"]').filter(has_text="original file").click()
        page.keyboard.type("hostile")  # the list is long and virtual: filter it
        page.get_by_role("option").filter(has_text="hostile").click()
        settle(page)
        label = page.locator(".st-key-upload_history_download").inner_text()
        assert "![x](evil.png)" in label and "**bold**" in label
        _check(page, "upload history")
    finally:
        stop_app(proc)
    assert [u for u in requests if urlparse(u).hostname != "127.0.0.1"] == []
