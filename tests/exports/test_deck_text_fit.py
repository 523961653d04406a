"""Deck text fits its boxes: measured from the saved .pptx (read back with python-pptx), with the
Arial metrics of exports.text_fit, on the long-names portfolio (every name 40+ characters)."""

from __future__ import annotations

import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from pptx import Presentation
from pptx.util import Inches

import store
from analytics.review import Review
from charts.contrast import contrast_ratio as contrast
from charts.template import RAG_COLOURS
from config import get_config
from exports import text_fit as tf
from exports.deck import build_deck
from sample_data import write_sample
from tests.conftest import CHROMIUM, require

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

REVIEW = "2026-11-20"
FOOTER_TOP = Inches(7.0)
DEFAULT_SIZE = 18.0  # PowerPoint's size for a run that names none


# --- reading a saved deck back -------------------------------------------------------------------


@dataclass
class Problem:
    slide: int
    title: str
    where: str
    what: str

    def __str__(self) -> str:
        return f"slide {self.slide} ({self.title!r}) {self.where}: {self.what}"


def _paras(text_frame) -> tuple[list[tf.Para], list[str]]:
    """The paragraphs of a saved text frame as tf.Para (size, weight and spacing as saved) and
    the problems that make it unmeasurable (a run without a size, a font other than Arial)."""
    out, issues = [], []
    for p in text_frame.paragraphs:
        sizes = [r.font.size.pt for r in p.runs if r.font.size is not None]
        if len(sizes) < len(p.runs):
            issues.append(f"a run without a font size in {p.text[:40]!r}")
        end = p._p.find("{http://schemas.openxmlformats.org/drawingml/2006/main}endParaRPr")
        if not p.runs and end is not None and end.get("sz"):
            sizes = [int(end.get("sz")) / 100]
        fonts = {r.font.name for r in p.runs if r.text.strip()}
        if fonts - {tf.FONT}:
            issues.append(f"font {fonts - {tf.FONT}} in {p.text[:40]!r}")
        size = max(sizes, default=DEFAULT_SIZE)
        bold = any(r.font.bold for r in p.runs)
        after = p.space_after.pt if p.space_after is not None else 0.0
        before = p.space_before.pt if p.space_before is not None else 0.0
        if p.line_spacing not in (None, 1.0):
            issues.append(f"line spacing {p.line_spacing} is not measured")
        lines = p.text.split("\v")  # <a:br/>: a line break inside the paragraph
        for i, line in enumerate(lines):
            last = i == len(lines) - 1
            out.append(tf.Para(line, size, bold, after if last else 0.0, before if i == 0 else 0))
    return out, issues


def _check_box(paras, issues, width_emu, height_emu, margins) -> list[str]:
    """What is wrong with text in a box of this size (margins: left, right, top, bottom EMU)."""
    ml, mr, mt, mb = margins
    width = tf.pt(width_emu - ml - mr)
    avail = tf.pt(height_emu - mt - mb)
    problems = list(issues)
    for p in paras:
        for word in tf.too_wide(p.text, width, p.size, p.bold):
            problems.append(f"word {word!r} at {p.size} pt is wider than the line: it is cut")
        if "…" in p.text:
            problems.append(f"ellipsis: {p.text[-50:]!r}")
    need = tf.height(paras, width)
    if need > avail + 0.01:
        text = " / ".join(p.text for p in paras)[:70]
        problems.append(f"text needs {need:.0f} pt, box holds {avail:.0f} pt: {text!r}")
    return problems


def deck_problems(data) -> list[Problem]:
    """Every text box and table cell on every slide that does not fit, cuts a word or leaves the
    slide (or runs into the footer). ``data``: the saved .pptx bytes, or it opened."""
    prs = Presentation(io.BytesIO(data)) if isinstance(data, bytes) else data
    sw, sh = prs.slide_width, prs.slide_height
    found: list[Problem] = []
    for n, slide in enumerate(prs.slides, 1):
        title = slide.shapes.title.text if slide.shapes.title is not None else ""

        def add(where: str, what: str, n=n, title=title) -> None:
            found.append(Problem(n, title, where, what))

        for shape in slide.shapes:
            name = shape.name
            bottom = shape.top + shape.height
            if shape.has_table:
                table = shape.table
                bottom = shape.top + sum(r.height for r in table.rows)
                right = shape.left + sum(c.width for c in table.columns)
                if right > sw:
                    add(name, "table wider than the slide")
                for r, row in enumerate(table.rows):
                    for c, cell in enumerate(row.cells):
                        paras, issues = _paras(cell.text_frame)
                        margins = (
                            cell.margin_left, cell.margin_right, cell.margin_top, cell.margin_bottom
                        )  # fmt: skip
                        w = table.columns[c].width
                        for what in _check_box(paras, issues, w, row.height, margins):
                            add(f"{name} cell ({r}, {c})", what)
            elif shape.has_text_frame:
                frame = shape.text_frame
                paras, issues = _paras(frame)
                if frame.word_wrap is False:
                    issues.append("word wrap is off")
                margins = (frame.margin_left, frame.margin_right, frame.margin_top,
                           frame.margin_bottom)  # fmt: skip
                for what in _check_box(paras, issues, shape.width, shape.height, margins):
                    add(name, what)
            if shape.left < 0 or shape.top < 0 or shape.left + shape.width > sw or bottom > sh:
                add(name, "extends beyond the slide")
            elif name != "Footer" and bottom > FOOTER_TOP:
                add(name, f"runs into the footer ({bottom / 914400:.2f} in)")
    return found


def _frames(db_file: Path, tmp: Path) -> dict[str, pd.DataFrame]:
    path = tmp / "deck.db"
    shutil.copy(db_file, path)
    engine = store.get_engine(f"sqlite:///{path}")
    frames = store.read_frames(engine)
    engine.dispose()
    return frames


@pytest.fixture(scope="module")
def long_review(long_names_db_file, tmp_path_factory) -> Review:
    frames = _frames(long_names_db_file, tmp_path_factory.mktemp("long"))
    return Review(frames, get_config(), REVIEW)


@pytest.fixture(scope="module")
def long_deck(long_review) -> bytes:
    if not Path(CHROMIUM).exists():
        require(f"{CHROMIUM} missing (apt-get install chromium)")
    return build_deck(long_review)


# --- the deck ------------------------------------------------------------------------------------


def test_every_box_and_cell_of_the_long_names_deck_fits(long_deck):
    problems = deck_problems(long_deck)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(map(str, problems[:40]))


def _text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_table:
            parts += [c.text for row in shape.table.rows for c in row.cells]
        elif shape.has_text_frame:
            parts.append(shape.text_frame.text)
    return " ".join(" ".join(parts).split())


def test_names_and_sentences_appear_whole(long_deck, long_review):
    prs = Presentation(io.BytesIO(long_deck))
    snap = long_review.snapshot.set_index("project_id")
    assert snap["name"].str.len().min() >= 40  # the fixture is what it says
    # every sentence of the narrative, whole, on the What changed slide(s)
    story = " ".join(_text(s) for s in prs.slides if s.shapes.title.text.startswith("What changed"))
    lines = [" ".join(x.split()) for x in long_review.narrative.split("\n") if x.strip()]
    assert lines and all(line in story for line in lines)
    # every Red project's slide carries its full name
    titles = [s.shapes.title.text for s in prs.slides]
    red = [t for t in titles if t.endswith("■ Red")]
    assert red
    for t in red:
        pid = t.split(" · ")[0]
        assert snap.loc[pid, "name"] in t
    # every table row that names a project (ID column, then Project) has the full name
    rows = 0
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            table = shape.table
            header = [c.text for c in table.rows[0].cells]
            if header[:2] != ["ID", "Project"]:
                continue
            for row in list(table.rows)[1:]:
                pid, name = row.cells[0].text, row.cells[1].text
                assert name == snap.loc[pid, "name"], (pid, name)
                rows += 1
    assert rows > 0
    # and nothing is ellipsized anywhere in the deck
    assert not any("…" in _text(s) for s in prs.slides)


def test_what_changed_fills_the_slide(long_deck):
    """The story is set large enough to read: most of the body height is used on each story
    slide but the last (it used to be 14 pt in the top half with sentences cut)."""
    prs = Presentation(io.BytesIO(long_deck))
    story = [s for s in prs.slides if s.shapes.title.text.startswith("What changed") and
             "change set" not in s.shapes.title.text]  # fmt: skip
    assert story
    for slide in story:
        box = next(sh for sh in slide.shapes if sh.has_text_frame and sh.name != "Footer"
                   and sh != slide.shapes.title)  # fmt: skip
        sizes = {r.font.size.pt for p in box.text_frame.paragraphs for r in p.runs}
        assert min(sizes) >= 16
    for i, slide in enumerate(story):
        box = next(sh for sh in slide.shapes if sh.has_text_frame and sh.name != "Footer"
                   and sh != slide.shapes.title)  # fmt: skip
        paras, _ = _paras(box.text_frame)
        frame = box.text_frame
        used = tf.height(paras, tf.pt(box.width - frame.margin_left - frame.margin_right))
        # a slide the story continues from is full; a single one is as large as fits (24 pt
        # at most), so it fills most of the box unless the story is short
        if i < len(story) - 1 or (len(story) == 1 and paras[0].size < 24):
            assert used > 0.7 * tf.pt(box.height), (i, used, tf.pt(box.height))


def test_uploaded_text_of_any_length_stays_on_the_slide(long_names_db_file, tmp_path):
    """A 3,000-character summary and a 120-character unbroken token: the narrative shrinks to
    the floor, then ends at a word boundary with "…"; the token is all on the slide (PowerPoint
    breaks it); nothing runs off the slide or into the footer."""
    path = tmp_path / "deck.db"
    shutil.copy(long_names_db_file, path)
    engine = store.get_engine(f"sqlite:///{path}")
    frames = store.read_frames(engine)
    reports = frames["status_reports"]
    last = reports[(reports["report_date"] == pd.Timestamp(REVIEW))]
    row = last[last["overall_rag"] == "Red"].head(1).copy()
    summary = " ".join(
        f"Sentence {i} about the recovery plan and its milestones." for i in range(60)
    )
    token = "https://example.org/" + "x" * 100
    row["summary"] = summary
    row["decisions_needed"] = f"Approve {token} today"
    meta = store.UploadMeta("long.xlsx", "l" * 64, 1, "test", "upload")
    assert store.write_batch(engine, {"status_reports": row}, meta).status == "loaded"
    frames = store.read_frames(engine)
    engine.dispose()
    data = build_deck(Review(frames, get_config(), REVIEW), sections=["red_projects"])
    pid = row["project_id"].iloc[0]
    prs = Presentation(io.BytesIO(data))
    slide = next(s for s in prs.slides if s.shapes.title.text.startswith(pid))
    problems = [p for p in deck_problems(data) if p.title == slide.shapes.title.text]
    kinds = {("ellipsis" if "ellipsis" in p.what else "cut" if "wider" in p.what else p.what)
             for p in problems}  # fmt: skip
    assert kinds <= {"ellipsis", "cut"}, problems
    box = next(sh for sh in slide.shapes if sh.has_text_frame and "Summary" in sh.text_frame.text)
    kept = box.text_frame.paragraphs[1].text
    assert kept.endswith(" …") and summary.startswith(kept.removesuffix(" …"))
    assert summary[len(kept) - 2] == " "  # cut between words
    assert min(r.font.size.pt for p in box.text_frame.paragraphs for r in p.runs) == 10
    # the other headings keep their text: the long summary did not push them off
    heads = [p.text for p in box.text_frame.paragraphs if p.runs and p.runs[0].font.bold]
    assert heads == ["Summary", "Next steps", "Decisions needed"]
    assert f"Approve {token} today" in box.text_frame.text


def test_a_long_names_appendix_continues_on_more_slides(tmp_path):
    """320 projects with 40+ character names: the appendix rows wrap and grow, so a slide takes
    fewer than APPENDIX_ROWS; every Red project is still listed once, worst first, every page
    fits its slide."""
    from exports.deck import APPENDIX_ROWS, red_projects_worst_first

    engine = store.get_engine(f"sqlite:///{tmp_path / 'big.db'}")
    write_sample(engine, n_projects=320, long_names=True)
    frames = store.read_frames(engine)
    engine.dispose()
    rv = Review(frames, get_config(), REVIEW)
    data = build_deck(rv, sections=["red_projects"])
    assert deck_problems(data) == []
    prs = Presentation(io.BytesIO(data))
    pages = [s for s in prs.slides if s.shapes.title.text.startswith("Appendix")]
    tables = [next(sh.table for sh in s.shapes if sh.has_table) for s in pages]
    ids = [t.cell(r, 0).text for t in tables for r in range(1, len(t.rows))]
    limit = rv.config.deck.max_project_slides
    expected = red_projects_worst_first(rv.snapshot, rv.config)["project_id"].tolist()
    assert ids == expected[limit:] and len(pages) >= 2
    assert len(tables[0].rows) - 1 < APPENDIX_ROWS  # split by measurement, not by count
    note = next(sh.text_frame.text for sh in pages[1].shapes if sh.name.startswith("TextBox"))
    first = limit + len(tables[0].rows)  # numbering carries on from the first page
    assert note.startswith(f"Red projects {first}-")


def test_a_long_story_continues_on_more_slides_with_every_word_in_order():
    from exports.deck import BODY_BOTTOM, BODY_TOP, STORY_FLOOR, _story_pages

    lines = [f"Change {i}: " + "the forecast moved again " * 12 for i in range(40)]
    lines.append("One very long paragraph " * 300)  # longer than a slide on its own
    size, pages = _story_pages(lines, Inches(12.3), BODY_BOTTOM - BODY_TOP)
    assert size == STORY_FLOOR and len(pages) >= 3
    flat = " ".join(p for page in pages for p in page)
    assert flat.split() == " ".join(lines).split()  # nothing lost, nothing cut, same order
    width = tf.pt(Inches(12.3) - Inches(0.2))
    for page in pages:
        paras = [tf.Para(p, size, False, size * 0.5) for p in page]
        assert tf.height(paras, width) <= tf.pt(BODY_BOTTOM - BODY_TOP - Inches(0.1))
    short = ["Two projects turned Red.", "One risk closed."]
    size, pages = _story_pages(short, Inches(12.3), BODY_BOTTOM - BODY_TOP)
    assert pages == [short] and size == 24


# --- RAG fills -----------------------------------------------------------------------------------


def test_contrast_formula_matches_known_ratios():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#c62828", "#212121") < 4.5  # why Red cells cannot keep dark text


def _cell_colours(cell) -> tuple[str | None, set[str]]:
    tc = cell._tc
    ns = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    fill = tc.find(f"{ns}tcPr/{ns}solidFill/{ns}srgbClr")
    text = {str(r.font.color.rgb) for p in cell.text_frame.paragraphs for r in p.runs if r.text}
    return (fill.get("val") if fill is not None else None), text


def test_rag_fills_meet_wcag_aa(long_deck):
    prs = Presentation(io.BytesIO(long_deck))
    rag_fills = {c.lstrip("#").upper() for c in RAG_COLOURS.values()}
    seen = set()
    for slide in prs.slides:
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            for row in shape.table.rows:
                for cell in row.cells:
                    fill, text = _cell_colours(cell)
                    if fill is None:
                        continue
                    for colour in text:
                        ratio = contrast(fill, colour)
                        assert ratio >= 4.5, (cell.text, fill, colour, round(ratio, 2))
                    if fill.upper() in rag_fills:
                        seen.add(fill.upper())
    assert "C62828" in seen  # the Red strip was checked


# --- the metrics ------------------------------------------------------------------------------


def test_widths_are_arials():
    # Arial/Helvetica advance widths (Adobe core font metrics, per 1,000 em): a 556, W 944, i 222
    assert tf.text_width("a", 1000) == pytest.approx(556, abs=1)
    assert tf.text_width("W", 1000) == pytest.approx(944, abs=1)
    assert tf.text_width("i", 1000) == pytest.approx(222, abs=1)
    assert tf.text_width("a", 1000, bold=True) == pytest.approx(556, abs=1)
    assert tf.text_width("b", 1000, bold=True) == pytest.approx(611, abs=1)
    # a character outside the table counts a full em: wider than any it knows but "@"
    assert tf.text_width("中", 10) == 10.0


def test_wrap_breaks_at_spaces_and_cuts_only_overlong_words():
    text = "alpha beta gamma delta"
    width = tf.text_width("gamma delta", 10) + 0.1  # the wider pair
    assert tf.text_width("alpha beta gamma", 10) > width
    assert tf.wrap(text, width, 10) == ["alpha beta", "gamma delta"]
    assert tf.wrap(text, 1000, 10) == [text]
    # spaces at the end of a line hang outside it
    assert tf.wrap("alpha beta", tf.text_width("alpha", 10) + 0.1, 10) == ["alpha", "beta"]
    long = "Supercalifragilistic"
    lines = tf.wrap(long, tf.text_width("Supercal", 10) + 0.1, 10)
    assert "".join(lines) == long and len(lines) == 3
    assert tf.too_wide(f"a {long}", 20, 10) == [long]


def test_fit_size_shrinks_to_the_floor_and_gives_up_below_it():
    text = " ".join(["word"] * 60)

    def make(size):
        return [tf.Para(text, size)]

    width = 200.0
    at14 = tf.height(make(14), width)
    size = tf.fit_size(make, width, at14 * 0.8, 14, 8)
    assert size is not None and size < 14 and tf.height(make(size), width) <= at14 * 0.8
    assert tf.fit_size(make, width, 10, 14, 8) is None


def test_cut_to_words_keeps_whole_words():
    text = "The quick brown fox jumps over the lazy dog"
    out = tf.cut_to_words(text, lambda t: len(t) <= 21)
    assert out == "The quick brown fox …"
    assert all(w in text.split() for w in out.removesuffix(" …").split())
    assert tf.cut_to_words(text, lambda t: True) == text


def test_the_checker_catches_overflow_and_cut_words():
    paras = [tf.Para("x " * 200, 14)]
    margins = (0, 0, 0, 0)
    assert any("needs" in p for p in _check_box(paras, [], Inches(2), Inches(0.5), margins))
    paras = [tf.Para("Internationalisation", 14)]
    assert any("cut" in p for p in _check_box(paras, [], Inches(0.5), Inches(3), margins))
    assert _check_box([tf.Para("fine", 14)], [], Inches(2), Inches(1), margins) == []
    assert re.search("ellipsis", " ".join(_check_box([tf.Para("Pa…", 9)], [], Inches(3),
                                                       Inches(1), margins)))  # fmt: skip
