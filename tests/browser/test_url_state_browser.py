"""Real browser: the Risks page's view survives a reload, the cell picker's count follows the
assessment on screen, and the RAID log page opens with its filters from the URL."""

from __future__ import annotations

import re

import pytest

import store
from analytics import portfolio, risk
from config import get_config
from tests.browser import ARTIFACTS, browser_page, live_app, settle  # noqa: F401

pytestmark = pytest.mark.browser


def differing_cell(url: str) -> tuple[int, int, int, int]:
    """A cell whose open-risk count differs between the assessments: (l, i, inherent, residual)."""
    frames = store.read_frames(store.get_engine(url))
    config = get_config()
    date = portfolio.review_dates(frames["status_reports"])[-1]
    snap = portfolio.snapshot(frames, date, config)
    reg = risk.RiskFilter().apply(
        risk.register_on(frames["risks"], date, config.risk, snap["project_id"])
    )
    counts = {
        basis: risk.matrix_cells(reg, config.risk, basis).set_index(["likelihood", "impact"])[
            "risks"
        ]
        for basis in ("inherent", "residual")
    }
    for (li, im), n in counts["inherent"].items():
        if n != counts["residual"][(li, im)] and counts["residual"][(li, im)] > 0:
            return li, im, n, counts["residual"][(li, im)]
    raise AssertionError("the sample has no such cell")


def picker_text(page) -> str:
    """What the cell picker shows: the chosen option's label is its input's value."""
    return page.locator(".st-key-risk_drilldown [data-testid='stSelectbox'] input").input_value()


def test_cell_picker_follows_the_assessment_and_the_view_survives_a_reload(
    live_app,  # noqa: F811
    browser_page,  # noqa: F811
    seeded_url,
):
    li, im, inherent, residual = differing_cell(seeded_url)
    page = browser_page
    page.goto(f"{live_app}/risks?risk_cell={li},{im}")
    page.get_by_text(f"Risks in cell: likelihood {li} × impact {im} (inherent)").wait_for()
    settle(page)
    assert re.search(rf"\b{inherent} risks?\b", picker_text(page)), picker_text(page)

    page.locator("[data-testid='stRadio'] label").filter(has_text="Residual").click()
    heading = page.get_by_text(f"Risks in cell: likelihood {li} × impact {im} (residual)")
    heading.wait_for()
    settle(page)
    page.wait_for_url(re.compile(r"risk_basis=residual"))
    # The label on screen is the residual count, not the inherent one it showed before.
    assert re.search(rf"\b{residual} risks?\b", picker_text(page)), picker_text(page)

    page.reload()
    settle(page)
    assert page.locator("[data-testid='stRadio'] input[type='radio']").nth(1).is_checked()
    assert re.search(rf"\b{residual} risks?\b", picker_text(page)), picker_text(page)
    assert f"risk_cell={li}%2C{im}" in page.url or f"risk_cell={li},{im}" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0


def test_raid_page_opens_with_filters_from_the_url(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/raid?raid_type=issue&raid_due=overdue&raid_age=bogus")
    settle(page)
    assert page.locator("h1").first.inner_text() == "RAID log"
    assert page.locator('[data-testid="stException"]').count() == 0
    tiles = page.locator('[data-testid="stMetric"]')
    tiles.first.wait_for()  # a cold server loads the frames first
    settle(page)
    assert tiles.count() == 1 and "Issue" in tiles.first.inner_text()
    assert "raid_age" not in page.url  # the bad value is dropped from the address
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "raid.png"), full_page=True)


def test_raid_rows_ticked_show_descriptions_until_the_filter_changes(live_app, browser_page):  # noqa: F811
    page = browser_page
    page.goto(f"{live_app}/raid")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()  # a cold server loads the frames first
    settle(page)
    box = grid.bounding_box()
    # The row checkboxes: the first column of the canvas grid, under a header row of ~35 px.
    page.mouse.click(box["x"] + 15, box["y"] + 35 + 17)
    settle(page)
    page.get_by_text("Descriptions", exact=True).wait_for()
    assert page.locator("[data-testid='stDataFrame']").count() == 2
    page.locator("[data-testid='stRadio'] label").filter(has_text="Not overdue").click()
    page.wait_for_url(re.compile(r"raid_due=not"))
    settle(page)
    assert page.get_by_text("Descriptions", exact=True).count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
