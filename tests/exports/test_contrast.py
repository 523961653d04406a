"""Text on every palette colour meets WCAG AA (4.5:1) with the text colour actually used."""

import pytest

from analytics import risk
from charts import risk as risk_charts
from charts.contrast import (
    AA_NORMAL,
    DARK,
    LIGHT,
    cell_style,
    contrast_ratio,
    luminance,
    rgb,
    text_colour,
)
from charts.template import RAG_COLOURS
from config import get_config
from ui.components import rag_cell_style


def test_contrast_ratio_known_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#000000") == pytest.approx(21.0)  # order does not matter
    assert contrast_ratio("#777777", "#777777") == pytest.approx(1.0)
    # WebAIM's reference pair: #767676 on white is the lightest grey that passes AA (4.54:1)
    assert contrast_ratio("#767676", "white") == pytest.approx(4.54, abs=0.01)
    assert luminance("#fff") == pytest.approx(1.0) and luminance("black") == 0.0


def test_colour_parsing():
    assert rgb("#c62828") == (198, 40, 40)
    assert rgb("rgb(249, 168, 37)") == (249, 168, 37)  # plotly's sampled colours
    with pytest.raises(ValueError):
        rgb("#12345")


def test_chooser_picks_the_higher_contrast():
    assert text_colour("#000000") == LIGHT
    assert text_colour("#ffffff") == DARK
    assert text_colour(RAG_COLOURS["Amber"]) == DARK  # white on amber is 2.0:1


@pytest.mark.parametrize("rag", list(RAG_COLOURS))
def test_rag_cells_meet_aa(rag):
    fill = RAG_COLOURS[rag]
    style = rag_cell_style(f"■ {rag}")
    assert style == cell_style(fill)
    used = style.split("color: ")[-1]
    ratio = contrast_ratio(used, fill)
    print(f"{rag} {fill} text {used}: {ratio:.2f}:1")
    assert ratio >= AA_NORMAL


@pytest.mark.parametrize("n_bands", [4, 3, 5, 2])
def test_risk_band_colours_meet_aa_with_the_matrix_text_colour(n_bands):
    bands = (
        risk.band_names(get_config().risk) if n_bands == 4 else [f"band{i}" for i in range(n_bands)]
    )
    for band, fill in risk_charts.band_colours(bands).items():
        used = risk_charts._text_colour(band, bands)  # what the matrix writes on the cell
        ratio = contrast_ratio(used, fill)
        print(f"{band} {fill} text {used}: {ratio:.2f}:1")
        assert ratio >= AA_NORMAL, (band, fill, used, ratio)


def test_every_colour_gets_a_text_colour_that_passes():
    # a sweep of the sRGB cube, mid-tones included: black or white always reaches 4.5:1
    steps = range(0, 256, 15)
    for r in steps:
        for g in steps:
            for b in steps:
                fill = f"#{r:02x}{g:02x}{b:02x}"
                assert contrast_ratio(text_colour(fill), fill) >= AA_NORMAL, fill
