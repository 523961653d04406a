"""Pure helpers of the UI layer."""

import pandas as pd
import pytest

from ui.components import chart_config, delta_style, project_links, view_link
from ui.context import ReviewContext


def test_project_links_keep_the_review_date_and_escape_ids():
    ctx = ReviewContext(pd.Timestamp("2026-01-16"), None, [])
    assert project_links(["P-007", "A&B 1"], ctx) == [
        "project?project=P-007&date=2026-01-16",
        "project?project=A%26B%201&date=2026-01-16",
    ]
    assert project_links(["P-007"], ReviewContext(None, None, [])) == ["project?project=P-007"]


def test_links_carry_the_whole_view():
    ctx = ReviewContext(
        pd.Timestamp("2026-01-16"),
        pd.Timestamp("2026-01-09"),
        [],
        {"portfolio": ["A & B"], "stage": ["Build", "Test"], "sponsor": []},
    )
    assert project_links(["P-007"], ctx) == [
        "project?project=P-007&date=2026-01-16&compare=2026-01-09&portfolio=A%20%26%20B"
        "&stage=Build&stage=Test"
    ]
    assert view_link("governance", ctx).startswith("governance?date=2026-01-16&compare=")


def test_toolbar_camera_downloads_slide_size():
    opts = chart_config("rag_trend")["toImageButtonOptions"]
    # Laid out at 960x540 (slide-sized text), drawn at 2x: a 1920x1080 PNG.
    assert (opts["width"] * opts["scale"], opts["height"] * opts["scale"]) == (1920, 1080)
    assert opts["format"] == "png"


def test_markup_in_a_project_url_is_shown_as_text(seeded_url):
    from tests.conftest import app_test

    at = app_test()
    at.query_params["project"] = "![x](http://evil.example/p.png)"
    at.run()
    at.switch_page("pages/portfolio/project.py").run()
    assert not at.exception
    assert r"\!\[x\]" in at.error[0].value  # escaped: Streamlit shows it as text, no image


# A change tile's states: the arrow follows the sign, the colour whether that is good.
@pytest.mark.parametrize(
    ("change", "up_is_bad", "colour", "arrow"),
    [
        (1, True, "red", "up"),  # Red (reported) up: worse
        (-1, True, "green", "down"),  # Total EAC down: better
        (3, False, "green", "up"),  # Green (reported) up: better
        (-3, False, "red", "down"),
        (2, None, "off", "up"),  # Projects, Total budget: neither
    ],
)
def test_change_tiles_colour_by_better_or_worse(change, up_is_bad, colour, arrow):
    assert delta_style(change, up_is_bad) == {"delta_color": colour, "delta_arrow": arrow}
