"""The weekly review as a 16:9 PowerPoint deck (python-pptx).

Text and tables are native and editable; charts are 1920x1080 PNGs from one Chromium, started
with the build and fed each chart as soon as it is planned. Red projects get a slide each up to
``[deck] max_project_slides`` (worst first), the others an appendix table at the end. Every
slide carries a footer with the as-of date and the source.
Nothing here imports streamlit: the Export page and ``python -m exports deck`` both call
``build_deck`` with the review model (analytics.review.Review), the same one the pages read.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from concurrent.futures import Future
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

import pandas as pd
import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls
from pptx.util import Emu, Inches, Pt

from analytics import changes
from analytics import money as fmt
from analytics.review import Review
from analytics.risk import band_names, matrix_cells
from charts import governance as governance_charts
from charts import health as health_charts
from charts import risk as risk_charts
from charts.contrast import text_colour
from charts.template import RAG_COLOURS, has_points, rag_label
from config import Config
from exports import text_fit as tf
from exports.png import Renderer, with_footer
from vocabulary.neutralise import slide_text

# Section keys in deck order, with the names the Export page and the CLI show.
SECTIONS: dict[str, str] = {
    "headline": "Headline figures",
    "changes": "What changed",
    "health": "Portfolio health",
    "risks": "Risk heatmap",
    "governance": "Governance vs execution",
    "roadmap": "Roadmap: what slipped since last review",
    "red_projects": "Red projects (the worst one slide each, the rest in an appendix)",
    "quality": "Data quality",
}

CHART_SECTIONS = {"health", "risks", "governance"}  # sections whose slides can carry a chart

SLIDE_W, SLIDE_H = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.5)
TITLE_TOP, TITLE_H = Inches(0.25), Inches(0.7)
BODY_TOP = Inches(1.2)
FOOTER_TOP, FOOTER_H = Inches(7.0), Inches(0.45)  # to the slide's bottom edge: two lines
BODY_H = FOOTER_TOP - BODY_TOP - Inches(0.1)
ROW_H = Inches(0.36)
GREY = RGBColor(0x61, 0x61, 0x61)
DARK = RGBColor(0x21, 0x21, 0x21)
HEADER_FILL = RGBColor(0xEC, 0xEF, 0xF1)
BAND_FILLS = {
    "low": RGBColor(0xC8, 0xE6, 0xC9),
    "medium": RGBColor(0xFF, 0xF5, 0x9D),
    "high": RGBColor(0xFF, 0xCC, 0x80),
    "critical": RGBColor(0xEF, 0x9A, 0x9A),
}
Progress = Callable[[float, str], None]


class DeckError(ValueError):
    """Nothing to put in a deck (no data, or no project matches the filters)."""


@dataclass
class _Slide:
    """One planned slide: a title, a writer for its native content, and an optional chart."""

    title: str
    write: Callable[[Any, _Slide], None]
    fig: go.Figure | None = None
    source: str = ""
    png: bytes | None = None
    data: dict = field(default_factory=dict)
    appendix: bool = False  # goes after every section, at the end of the deck


def _rgb(hex_colour: str) -> RGBColor:
    return RGBColor.from_string(hex_colour.lstrip("#"))


# --- formatting --------------------------------------------------------------------------------


def _num(value, fmt: str = "{:.2f}", missing: str = "n/c") -> str:
    """A number for a slide; "n/c" (not computable) for NaN, as the app shows Grey."""
    if value is None or pd.isna(value):
        return missing
    return fmt.format(value)


def _money(value, signed: bool = False, *, currency: str | None) -> str:
    return fmt.compact(value, currency, signed)


# --- pptx helpers --------------------------------------------------------------------------------
# Every run is set in Arial, so exports.text_fit can measure it on a machine without the font.
# Boxes are laid out against a slightly narrower line (SLACK) than they have, so that rounding in
# PowerPoint's own layout never wraps a line the measurement kept whole.

SLACK = 0.96
INSET_LR, INSET_TB = Inches(0.1), Inches(0.05)  # text box margins (PowerPoint's defaults)
CELL_LR, CELL_TB = Inches(0.08), Inches(0.03)  # table cell margins
BODY_BOTTOM = FOOTER_TOP - Inches(0.1)  # nothing but the footer below this
TEXT_FLOOR = 10  # smallest body text on a slide, in points
WHITE = RGBColor(0xFF, 0xFF, 0xFF)


def _set_run(run, size: float, bold: bool, colour: RGBColor) -> None:
    run.font.name = tf.FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = colour


def _fit_paras(
    make: Callable[[float], list[tf.Para]], width, height, size: float, floor: float, inset=None
) -> tuple[float, list[tf.Para]]:
    """The paragraphs ``make(size)`` at the largest size from ``size`` down to ``floor`` that fits
    a box ``width`` x ``height`` (EMU, margins ``inset`` (lr, tb) included). When nothing fits
    at the floor, the text is shortened at a word boundary with "…" (never inside a word): the
    last resort for uploaded text of any length. A single word wider than the box even at the
    floor (a long URL) is left to PowerPoint to break: all of it stays on the slide."""
    lr, tb = inset or (INSET_LR, INSET_TB)
    line = tf.pt(width - 2 * lr) * SLACK
    avail = tf.pt(height - 2 * tb)
    fitted = tf.fit_size(make, line, avail, size, floor)
    if fitted is not None:
        return fitted, make(fitted)
    paras = make(floor)
    kept: list[tf.Para] = []
    for p in paras:

        def fits_with(text: str, p=p) -> bool:
            paras = [*kept, tf.Para(text, p.size, p.bold, p.space_after)]
            return tf.fits(paras, line, avail, whole_words=False)

        text = tf.cut_to_words(p.text, fits_with)
        if not text or not fits_with(text):
            break
        kept.append(tf.Para(text, p.size, p.bold, p.space_after))
        if text != p.text:
            break
    return floor, kept


def _frame(box, paras: list[tf.Para], colour: RGBColor) -> None:
    """Write measured paragraphs into a shape's text frame: fixed size, wrapped, our margins."""
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left = frame.margin_right = INSET_LR
    frame.margin_top = frame.margin_bottom = INSET_TB
    frame.clear()
    for i, p in enumerate(paras or [tf.Para("", TEXT_FLOOR)]):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        _set_run(para.add_run(), p.size, p.bold, colour)
        para.runs[0].text = p.text
        if p.space_after:
            para.space_after = Pt(p.space_after)


def _text_box(
    slide, left, top, width, height, text: str, size: float = 14, bold=False, colour=DARK,
    floor: float | None = None,
):  # fmt: skip
    """A text box whose text fits it: ``size`` pt, or smaller down to ``floor`` (default: 2 pt
    less, but not under TEXT_FLOOR unless ``size`` already is)."""
    floor = floor if floor is not None else min(size, max(size - 2, TEXT_FLOOR))
    lines = text.split("\n") if text else [""]

    def make(s: float) -> list[tf.Para]:
        return [tf.Para(line, s, bold) for line in lines]

    _, paras = _fit_paras(make, width, height, size, floor)
    box = slide.shapes.add_textbox(left, top, width, height)
    _frame(box, paras, colour)
    return box


def _paragraphs(
    slide, left, top, width, height, blocks: list[tuple[str, str]], size: float = 14,
    floor: float = TEXT_FLOOR,
):  # fmt: skip
    """Headed paragraphs (heading bold, body plain) in one text box, shrunk to fit. When they do
    not fit even at the floor, the longest bodies are shortened at a word boundary, all to the
    same length, so every heading keeps some of its text (a long summary never pushes the
    decisions off the slide)."""

    def make_from(chosen: list[tuple[str, str]]) -> Callable[[float], list[tf.Para]]:
        def make(s: float) -> list[tf.Para]:
            out = []
            for heading, body in chosen:
                out.append(tf.Para(heading, s, True))
                out += [tf.Para(line, s) for line in (body or "(not reported)").split("\n")]
                out[-1] = tf.Para(out[-1].text, s, False, round(s * 0.6, 1))
            return out

        return make

    line = tf.pt(width - 2 * INSET_LR) * SLACK
    avail = tf.pt(height - 2 * INSET_TB)
    fitted = tf.fit_size(make_from(blocks), line, avail, size, floor)
    if fitted is None:

        def clipped(limit: int) -> list[tuple[str, str]]:
            return [(h, tf.cut_to_words(b, lambda t: len(t) <= limit)) for h, b in blocks]

        lo, hi = 0, max(len(b or "") for _, b in blocks)
        while lo < hi:  # the longest body length at which everything fits
            mid = (lo + hi + 1) // 2
            if tf.fits(make_from(clipped(mid))(floor), line, avail, whole_words=False):
                lo = mid
            else:
                hi = mid - 1
        blocks, fitted = clipped(lo), floor
    _, paras = _fit_paras(make_from(blocks), width, height, fitted, floor)
    box = slide.shapes.add_textbox(left, top, width, height)
    _frame(box, paras, DARK)
    return box


def _col_emus(width, n_cols: int, col_widths: list[float] | None) -> list[int]:
    weights = col_widths or [1.0] * n_cols
    total = sum(weights)
    return [int(width * w / total) for w in weights]


def _row_heights(
    cells: list[list[str]], cols: list[int], size: float, row_height: int
) -> list[int]:
    """EMU height of each row: at least ``row_height``, more when a cell's text wraps."""
    heights = []
    for r, values in enumerate(cells):
        need = 0.0
        for c, value in enumerate(values):
            line = tf.pt(cols[c] - 2 * CELL_LR) * SLACK
            paras = [tf.Para(x, size, r == 0) for x in str(value).split("\n")]
            need = max(need, tf.height(paras, line))
        heights.append(max(int(row_height), int((need + 0.5) * tf.EMU_PER_PT) + 2 * CELL_TB))
    return heights


def _no_cut_words(cells: list[list[str]], cols: list[int], size: float) -> bool:
    return not any(
        tf.too_wide(str(v), tf.pt(cols[c] - 2 * CELL_LR) * SLACK, size, r == 0)
        for r, values in enumerate(cells)
        for c, v in enumerate(values)
    )


def _table_layout(
    header, rows, width, col_widths, size: float, row_height, avail, floor: float
) -> tuple[float, list[int]]:
    """Font size and row heights of a table that is to fit ``avail`` EMU of height.

    First choice: one line a row, shrinking by up to the floor (a header or a figure slightly
    too long for its column); second: wrap at the full size, rows growing; third: wrap and
    shrink together. Past the floor the table is returned as tall as it needs: callers that can
    overflow split their rows first (see _table_pages).
    """
    cells = [header, *rows]
    cols = _col_emus(width, len(header), col_widths)
    candidates = tf.sizes(size, floor)

    def one_line(s: float) -> bool:
        heights = _row_heights(cells, cols, s, row_height)
        return all(h == int(row_height) for h in heights) and sum(heights) <= avail

    def wrapped(s: float) -> bool:
        return sum(_row_heights(cells, cols, s, row_height)) <= avail

    for ok in (one_line, wrapped):
        s = tf.largest(candidates, lambda s, ok=ok: ok(s) and _no_cut_words(cells, cols, s))
        if s is not None:
            return s, _row_heights(cells, cols, s, row_height)
    return floor, _row_heights(cells, cols, floor, row_height)


def _table_pages(
    header, rows, width, col_widths, size: float, row_height, avail, max_rows: int | None = None
) -> list[list[list[str]]]:
    """``rows`` split into pages that each fit ``avail`` EMU of height under the header at
    ``size`` pt (rows wrap and grow); at most ``max_rows`` a page. Always at least one page."""
    cols = _col_emus(width, len(header), col_widths)
    heights = _row_heights([header, *rows], cols, size, row_height)
    pages: list[list[list[str]]] = [[]]
    used = heights[0]
    for row, h in zip(rows, heights[1:], strict=True):
        full = max_rows is not None and len(pages[-1]) >= max_rows
        if pages[-1] and (used + h > avail or full):
            pages.append([])
            used = heights[0]
        pages[-1].append(row)
        used += h
    return pages


def _rows_that_fit(
    header, rows, width, col_widths, size: float, row_height, avail, floor: float
) -> list[list[str]]:
    """The leading rows of a table that fit ``avail`` EMU at ``floor`` pt or more (at least one):
    for tables that show "the worst few" and may show fewer rather than run off the slide."""
    shown = list(rows)
    while len(shown) > 1:
        _, heights = _table_layout(header, shown, width, col_widths, size, row_height, avail, floor)
        if sum(heights) <= avail:
            break
        shown.pop()
    return shown


def _ink(fill: RGBColor | None) -> RGBColor:
    """Text colour for a cell fill: dark or white, whichever contrasts more (Red and Green fills
    take white text: dark on Red #c62828 is 2.9:1 and on Green 3.1:1, under WCAG AA's 4.5:1)."""
    if fill is None:
        return DARK
    return RGBColor.from_string(
        text_colour(str(fill), dark=str(DARK), light=str(WHITE)).lstrip("#")
    )


def _table(
    slide,
    header: list[str],
    rows: list[list[str]],
    left,
    top,
    width,
    col_widths: list[float] | None = None,
    size: float = 12,
    fills: dict[tuple[int, int], RGBColor] | None = None,
    row_height: int = ROW_H,
    *,
    bottom: int = BODY_BOTTOM,
    floor: float | None = None,
):
    """A native table; ``fills`` colours cells by (row, col) of ``rows`` (0 = first data row).

    The text is measured (exports.text_fit): cells wrap within their column and rows grow to
    hold them, shrinking the font down to ``floor`` (default 2 pt less, not under 9 pt) to stay
    above ``bottom``. The shape's height is the table's, so the next one can go below it.

    The rows are written as one XML fragment: setting text, font and fill cell by cell through
    python-pptx costs about a millisecond a cell, which an appendix of 200 projects notices.
    """
    floor = floor if floor is not None else min(size, max(size - 2, 9))
    header = [slide_text(h) for h in header]
    rows = [[slide_text(v) for v in values] for values in rows]
    size, heights = _table_layout(
        header, rows, width, col_widths, size, row_height, bottom - top, floor
    )
    n_cols = len(header)
    shape = slide.shapes.add_table(1, n_cols, left, top, width, Emu(sum(heights)))
    table = shape.table
    for i, w in enumerate(_col_emus(width, n_cols, col_widths)):
        table.columns[i].width = Emu(w)
    tbl = table._tbl
    for tr in tbl.tr_lst:
        tbl.remove(tr)
    fills = fills or {}
    xml = [f"<a:tbl {nsdecls('a')}>"]
    for r, (values, h) in enumerate(zip([header, *rows], heights, strict=True)):
        xml.append(f'<a:tr h="{int(h)}">')
        for c, value in enumerate(values):
            fill = HEADER_FILL if r == 0 else fills.get((r - 1, c))
            xml.append(_cell_xml(value, size, r == 0, fill))
        xml.append("</a:tr>")
    xml.append("</a:tbl>")
    for tr in parse_xml("".join(xml)):
        tbl.append(tr)
    return shape


# A cell as python-pptx writes it: text in Arial at the given size and in a colour that contrasts
# with the fill, our margins, a solid fill or none (the table style would otherwise band rows).
_RUN = (
    '<a:r><a:rPr lang="en-GB" sz="{size}" b="{bold}"><a:solidFill><a:srgbClr val="{colour}"/>'
    '</a:solidFill><a:latin typeface="{font}"/></a:rPr><a:t>{text}</a:t></a:r>'
)
_END = '<a:endParaRPr lang="en-GB" sz="{size}"/>'


def _cell_xml(text: str, size: float, bold: bool, fill: RGBColor | None) -> str:
    run = {"size": int(size * 100), "bold": int(bold), "colour": str(_ink(fill)), "font": tf.FONT}
    paras = "".join(
        f"<a:p>{_RUN.format(text=escape(line), **run)}</a:p>"
        if line
        else f"<a:p>{_END.format(size=run['size'])}</a:p>"
        for line in text.split("\n")
    )
    fill_xml = f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill>' if fill else "<a:noFill/>"
    return (
        f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{paras}</a:txBody>"
        f'<a:tcPr marL="{int(CELL_LR)}" marR="{int(CELL_LR)}" marT="{int(CELL_TB)}" '
        f'marB="{int(CELL_TB)}">{fill_xml}</a:tcPr></a:tc>'
    )


def _rag_fill(rag: str | None) -> RGBColor:
    return _rgb(RAG_COLOURS.get(rag or "Grey", RAG_COLOURS["Grey"]))


def _placeholder(shape, lines: list[str], size: float, floor: float, bold=False) -> None:
    """Fill a title or subtitle placeholder with measured text, left-aligned (the layout's own
    size and autofit would otherwise apply)."""

    def make(s: float) -> list[tf.Para]:
        return [tf.Para(line, s, bold) for line in lines]

    _, paras = _fit_paras(make, shape.width, shape.height, size, floor)
    _frame(shape, paras, DARK)
    for para in shape.text_frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT


class _Writer:
    """Adds titled, footnoted slides to one 16:9 presentation."""

    def __init__(self, footer: str) -> None:
        self.prs = Presentation()
        self.prs.slide_width, self.prs.slide_height = SLIDE_W, SLIDE_H
        self.footer = footer

    def slide(self, title: str, layout: int = 5):
        slide = self.prs.slides.add_slide(self.prs.slide_layouts[layout])
        t = slide.shapes.title
        # The default template is 4:3; put the title where a 16:9 slide wants it.
        t.left, t.top, t.width, t.height = MARGIN, TITLE_TOP, SLIDE_W - 2 * MARGIN, TITLE_H
        _placeholder(t, [slide_text(title)], 28, 16, bold=True)
        self.footnote(slide)
        return slide

    def footnote(self, slide) -> None:
        box = _text_box(
            slide, MARGIN, FOOTER_TOP, SLIDE_W - 2 * MARGIN, FOOTER_H, self.footer, 10,
            colour=GREY, floor=8,
        )  # fmt: skip
        box.name = "Footer"

    def picture(self, slide, png: bytes) -> None:
        # 16:9 image as large as the body allows, centred.
        height = BODY_H
        width = Emu(int(height * 16 / 9))
        if width > SLIDE_W - 2 * MARGIN:
            width = SLIDE_W - 2 * MARGIN
            height = Emu(int(width * 9 / 16))
        left = Emu(int((SLIDE_W - width) / 2))
        slide.shapes.add_picture(io.BytesIO(png), left, BODY_TOP, width, height)

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.prs.save(buf)
        return buf.getvalue()


# --- the sections ------------------------------------------------------------------------------


def _chart_slide(
    fig: go.Figure, source: str, title: str | None = None, empty: str | None = None
) -> _Slide:
    """A slide with the chart, or, when the data leave nothing to plot, a slide saying so
    (``empty``, or a plain default) rather than a picture of empty axes."""
    title = title or (fig.layout.title.text if fig.layout.title else "") or "Chart"
    if has_points(fig):
        return _Slide(title=title, write=lambda w, s: None, fig=fig, source=source)
    message = empty or "Nothing to plot: the data for this chart are missing for this review."

    def write(w: _Writer, s: _Slide) -> None:
        _text_box(w.slide(s.title), MARGIN, BODY_TOP, Inches(12), Inches(1), message)

    return _Slide(title=title, write=write, source=source)


def _headline(rv: Review) -> list[_Slide]:
    now = rv.kpis
    before = (
        rv.compare_kpis if rv.compare_snapshot is not None and len(rv.compare_snapshot) else None
    )
    ccy = now["currency"]
    if before is not None and before["currency"] != ccy:
        before = {**before, **dict.fromkeys(("budget", "eac", "eac_variance"), float("nan"))}

    def total(key: str, signed: bool = False):
        # one currency: the figure; several without a rate: one figure per currency
        def show(v):
            if ccy is None and v != v:
                return fmt.per_currency(
                    now["money"], key, lambda x, c: _money(x, signed, currency=c)
                )
            return _money(v, signed, currency=ccy)

        return show

    rows_spec = [
        ("Projects in review", "projects", lambda v: f"{v:.0f}", False),
        ("■ Red (reported)", "n_red", lambda v: f"{v:.0f}", False),
        ("▲ Amber (reported)", "n_amber", lambda v: f"{v:.0f}", False),
        ("● Green (reported)", "n_green", lambda v: f"{v:.0f}", False),
        ("○ Not reported (Grey)", "not_reported", lambda v: f"{v:.0f}", False),
        ("Watermelons (reported Green, computed Amber/Red)", "watermelons", "{:.0f}".format, False),
        ("Total budget (BAC)", "budget", total("budget"), True),
        ("Total EAC", "eac", total("eac"), True),
        ("EAC variance (EAC − budget)", "eac_variance", total("eac_variance", True), True),
    ]
    rows = []
    for label, key, figure, is_money in rows_spec:
        change = ""
        if before is not None:  # the same change as Portfolio health's tiles
            diff = rv.kpi_change(key)
            change = (
                (_money(diff, True, currency=ccy) if diff is not None and diff == diff else "")
                if is_money
                else f"{diff:+.0f}"
            )
        previous = (
            "" if not before else figure(before[key]) if before[key] == before[key] else "n/c"
        )
        rows.append([label, figure(now[key]), previous, change])
    prev = f"Previous ({fmt.day(rv.compare_date)})" if rv.compare_date is not None else "Previous"

    def write(w: _Writer, s: _Slide) -> None:
        slide = w.slide(s.title)
        _table(
            slide,
            ["Figure", f"This review ({fmt.day(rv.review_date)})", prev, "Change"],
            rows,
            MARGIN,
            BODY_TOP,
            Inches(11),
            col_widths=[4.5, 2.2, 2.2, 2.1],
            size=16,
            row_height=Inches(0.48),
        )

    return [_Slide("Headline figures", write)]


STORY_SIZE, STORY_FLOOR = 24, 16  # the What changed story: as large as fits, never under 16 pt


def _story_pages(lines: list[str], width, height) -> tuple[float, list[list[str]]]:
    """The narrative's size and its paragraphs split over slides: all on one slide at the
    largest size from STORY_SIZE down to STORY_FLOOR that holds them, else over several at the
    floor, whole paragraphs to a slide while they fit (a paragraph longer than a slide
    continues on the next one, split between words)."""
    line_w = tf.pt(width - 2 * INSET_LR) * SLACK
    avail = tf.pt(height - 2 * INSET_TB)

    def make(size: float, paras: list[str]) -> list[tf.Para]:
        return [tf.Para(p, size, False, round(size * 0.5, 1)) for p in paras]

    size = tf.fit_size(lambda s: make(s, lines), line_w, avail, STORY_SIZE, STORY_FLOOR)
    if size is not None:
        return size, [lines]
    size = STORY_FLOOR
    pages: list[list[str]] = [[]]
    for line in lines:
        rest = line
        while rest:
            page = pages[-1]
            if tf.fits(make(size, [*page, rest]), line_w, avail):
                page.append(rest)
                break
            if page:
                pages.append([])
                continue
            wrapped = tf.wrap(rest, line_w, size)  # alone, longer than a slide: split it
            n = max(1, int((avail - size * 0.5) // (size * tf.LINE_HEIGHT)))
            page.append(" ".join(wrapped[:n]))
            rest = " ".join(wrapped[n:])
            pages.append([])
    return size, [p for p in pages if p]


def _of(title: str, i: int, n: int) -> str:
    return f"{title} ({i + 1} of {n})" if n > 1 else title


def _changes(rv: Review) -> list[_Slide]:
    """The narrative and the change set of analytics.changes (the This week page's source)."""
    narrative = rv.narrative
    found = rv.comparison.changes
    labels = changes.KIND_LABELS
    lines = [" ".join(slide_text(line).split()) for line in narrative.split("\n") if line.strip()]
    shown = found.head(12)
    rows, directions = [], []
    for r in shown.itertuples(index=False):
        rows.append(
            [r.project_id, _clip(r.name, 150), labels.get(r.kind, r.kind), _clip(r.detail, 300),
             r.direction]
        )  # fmt: skip
        directions.append(r.direction)
    more = f"Showing {len(shown)} of {len(found)} changes, worst first." if len(found) else ""
    source = rv.source + ", risk registers and milestone plans"
    width = Inches(12.3)
    size, story = _story_pages(lines, width, BODY_BOTTOM - BODY_TOP)
    slides = []
    for i, page in enumerate(story):

        def write_story(w: _Writer, s: _Slide, page=page) -> None:
            slide = w.slide(s.title)
            make = [tf.Para(p, size, False, round(size * 0.5, 1)) for p in page]
            box = slide.shapes.add_textbox(MARGIN, BODY_TOP, width, BODY_BOTTOM - BODY_TOP)
            _frame(box, make, DARK)

        slides.append(_Slide(_of("What changed", i, len(story)), write_story, source=source))

    header = ["ID", "Project", "Kind", "Change", "Direction"]
    cols = [1.0, 3.2, 1.5, 5.4, 1.2]
    table_top = BODY_TOP + Inches(0.45)
    pages = _table_pages(header, rows, width, cols, 12, ROW_H, BODY_BOTTOM - table_top)
    first = 0
    for i, page in enumerate(pages if rows else []):
        fills = {}
        for j, direction in enumerate(directions[first : first + len(page)]):
            if direction == "worsened":
                fills[(j, 4)] = BAND_FILLS["critical"]
            elif direction == "improved":
                fills[(j, 4)] = BAND_FILLS["low"]
        first += len(page)

        def write_table(w: _Writer, s: _Slide, page=page, fills=fills) -> None:
            slide = w.slide(s.title)
            _text_box(slide, MARGIN, BODY_TOP, width, Inches(0.4), more, 13, colour=GREY)
            _table(slide, header, page, MARGIN, table_top, width, cols, 12, fills)

        title = _of("What changed: the change set", i, len(pages))
        slides.append(_Slide(title, write_table, source=source))
    return slides


def _health(rv: Review) -> list[_Slide]:
    figs = [
        health_charts.rag_distribution(rv.rag_distribution),
        health_charts.rag_trend(rv.rag_trend),
        health_charts.rag_by_group(rv.rag_by_portfolio, "portfolio"),
        health_charts.value_risk_bubble(
            rv.snapshot, rv.value_risk_picks, rv.config.governance.label_chars
        ),
    ]
    sources = [rv.source, rv.source, rv.source, rv.source + " and risk registers"]
    empty = [None, None, None, health_charts.NO_VALUE_SCORES]
    return [
        _chart_slide(f, src, f"Portfolio health: {f.layout.title.text}", why)
        for f, src, why in zip(figs, sources, empty, strict=True)
    ]


def _risks(rv: Review) -> list[_Slide]:
    # each risk is in its project's currency; the total is one figure per currency (or converted)
    register = rv.open_risks
    source = "risk registers (latest snapshot per project on or before the review date)"
    if register.empty:

        def write_none(w: _Writer, s: _Slide) -> None:
            _text_box(w.slide(s.title), MARGIN, BODY_TOP, Inches(12), Inches(1), "No open risks.")

        return [_Slide("Risk heatmap", write_none)]
    top = rv.top_open_risks(8)
    top_rows = [
        [
            slide_text(r.risk_id),
            slide_text(r.project_id),
            _clip(r.title, 200),
            f"{r.score:.0f} ({r.band})",
            _money(r.exposure, currency=r.currency),
            _clip(r.owner, 80),
        ]
        for r in top.itertuples(index=False)
    ]
    band_text = ", ".join(f"{k} ≥ {v}" for k, v in rv.config.risk.bands.items())
    total = fmt.total_text(register, "exposure", rv.config, lambda v, c: _money(v, currency=c))
    note = (
        f"{len(register)} open risks in {register['project_id'].nunique()} of "
        f"{len(rv.snapshot)} projects. "
        f"Score = likelihood × impact; bands: {band_text}. "
        f"Exposure = probability × cost impact: {total} in total."
    )

    cells = matrix_cells(register, rv.config.risk, "inherent")
    fig = risk_charts.risk_matrix(cells, band_names(rv.config.risk), "inherent")

    def write_top(w: _Writer, s: _Slide) -> None:
        slide = w.slide(s.title)
        _text_box(slide, MARGIN, BODY_TOP, Inches(12.3), Inches(0.7), note, 13)
        _table(
            slide,
            ["Risk ID", "Project", "Risk", "Score (band)", "Exposure", "Owner"],
            top_rows,
            MARGIN,
            BODY_TOP + Inches(0.8),
            Inches(12.3),
            col_widths=[1.2, 1.3, 4.3, 1.8, 1.5, 2.2],
            size=12,
            row_height=Inches(0.42),
        )

    return [
        _chart_slide(fig, source, "Risk heatmap (inherent: likelihood × impact)"),
        _Slide("Top open risks", write_top, source=source),
    ]


def _governance(rv: Review) -> list[_Slide]:
    """The governance page's quadrant chart and its two lenses, as a chart and native tables."""
    rules = rv.config.governance
    fig = governance_charts.quadrant(
        rv.scores, rules, rv.compare_scores, slide=True, config=rv.config
    )
    counts, lens = rv.quadrant_counts, rv.lens
    source = rv.source + ", project register, milestone plans, decision log and risk registers"
    quad_rows = [
        [slide_text(r.quadrant), f"{r.projects:.0f}", r.budget_text, slide_text(r.meaning)]
        for r in counts.itertuples(index=False)
    ]
    gov_rows = [[slide_text(k), slide_text(v)] for k, v in lens.get("governance", [])]
    exe_rows = [[slide_text(k), slide_text(v)] for k, v in lens.get("execution", [])]

    def write(w: _Writer, s: _Slide) -> None:
        slide = w.slide(s.title)
        half = Inches(6.0)
        gov = _table(slide, ["Governance lens", ""], gov_rows, MARGIN, BODY_TOP, half, [4, 2], 12)
        exe = _table(
            slide, ["Execution lens", ""], exe_rows, Inches(6.8), BODY_TOP, half, [4, 2], 12
        )
        top = max(gov.top + gov.height, exe.top + exe.height) + Inches(0.3)  # as measured
        _table(
            slide,
            ["Quadrant", "Projects", "Budget", "What it means"],
            quad_rows,
            MARGIN,
            top,
            Inches(12.3),
            col_widths=[2.6, 1.1, 1.3, 7.3],
            size=12,
        )

    return [
        _chart_slide(
            fig,
            source,
            "Governance vs execution: value against delivery health",
            governance_charts.NOTHING_SCORED,
        ),
        _Slide("Governance vs execution: two lenses", write, source=source),
    ]


ROADMAP_TITLE = "Roadmap: what slipped since last review"


def _roadmap(rv: Review) -> list[_Slide]:
    """Projects whose forecast end moved later since the compare date (``Review.roadmap_slips``),
    most moved first: the end then and now, days moved, slip against baseline now. A native
    table over as many slides as it needs; a sentence when nothing slipped or there is nothing
    to compare with."""
    source = rv.source + " (forecast end dates)"
    if rv.compare_date is None:
        message = "First review: there is no earlier review date to compare forecast ends with."
    else:
        message = (
            f"No project's forecast end moved later since {fmt.day(rv.compare_date)}."
            if rv.roadmap_slips.empty
            else ""
        )
    if message:

        def write_none(w: _Writer, s: _Slide) -> None:
            _text_box(w.slide(s.title), MARGIN, BODY_TOP, Inches(12), Inches(1), message)

        return [_Slide(ROADMAP_TITLE, write_none, source=source)]
    slips = rv.roadmap_slips
    rows = [
        [
            slide_text(r.project_id),
            _clip(r.name, 150),
            rag_label(_rag(r.display_rag)),
            _day(r.end_before),
            _day(r.end_now),
            f"+{r.moved_days:.0f} days",
            _num(r.slip_days, "{:+.0f} days", "no baseline"),
        ]
        for r in slips.itertuples(index=False)
    ]
    header = ["ID", "Project", "RAG", f"Forecast end {_day(rv.compare_date)}",
              "Forecast end now", "Moved", "Slip vs baseline"]  # fmt: skip
    cols = [1.1, 3.6, 1.2, 1.7, 1.6, 1.3, 1.6]
    width, table_top = Inches(12.3), BODY_TOP + Inches(0.45)
    pages = _table_pages(
        header, rows, width, cols, 12, ROW_H, BODY_BOTTOM - table_top, APPENDIX_ROWS
    )
    slides, first = [], 1
    for i, page in enumerate(pages):
        note = (
            f"{len(slips)} project{'s' if len(slips) != 1 else ''} of {len(rv.snapshot)} moved "
            f"their forecast end later since {fmt.day(rv.compare_date)}, most moved first"
            + (f" (rows {first}-{first + len(page) - 1})" if len(pages) > 1 else "")
            + "."
        )
        rags = slips["display_rag"].iloc[first - 1 : first - 1 + len(page)]
        fills = {(j, 2): _rag_fill(_rag(r)) for j, r in enumerate(rags)}

        def write(w: _Writer, s: _Slide, page=page, note=note, fills=fills) -> None:
            slide = w.slide(s.title)
            _text_box(slide, MARGIN, BODY_TOP, width, Inches(0.4), note, 13, colour=GREY)
            _table(slide, header, page, MARGIN, table_top, width, cols, 12, fills)

        slides.append(_Slide(_of(ROADMAP_TITLE, i, len(pages)), write, source=source))
        first += len(page)
    return slides


def red_projects_worst_first(snap: pd.DataFrame, config: Config) -> pd.DataFrame:
    """The Red projects (shown RAG) of a snapshot, worst first, with ``eac_variance``.

    Worst first: EAC variance (EAC − budget) descending, then open risk exposure descending,
    then project id. Both are compared in the portfolio currency (``[money.rates]``); a project
    whose variance cannot be computed (no EAC) or converted (no rate) comes after those that can.
    """
    reds = snap[snap["display_rag"] == "Red"]
    reds = reds.assign(eac_variance=reds["eac_typical"] - reds["budget"])
    key = reds.assign(
        _variance=fmt.in_base(reds, "eac_variance", config),
        _exposure=fmt.in_base(reds, "exposure", config),
    )
    key = key.sort_values(
        ["_variance", "_exposure", "project_id"],
        ascending=[False, False, True],
        na_position="last",
        kind="stable",
    )
    return reds.loc[key.index].reset_index(drop=True)


def red_projects_line(n_red: int, limit: int) -> str:
    """What the title slide says about the Red project slides."""
    if n_red == 0:
        return "No Red projects"
    if n_red <= limit:
        return f"{n_red} Red project{'s' if n_red != 1 else ''}, one slide each"
    if limit == 0:
        return f"{n_red} Red projects, listed in the appendix"
    return f"{limit} of {n_red} Red projects shown in detail; the rest in the appendix"


APPENDIX_ROWS = 15  # Red projects per appendix slide: 11 pt text in 0.32 in rows


def _red_projects(rv: Review) -> list[_Slide]:
    reds = red_projects_worst_first(rv.snapshot, rv.config)
    limit = rv.config.deck.max_project_slides
    detail = reds.head(limit)
    slides = [_red_project(rv, row) for _, row in detail.iterrows()]
    return slides + _red_appendix(rv, reds.iloc[limit:], len(reds), limit)


def _red_appendix(rv: Review, rest: pd.DataFrame, n_red: int, limit: int) -> list[_Slide]:
    """The Red projects without a slide of their own, one table row each, over as many slides
    as they need, in the same worst-first order."""
    rows = [
        [
            slide_text(r.project_id),
            _clip(r.name, 150),
            _clip(r.manager, 80),
            f"{rag_label(r.display_rag)} / {rag_label(_rag(r.computed_rag))}",
            _money(r.eac_variance, True, currency=r.currency),
            _money(r.exposure, currency=r.currency),
            fmt.day(r.last_report_date, missing="never"),
        ]
        for r in rest.itertuples(index=False)
    ]
    header = [
        "ID", "Project", "Manager", "RAG shown / computed", "EAC − budget", "Exposure",
        "Last report",
    ]  # fmt: skip
    cols = [1.1, 3.4, 2.2, 1.9, 1.3, 1.3, 1.1]
    table_top = BODY_TOP + Inches(0.45)
    # up to APPENDIX_ROWS a slide, fewer when long names wrap and the rows grow
    pages = _table_pages(
        header, rows, Inches(12.3), cols, 11, Inches(0.32), BODY_BOTTOM - table_top, APPENDIX_ROWS
    ) if rows else []  # fmt: skip
    source = rv.source + " and risk registers"
    slides = []
    first = limit + 1
    for i, page in enumerate(pages):
        note = (
            f"Red projects {first}-{first + len(page) - 1} of {n_red}, worst first "
            "(EAC − budget, then open risk exposure)"
            + (f"; the first {limit} have a slide each." if limit else ".")
        )

        def write(w: _Writer, s: _Slide, page=page, note=note) -> None:
            slide = w.slide(s.title)
            _text_box(slide, MARGIN, BODY_TOP, Inches(12.3), Inches(0.4), note, 13, colour=GREY)
            _table(
                slide,
                header,
                page,
                MARGIN,
                table_top,
                Inches(12.3),
                col_widths=cols,
                size=11,
                row_height=Inches(0.32),
            )

        of = f" ({i + 1} of {len(pages)})" if len(pages) > 1 else ""
        title = f"Appendix: other Red projects{of}"
        slides.append(_Slide(title, write, source=source, appendix=True))
        first += len(page)
    return slides


def _day(value) -> str:
    return fmt.day(value, missing="")


def _clip(value, limit: int) -> str:
    """Uploaded text for a table cell, whole words up to ``limit`` characters (then "…"): a cell
    wraps, but one row must never outgrow a slide. Generous: names and titles fit whole."""
    return tf.cut_to_words(slide_text(value), lambda t: len(t) <= limit)


def _rag(value) -> str:
    return value if isinstance(value, str) else "Grey"


def _red_project(rv: Review, p: pd.Series) -> _Slide:
    strip_header = ["Overall (reported)", "Schedule", "Cost", "Scope", "Resource", "Computed"]
    strip_values = [
        p["display_rag"],
        p["schedule_rag"],
        p["cost_rag"],
        p["scope_rag"],
        p["resource_rag"],
        p["computed_rag"],
    ]
    strip_values = [_rag(v) for v in strip_values]
    strip_fills = {(0, i): _rag_fill(v) for i, v in enumerate(strip_values)}
    metrics = [
        ["SPI", _num(p["spi"])],
        ["CPI", _num(p["cpi"])],
        ["EAC (BAC / CPI)", _money(p["eac_typical"], currency=p["currency"])],
        ["Budget (BAC)", _money(p["budget"], currency=p["currency"])],
        ["EAC − budget", _money(p["eac_variance"], True, currency=p["currency"])],
        ["% complete", _num(p["percent_complete"], "{:.0f}%")],
        ["Forecast end (baseline)", f"{_day(p['forecast_end'])} ({_day(p['end_date'])})"],
        ["Slip against baseline", _num(p["slip_days"], "{:+.0f} days")],
    ]
    risks = rv.top_open_risks(3, p["project_id"])
    risk_rows = [
        [
            _clip(r.title, 160),
            f"{r.score:.0f} ({r.band})",
            _money(r.exposure, currency=p["currency"]),
            _clip(r.owner, 60),
        ]
        for r in risks.itertuples(index=False)
    ]
    people = " · ".join(
        f"{label}: {slide_text(p[col])}"
        for label, col in (
            ("Manager", "manager"),
            ("Sponsor", "sponsor"),
            ("Stage", "stage"),
            ("Portfolio", "portfolio"),
        )
        if slide_text(p[col])
    )
    label = slide_text(p["rag_label"])
    reported = f"last report {_day(p['last_report_date'])}" + (
        f", reported as “{label}”" if label else ""
    )
    narrative = [
        ("Summary", slide_text(p["summary"])),
        ("Next steps", slide_text(p["next_steps"])),
        ("Decisions needed", slide_text(p["decisions_needed"])),
    ]
    rule = f"Computed RAG: {slide_text(p['computed_rule'])}"
    title = f"{slide_text(p['project_id'])} · {slide_text(p['name'])} — {rag_label('Red')}"

    def write(w: _Writer, s: _Slide) -> None:
        slide = w.slide(s.title)
        _text_box(
            slide, MARGIN, BODY_TOP - Inches(0.2), Inches(12.3), Inches(0.5),
            f"{people} · {reported}", 12, colour=GREY, floor=9,
        )  # fmt: skip
        strip = _table(
            slide,
            strip_header,
            [[rag_label(v) for v in strip_values]],
            MARGIN,
            BODY_TOP + Inches(0.35),
            Inches(12.3),
            size=13,
            fills=strip_fills,
        )
        top = strip.top + strip.height + Inches(0.2)
        rule_top = FOOTER_TOP - Inches(0.75)
        _paragraphs(slide, MARGIN, top, Inches(6.4), rule_top - top, narrative, 13)
        _text_box(
            slide, MARGIN, rule_top, Inches(6.4), Inches(0.65), rule, 10, colour=GREY, floor=8
        )
        table = _table(
            slide,
            ["Key metric", "Value"],
            metrics,
            Inches(7.2),
            top,
            Inches(5.6),
            col_widths=[2.6, 3.0],
            size=12,
            row_height=Inches(0.29),
        )
        risk_top = table.top + table.height + Inches(0.2)
        # The three worst risks, or as many as fit above the footer at 8 pt and up.
        if risk_rows:
            header, cols = (
                ["Top open risk", "Score (band)", "Exposure", "Owner"],
                [2.6, 1.1, 0.9, 1.0],
            )
            shown = _rows_that_fit(
                header, risk_rows, Inches(5.6), cols, 10, Inches(0.28), BODY_BOTTOM - risk_top, 8
            )
            _table(
                slide, header, shown, Inches(7.2), risk_top, Inches(5.6), cols, 10,
                row_height=Inches(0.28), floor=8,
            )  # fmt: skip
        else:
            _text_box(slide, Inches(7.2), risk_top, Inches(5.6), Inches(0.4), "No open risks.", 12)

    return _Slide(title, write, source=rv.source + " and risk registers")


def _quality(rv: Review) -> list[_Slide]:
    snap, cfg = rv.snapshot, rv.config
    stale = snap[snap["not_reported"]]
    no_evm = snap[snap[["planned_value", "earned_value", "actual_cost"]].isna().any(axis=1)]
    no_summary = snap[~snap["not_reported"] & snap["summary"].isna()]
    water = snap[snap["watermelon"]]
    limit = cfg.staleness.cadence_days + cfg.staleness.grace_days

    def ids(df: pd.DataFrame, n: int = 6) -> str:
        shown = ", ".join(df["project_id"].astype(str).head(n))
        return shown + (f" (+{len(df) - n} more)" if len(df) > n else "")

    checks = [
        [f"Not reported (no report within {limit} days)", str(len(stale)), ids(stale)],
        ["Watermelons (reported Green, computed Amber/Red)", str(len(water)), ids(water)],
        ["Missing earned-value inputs (PV, EV or AC)", str(len(no_evm)), ids(no_evm)],
        ["Reported without a summary", str(len(no_summary)), ids(no_summary)],
    ]
    flagged = rv.latest_findings
    checks.append(["Plausibility findings on the latest reports", str(len(flagged)), ids(flagged)])
    by_manager = (
        stale.groupby("manager", dropna=False)
        .agg(projects=("project_id", "count"), oldest=("days_since_report", "max"))
        .reset_index()
        .sort_values(["projects", "oldest"], ascending=False)
        .head(8)
    )
    manager_rows = [
        [
            _clip(r.manager, 80) or "(no manager)",
            f"{r.projects:.0f}",
            _num(r.oldest, "{:.0f}", "never reported"),
        ]
        for r in by_manager.itertuples(index=False)
    ]

    def write(w: _Writer, s: _Slide) -> None:
        slide = w.slide(s.title)
        table = _table(
            slide,
            ["Check", "Projects", "Which"],
            checks,
            MARGIN,
            BODY_TOP,
            Inches(12.3),
            col_widths=[5.0, 1.2, 6.1],
            size=12,
        )
        if manager_rows:
            top = table.top + table.height + Inches(0.3)
            _text_box(
                slide, MARGIN, top, Inches(8), Inches(0.4), "Not reported, by manager", 14, True
            )
            header = ["Manager", "Projects not reported", "Days since last report (oldest)"]
            avail = BODY_BOTTOM - top - Inches(0.45)
            shown = _rows_that_fit(
                header, manager_rows, Inches(9), [4, 2.5, 2.5], 12, ROW_H, avail, 10
            )
            _table(
                slide,
                header,
                shown,
                MARGIN,
                top + Inches(0.45),
                Inches(9),
                col_widths=[4, 2.5, 2.5],
                size=12,
            )

    return [_Slide("Data quality", write)]


_BUILDERS: dict[str, Callable[[Review], list[_Slide]]] = {
    "headline": _headline,
    "changes": _changes,
    "health": _health,
    "risks": _risks,
    "governance": _governance,
    "roadmap": _roadmap,
    "red_projects": _red_projects,
    "quality": _quality,
}


# --- the deck --------------------------------------------------------------------------------


def _chosen(sections: list[str] | None) -> list[str]:
    unknown = set(sections or []) - set(SECTIONS)
    if unknown:
        raise DeckError(f"Unknown section(s): {', '.join(sorted(unknown))}")
    return [s for s in SECTIONS if sections is None or s in sections]


def _deck_order(slides: list[_Slide]) -> list[_Slide]:
    return [s for s in slides if not s.appendix] + [s for s in slides if s.appendix]


def plan_slides(rv: Review, sections: list[str] | None = None) -> list[_Slide]:
    """Every slide after the title slide, in deck order, for the chosen sections."""
    return _deck_order([s for key in _chosen(sections) for s in _BUILDERS[key](rv)])


def build_deck(
    rv: Review, *, sections: list[str] | None = None, progress: Progress | None = None
) -> bytes:
    """The deck of a review as .pptx bytes; ``progress(fraction, message)`` reports each step.
    DeckError when there is nothing to put in it. Reads ``rv`` only (it may be shared)."""

    def report(fraction: float, message: str) -> None:
        if progress:
            progress(min(max(fraction, 0.0), 1.0), message)

    report(0.0, "Computing the review")
    chosen = _chosen(sections)
    if not rv.dates:
        raise DeckError("The database has no status reports yet: nothing to put in a deck.")
    if rv.snapshot.empty:
        where = fmt.filters_text(rv.filters) or "the whole portfolio"
        raise DeckError(f"No projects in review on {fmt.day(rv.review_date)} for {where}.")
    as_of = fmt.day(rv.review_date)
    slides: list[_Slide] = []
    pending: list[tuple[_Slide, Future[bytes]]] = []
    with ExitStack() as stack:
        # Chromium takes seconds to start and renders in its own processes: start it before the
        # analytics and queue each chart as soon as it is planned, so both run at once.
        renderer = stack.enter_context(Renderer()) if CHART_SECTIONS & set(chosen) else None
        for i, key in enumerate(chosen):
            report(0.05 + 0.6 * i / len(chosen), f"Computing: {SECTIONS[key]}")
            for s in _BUILDERS[key](rv):
                if s.fig is not None:
                    renderer = renderer or stack.enter_context(Renderer())
                    fig = with_footer(s.fig, as_of, s.source or rv.source)
                    pending.append((s, renderer.submit(fig)))
                slides.append(s)
        for done, (s, future) in enumerate(pending, 1):
            s.png = future.result()
            left = (len(pending) - done) / len(pending)
            report(0.85 - 0.2 * left, f"Rendered chart {done} of {len(pending)}")

    filters_text = fmt.filters_text(rv.filters)
    footer = f"As of {as_of}" + (f" · {filters_text}" if filters_text else "")
    writer = _Writer(footer + f" · Source: {rv.source}")
    report(0.85, "Writing slides")
    n_red = int((rv.snapshot["display_rag"] == "Red").sum())
    limit = rv.config.deck.max_project_slides
    _title_slide(writer, rv, red_projects_line(n_red, limit) if "red_projects" in chosen else "")
    slides = _deck_order(slides)
    for s in slides:
        writer.footer = footer + f" · Source: {s.source or rv.source}"
        if s.png is not None:
            writer.picture(writer.slide(s.title), s.png)
        else:
            s.write(writer, s)
    data = writer.save()
    report(1.0, f"Deck ready: {len(slides) + 1} slides")
    return data


def _title_slide(w: _Writer, rv: Review, red_line: str) -> None:
    name = ", ".join(rv.filters.get("portfolio", [])) or "All portfolios"
    slide = w.prs.slides.add_slide(w.prs.slide_layouts[0])
    title, subtitle = slide.shapes.title, slide.placeholders[1]
    title.left, title.top, title.width, title.height = (
        MARGIN, Inches(2.2), SLIDE_W - 2 * MARGIN, Inches(1.4),
    )  # fmt: skip
    subtitle.left, subtitle.top, subtitle.width, subtitle.height = (
        MARGIN, Inches(3.7), SLIDE_W - 2 * MARGIN, Inches(1.6),
    )  # fmt: skip
    _placeholder(title, [f"Weekly portfolio review: {slide_text(name)}"], 40, 24, bold=True)
    lines = [f"Review date {fmt.day(rv.review_date)}"]
    if rv.compare_date is not None:
        lines.append(f"Compared with {fmt.day(rv.compare_date)}")
    other = {k: v for k, v in rv.filters.items() if k != "portfolio"}
    if other:
        lines.append(fmt.filters_text(other))
    lines.append(f"{len(rv.snapshot)} projects in review")
    if red_line:
        lines.append(red_line)
    _placeholder(subtitle, lines, 24, 14)
    w.footnote(slide)
