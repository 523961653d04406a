"""The review deck: built from the seeded sample with a real Chromium, opened with python-pptx."""

from __future__ import annotations

import hashlib
import io
import shutil

import pandas as pd
import pytest
from PIL import Image
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.util import Inches

import store
from analytics import governance, money, portfolio
from analytics.review import Review
from config import get_config, parse_config
from exports.deck import (
    APPENDIX_ROWS,
    SECTIONS,
    DeckError,
    build_deck,
    red_projects_line,
    red_projects_worst_first,
)
from sample_data import write_sample
from tests.conftest import CHROMIUM, require
from tests.exports.test_deck_text_fit import deck_problems

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

REVIEW = "2026-11-20"


def _deck(frames, config=None, filters=None, **kwargs) -> bytes:
    """The deck of the review on REVIEW, compared with the reporting date before it."""
    return build_deck(Review(frames, config or get_config(), REVIEW, filters=filters), **kwargs)


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def assert_slide_png(png: bytes) -> None:
    """1920x1080, not blank, and a title with its as-of/source line (non-white pixels in the
    top strip, where charts.template.export_layout puts them)."""
    img = _image(png)
    assert img.size == (1920, 1080)
    lo, hi = zip(*img.getextrema(), strict=True)
    assert max(hi) - min(lo) > 100, "image is uniform (blank)"
    assert len(img.getcolors(maxcolors=1 << 20) or []) > 20
    header = img.crop((0, 0, 1920, 160)).convert("L")
    assert header.getextrema()[0] < 160, "no title or as-of line in the top strip"


@pytest.fixture(scope="module")
def seeded_frames(seeded_db_file, tmp_path_factory) -> dict[str, pd.DataFrame]:
    path = tmp_path_factory.mktemp("deck") / "deck.db"
    shutil.copy(seeded_db_file, path)
    engine = store.get_engine(f"sqlite:///{path}")
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def full_deck(seeded_frames):
    from pathlib import Path

    if not Path(CHROMIUM).exists():
        require(f"{CHROMIUM} missing (apt-get install chromium)")
    steps: list[tuple[float, str]] = []
    data = _deck(seeded_frames, progress=lambda f, m: steps.append((f, m)))
    return Presentation(io.BytesIO(data)), steps


def _titles(prs) -> list[str]:
    return [s.shapes.title.text for s in prs.slides]


def test_deck_slides_titles_and_16_9(full_deck, seeded_frames):
    prs, _ = full_deck
    assert (prs.slide_width, prs.slide_height) == (Inches(13.333), Inches(7.5))
    titles = _titles(prs)
    assert titles[0] == "Weekly portfolio review: All portfolios"
    assert titles[1:3] == ["Headline figures", "What changed"]
    for wanted in ("RAG by dimension", "RAG trend", "Value versus risk", "Risk heatmap"):
        assert any(wanted in t for t in titles), wanted
    assert "What changed: the change set" in titles and "Top open risks" in titles
    assert any(t.startswith("Governance vs execution") for t in titles)
    assert titles[-1] == "Data quality"
    snap = portfolio.snapshot(seeded_frames, REVIEW, get_config())
    reds = sorted(snap.loc[snap["display_rag"] == "Red", "project_id"])
    red_titles = [t for t in titles if t.endswith("■ Red")]
    assert len(reds) >= 2 and sorted(t.split(" · ")[0] for t in red_titles) == reds
    subtitle = prs.slides[0].placeholders[1].text
    assert f"Review date {REVIEW}" in subtitle and "Compared with 2026-11-13" in subtitle


def test_every_slide_is_footnoted_with_as_of_and_source(full_deck):
    prs, _ = full_deck
    for slide in prs.slides:
        footers = [sh for sh in slide.shapes if sh.name == "Footer"]
        assert len(footers) == 1, slide.shapes.title.text
        text = footers[0].text_frame.text
        assert f"As of {REVIEW}" in text and "Source: " in text


def test_chart_pictures_are_slide_sized_and_not_blank(full_deck):
    prs, _ = full_deck
    pictures = [
        (slide.shapes.title.text, sh)
        for slide in prs.slides
        for sh in slide.shapes
        if sh.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    titles = [t for t, _ in pictures]
    assert sum(t.startswith("Portfolio health:") for t in titles) == 4
    # The Risks and Governance pages' own charts (charts.risk, charts.governance) are in the deck.
    assert any(t.startswith("Risk heatmap") for t in titles)
    assert any(t.startswith("Governance vs execution") for t in titles)
    for _title, pic in pictures:
        assert_slide_png(pic.image.blob)
        assert abs(pic.width / pic.height - 16 / 9) < 0.01  # placed without distortion
    # No two charts are the same image.
    assert len({hashlib.sha256(p.image.blob).hexdigest() for _, p in pictures}) == len(pictures)


def test_text_is_native_and_red_slides_carry_narrative_metrics_and_risks(full_deck):
    prs, _ = full_deck
    red = next(s for s in prs.slides if s.shapes.title.text.endswith("■ Red"))
    tables = [sh.table for sh in red.shapes if sh.has_table]
    strip, metrics, risks = tables[0], tables[1], tables[2]
    assert strip.cell(0, 0).text == "Overall (reported)" and strip.cell(1, 0).text == "■ Red"
    labels = [metrics.cell(r, 0).text for r in range(1, len(metrics.rows))]
    assert labels[:3] == ["SPI", "CPI", "EAC (BAC / CPI)"]
    assert float(metrics.cell(1, 1).text) < 0.95  # a Red project in the sample is behind plan
    assert risks.cell(0, 0).text == "Top open risk" and len(risks.rows) >= 2
    text = " ".join(sh.text_frame.text for sh in red.shapes if sh.has_text_frame)
    assert "Summary" in text and "Next steps" in text and "Decisions needed" in text
    headline = prs.slides[1].shapes
    table = next(sh.table for sh in headline if sh.has_table)
    assert table.cell(1, 0).text == "Projects in review" and table.cell(1, 1).text == "60"


def test_every_text_box_and_cell_fits_on_the_sample_deck(full_deck):
    # exports.text_fit measures the saved deck (tests/exports/test_deck_text_fit.py: long names)
    prs, _ = full_deck
    problems = deck_problems(prs)
    assert not problems, "\n".join(map(str, problems[:20]))


def test_progress_is_reported_in_order_up_to_done(full_deck):
    _, steps = full_deck
    fractions = [f for f, _ in steps]
    assert fractions == sorted(fractions) and fractions[0] == 0.0 and fractions[-1] == 1.0
    assert any("Rendered chart" in m for _, m in steps)


def test_filters_and_sections_shape_the_deck_without_a_browser(seeded_frames):
    # Native-only sections: no chart, so no Chromium start (and no browser needed).
    data = _deck(
        seeded_frames,
        filters={"portfolio": ["Customer & Growth"]},
        sections=["headline", "quality"],
    )
    prs = Presentation(io.BytesIO(data))
    assert _titles(prs) == [
        "Weekly portfolio review: Customer & Growth",
        "Headline figures",
        "Data quality",
    ]
    table = next(sh.table for sh in prs.slides[1].shapes if sh.has_table)
    assert table.cell(1, 1).text == "16"
    footer = next(sh for sh in prs.slides[2].shapes if sh.name == "Footer")
    assert "Portfolio: Customer & Growth" in footer.text_frame.text


def test_nothing_to_export_is_a_readable_error(seeded_frames):
    with pytest.raises(DeckError, match="No projects in review"):
        _deck(seeded_frames, filters={"portfolio": ["Nowhere"]}, sections=["headline"])
    with pytest.raises(DeckError, match="Unknown section"):
        _deck(seeded_frames, sections=["headline", "gossip"])
    assert set(SECTIONS) >= {"headline", "red_projects", "quality"}


def test_uploaded_text_reaches_slides_as_plain_text_without_control_characters(seeded_url):
    engine = store.get_engine(seeded_url)
    frames = store.read_frames(engine)
    reports = frames["status_reports"]
    last = reports[reports["report_date"] == pd.Timestamp(REVIEW)]
    row = last[last["overall_rag"] == "Red"].head(1).copy()
    row["summary"] = '=HYPERLINK("http://evil")\x07 <b>bold?</b>\x1b[31m\r\nsecond line'
    row["decisions_needed"] = "@cmd\x01 approve"  # NUL itself never reaches the store
    meta = store.UploadMeta("evil.xlsx", "e" * 64, 1, "test", "upload")
    assert store.write_batch(engine, {"status_reports": row}, meta).status == "loaded"
    data = _deck(store.read_frames(engine), sections=["red_projects"])
    prs = Presentation(io.BytesIO(data))
    slide = next(s for s in prs.slides if s.shapes.title.text.startswith(row["project_id"].iloc[0]))
    text = "\n".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert '=HYPERLINK("http://evil") <b>bold?</b>[31m\nsecond line' in text
    assert "@cmd approve" in text
    assert not any(ord(ch) < 32 and ch not in "\n\t\v" for ch in text)
    engine.dispose()


# --- Red projects at scale: the worst have a slide each, the rest an appendix table -------------

APPENDIX = "Appendix: other Red projects"


@pytest.fixture(scope="module")
def large_frames(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """A 320-project sample: more Red projects than a slide each and a one-page appendix."""
    path = tmp_path_factory.mktemp("large") / "large.db"
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine, n_projects=320)
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


def _expected_reds(frames, config) -> list[str]:
    """Red projects worst first, worked out from the snapshot by hand: EAC - budget, then
    exposure, both descending, then id (the sample is all in pounds, every EAC computable)."""
    snap = portfolio.snapshot(frames, REVIEW, config)
    reds = snap[snap["display_rag"] == "Red"]
    assert set(reds["currency"]) == {"GBP"} and reds["eac_typical"].notna().all()
    rows = sorted(
        reds.itertuples(),
        key=lambda r: (-(r.eac_typical - r.budget), -r.exposure, r.project_id),
    )
    return [r.project_id for r in rows]


def _detail_ids(prs) -> list[str]:
    return [t.split(" · ")[0] for t in _titles(prs) if t.endswith("■ Red")]


def _appendix_ids(prs) -> list[str]:
    ids = []
    for slide in prs.slides:
        if slide.shapes.title.text.startswith(APPENDIX):
            table = next(sh.table for sh in slide.shapes if sh.has_table)
            assert table.cell(0, 0).text == "ID" and table.cell(0, 1).text == "Project"
            ids += [table.cell(r, 0).text for r in range(1, len(table.rows))]
    return ids


def test_red_projects_beyond_the_limit_are_an_appendix_worst_first(large_frames):
    config = get_config()
    limit = config.deck.max_project_slides
    expected = _expected_reds(large_frames, config)
    assert limit == 8 and len(expected) > limit + APPENDIX_ROWS  # detail, and two appendix pages
    data = _deck(large_frames, sections=["red_projects", "quality"])
    prs = Presentation(io.BytesIO(data))
    assert _detail_ids(prs) == expected[:limit]
    appendix = _appendix_ids(prs)
    assert appendix == expected[limit:]  # every other Red project once, in the same order
    titles = _titles(prs)
    pages = [t for t in titles if t.startswith(APPENDIX)]
    # at most APPENDIX_ROWS a page (fewer when names wrap), and every page fits its slide
    assert len(pages) >= -(-len(appendix) // APPENDIX_ROWS) >= 2
    assert not deck_problems(prs)
    assert pages[0] == f"{APPENDIX} (1 of {len(pages)})"
    assert titles.index("Data quality") < titles.index(pages[0])  # the appendix closes the deck
    subtitle = prs.slides[0].placeholders[1].text
    assert (
        f"8 of {len(expected)} Red projects shown in detail; the rest in the appendix" in subtitle
    )
    # A row carries the project's figures: manager, RAG, EAC - budget, exposure, last report.
    snap = portfolio.snapshot(large_frames, REVIEW, config).set_index("project_id")
    slide = next(s for s in prs.slides if s.shapes.title.text.startswith(APPENDIX))
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    row = [table.cell(1, c).text for c in range(len(table.columns))]
    p = snap.loc[row[0]]
    assert row[2] == p["manager"] and row[3].startswith("■ Red / ")
    assert row[4] == money.compact(p["eac_typical"] - p["budget"], "GBP", signed=True)
    assert row[5] == money.compact(p["exposure"], "GBP")
    assert row[6] == p["last_report_date"].date().isoformat()


def test_the_limit_comes_from_the_config(seeded_frames):
    config = parse_config({"deck": {"max_project_slides": 2}})
    expected = _expected_reds(seeded_frames, config)
    data = _deck(seeded_frames, config, sections=["red_projects"])
    prs = Presentation(io.BytesIO(data))
    assert _detail_ids(prs) == expected[:2]
    assert _appendix_ids(prs) == expected[2:] and len(expected) > 2
    assert _titles(prs)[-1] == APPENDIX  # one page: no "(1 of 1)"
    # 0: every Red project in the appendix, none with a slide of its own
    config = parse_config({"deck": {"max_project_slides": 0}})
    prs = Presentation(io.BytesIO(_deck(seeded_frames, config, sections=["red_projects"])))
    assert _detail_ids(prs) == [] and _appendix_ids(prs) == expected
    assert "Red projects, listed in the appendix" in prs.slides[0].placeholders[1].text


def test_deck_settings_are_checked():
    assert parse_config({}).deck.max_project_slides == 8
    for bad in (-1, "8", 2.5, True):
        with pytest.raises(ValueError, match="max_project_slides"):
            parse_config({"deck": {"max_project_slides": bad}})
    with pytest.raises(ValueError, match="unknown setting"):
        parse_config({"deck": {"max_slides": 3}})


def test_worst_first_order_converts_currencies_and_puts_the_uncomputable_last():
    config = parse_config({"money": {"currency": "GBP", "rates": {"USD": 0.5}}})
    snap = pd.DataFrame(
        {
            "project_id": ["A", "B", "C", "D", "E", "F", "G"],
            "display_rag": ["Red", "Red", "Red", "Red", "Red", "Amber", "Red"],
            # A +100 GBP; B +150 USD = +75 GBP; C no EAC; D +100 GBP, more exposure than A;
            # E +1000 in a currency without a rate; F is not Red; G +100 GBP, same as A
            "eac_typical": [1100.0, 1150.0, None, 1100.0, 2000.0, 9000.0, 1100.0],
            "budget": [1000.0] * 4 + [1000.0, 1000.0, 1000.0],
            "exposure": [10.0, 0.0, 99.0, 20.0, 0.0, 0.0, 10.0],
            "currency": ["GBP", "USD", "GBP", "GBP", "JPY", "GBP", "GBP"],
        }
    )
    out = red_projects_worst_first(snap, config)
    assert out["project_id"].tolist() == ["D", "A", "G", "B", "C", "E"]
    assert out["eac_variance"].iloc[0] == 100.0
    assert red_projects_line(0, 8) == "No Red projects"
    assert red_projects_line(1, 8) == "1 Red project, one slide each"
    assert red_projects_line(213, 8) == (
        "8 of 213 Red projects shown in detail; the rest in the appendix"
    )


def test_top_open_risks_name_the_risk_and_its_project(full_deck, seeded_frames):
    # main: the first column held the project id under "ID"
    prs, _ = full_deck
    slide = next(s for s in prs.slides if s.shapes.title.text == "Top open risks")
    table = next(sh.table for sh in slide.shapes if sh.has_table)
    assert [c.text for c in table.rows[0].cells][:3] == ["Risk ID", "Project", "Risk"]
    rv = Review(seeded_frames, get_config(), REVIEW)
    top = rv.open_risks.sort_values(["score", "exposure"], ascending=False).head(8)
    shown = [(table.cell(i, 0).text, table.cell(i, 1).text) for i in range(1, len(table.rows))]
    assert shown == list(
        zip(top["risk_id"].astype(str), top["project_id"].astype(str), strict=True)
    )


def test_value_versus_risk_names_the_bubbles_that_matter(seeded_frames):
    from exports.deck import _health

    rv = Review(seeded_frames, get_config(), REVIEW)
    fig = next(s.fig for s in _health(rv) if "Value versus risk" in s.title)
    labels = [t for t in fig.data if t.name == "labels"]
    assert len(labels) == 1  # main: no labels past 12 projects, so the outlier had no name
    picks = rv.value_risk_picks
    assert len(labels[0].text) == len(picks) == rv.config.governance.label_count
    # the quadrant chart's rule, and the largest exposure (the outlier) among them
    quadrant = set(governance.label_picks(rv.scores, rv.compare_scores, 2, rv.config)["project_id"])
    assert quadrant <= set(picks["project_id"])
    outlier = rv.snapshot.sort_values("exposure").iloc[-1]["project_id"]
    assert outlier in set(picks["project_id"])
