"""Small display helpers every page uses: charts with provenance, RAG text, empty states."""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from functools import cache
from urllib.parse import quote, urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import money as fmt
from analytics.portfolio import red_gap
from charts.contrast import cell_style
from charts.summary import describe
from charts.template import (
    EXPORT_HEIGHT,
    EXPORT_SCALE,
    EXPORT_WIDTH,
    RAG_COLOURS,
    rag_label,
    with_provenance,
)
from ui.download import png_download_button
from ui.escape import WORD_JOINER, plain  # noqa: F401 (public here too: pages, tests)
from ui.review_context import ReviewContext
from vocabulary.neutralise import to_csv_bytes


def provenance(ctx: ReviewContext, *parts: str) -> None:
    """The caption under a figure: as-of date and filters, then what the caller adds (source).

    Escaped, because filter values and file names come from uploads."""
    st.caption(" · ".join(plain(p) for p in (ctx.describe(), *parts) if p))


def chart_config(filename: str) -> dict:
    """Plotly toolbar: the camera downloads what Download PNG renders (exports.png): the figure
    laid out at the slide layout size (charts.template.export_layout) and drawn at 2x, so the
    1920x1080 image has slide-sized text, not a 1920 px screen layout with 14 px labels."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": filename,
            "width": EXPORT_WIDTH,
            "height": EXPORT_HEIGHT,
            "scale": EXPORT_SCALE,
        },
    }


def export_source(ctx: ReviewContext, source: str) -> tuple[str, str]:
    """(as-of date, source with the sidebar filters): the line every exported chart carries."""
    filters = fmt.filters_text(ctx.filters)
    return fmt.day(ctx.review_date, missing=""), f"{source} · {filters}" if filters else source


class _Shown:
    """The figures as shown (``with_provenance``: a validated copy, its cost grows with the
    points drawn) and their text summaries, kept per figure object and caption so a rerun of
    a page whose figures are kept with the review copies and reads none. An entry goes when
    its figure has gone (a weak reference: the id may be reused) or, past ``LIMIT``, oldest
    first; shared by sessions, so read-only like the figures."""

    LIMIT = 16

    def __init__(self) -> None:
        self._items: OrderedDict[tuple, tuple[weakref.ref, go.Figure, str]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, fig: go.Figure, as_of: str, source: str) -> tuple[go.Figure, str]:
        """(the figure with its as-of/source line, its summary)."""
        key = (id(fig), as_of, source)
        with self._lock:
            hit = self._items.get(key)
            if hit is not None and hit[0]() is fig:
                self._items.move_to_end(key)
                return hit[1], hit[2]
        shown, summary = with_provenance(fig, as_of, source), describe(fig)
        with self._lock:
            for gone in [k for k, (ref, *_) in self._items.items() if ref() is None]:
                del self._items[gone]  # a figure no page keeps any more (an older review's)
            self._items[key] = (weakref.ref(fig), shown, summary)
            while len(self._items) > self.LIMIT:
                self._items.popitem(last=False)
        return shown, summary


_shown_figures = _Shown()


def show_chart(
    fig: go.Figure, key: str, ctx: ReviewContext, source: str, widget_key: str | None = None,
    **kwargs,
):  # fmt: skip
    """Render a figure with our template (no Streamlit restyling), its as-of/source caption and
    a text summary of what it shows (for screen readers, and without colour). ``key`` names the
    PNG files; ``widget_key`` (default ``key``) keys the chart, so a page can start a chart
    afresh, with nothing selected, under the same file name.

    The figure on screen carries the as-of/source line as its subtitle, so the toolbar camera's
    image has it as Download PNG's does (the page's cached figure itself is not changed)."""
    shown, summary = _shown_figures.get(fig, *export_source(ctx, source))
    event = st.plotly_chart(
        shown,
        key=widget_key or key,
        theme=None,
        width="stretch",
        config=chart_config(key),
        **kwargs,
    )
    provenance(ctx, f"source: {source}")
    st.caption(f"Chart summary: {plain(summary)}")
    png_download_button(fig, key, ctx, source)
    return event


def delta_style(change: float, up_is_bad: bool | None) -> dict:
    """st.metric's delta colour and arrow from the number itself. Streamlit reads the
    direction from a leading hyphen of the delta text; ours starts with a true minus
    (``−£0.25m``), so the arrow and colour are set explicitly: a fall points down, a rise up;
    ``up_is_bad`` True colours a rise red, False green, None never colours."""
    arrow = "down" if change < 0 else "up"
    if up_is_bad is None:
        return {"delta_color": "off", "delta_arrow": arrow}
    good = (change < 0) if up_is_bad else (change > 0)
    return {"delta_color": "green" if good else "red", "delta_arrow": arrow}


# A verdict's tone (analytics: good, mixed, bad) as a tile's delta colour; always with a word
# or sign in the text too (✓, ⚠), never colour alone.
TONE_COLOURS = {"good": "green", "mixed": "orange", "bad": "red"}


def verdict_tile(where, label: str, verdict: tuple[str, str], note: str, help: str) -> None:
    """A tile whose value is a verdict (``✓ within``) and whose note (``+£7.06m headroom``) is
    coloured by the verdict's tone, with no arrow: the note is a level, not a change, and an
    arrow would read as "up since last week"."""
    text, tone = verdict
    where.metric(
        label,
        text,
        note,
        delta_color=TONE_COLOURS[tone],
        delta_arrow="off",
        help=help,
        border=True,
    )


def signed_count(x: float) -> str:
    """``+3`` / ``−2``: a change in a count, with a true minus like money."""
    return f"{x:+,.0f}".replace("-", fmt.MINUS)


def kpi(
    where,
    label: str,
    value: str,
    change: float | None,
    fmt=signed_count,
    up_is_bad: bool | None = None,
    help: str | None = None,
) -> None:
    """A tile with its change since the compare date; "no change" is grey with no arrow.

    ``up_is_bad``: True colours a rise red, False green, None never colours.
    """
    if change is None or change != change:  # first week, or not computable
        where.metric(label, value, help=help, border=True)
        return
    if change == 0:
        where.metric(
            label, value, "no change", delta_color="off", delta_arrow="off", help=help, border=True
        )
        return
    style = delta_style(change, up_is_bad)
    where.metric(label, value, fmt(change), help=help, border=True, **style)


# Table geometry, as st.dataframe draws it: rows of ROW_HEIGHT px under a header of the same
# height, inside a 1px border. Streamlit's own default shows at most ~10 rows (400px), so 13
# rows sat in a 10-row window; data_table sizes the table to its rows instead, up to a cap.
ROW_HEIGHT = 35
HEADER_HEIGHT = 35
BORDER = 1
MAX_ROWS = 15  # beyond this the table scrolls, and a caption says how many rows it holds
# Rows of a table sent to the browser: the first SHOW_ROWS in the page's order, about seven
# screens of MAX_ROWS. Every shown row costs server time on each rerun (styled, about 0.1 ms a
# row: 21,000 risks took 2.4 s), so a table's cost follows what is drawn, not the portfolio;
# the CSV under it holds every row, and a caption says so.
SHOW_ROWS = 100
# A row height above 4rem (64px) makes st.dataframe wrap text cells instead of cutting them:
# a wrapped row holds three lines of 14px text (20px a line, 8px padding above and below); a
# longer text is in full in the row's details panel. WRAP_CHARS: about what one line of a
# "large" column holds once the table stretches across a 1280-1600px screen; a column with
# no longer text keeps one-line rows (a "medium" column holds about 28).
WRAP_ROW_HEIGHT = 3 * 20 + 16
WRAP_CHARS = 80


MEDIUM_CHARS = 28  # about what one line of a "medium" column holds


def clip_words(text, chars: int):
    """``text`` cut to at most ``chars`` characters at a word boundary, with "…" (the table
    draws what fits its rows and would stop mid-word: "Red; decision request"). Not text:
    unchanged."""
    if not isinstance(text, str) or len(text) <= chars:
        return text
    cut = text[: chars - 1]
    space = cut.rfind(" ")
    if space >= chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—·") + "…"


def _fit_columns(frame, config, wrap, details, wrap_chars):
    """The column config of a table whose rows wrap (three lines): a long text column with no
    width of its own gets "medium" and wraps too, instead of stretching to its longest name and
    pushing the columns after it out of sight (the "Why" and "Flags" columns at 1280 and
    1600 px). Returns the config and the frame as shown: a wrapped column with its full text
    in the details panel is cut at a word boundary to what its three lines hold."""
    out = dict(config or {})
    for c in frame.columns:
        kind = frame[c].dtype
        text = pd.api.types.is_object_dtype(kind) or pd.api.types.is_string_dtype(kind)
        text = text or isinstance(kind, pd.CategoricalDtype)
        if c in wrap or not text or not len(frame):
            continue
        longest = frame[c].astype(object).map(lambda v: len(v) if isinstance(v, str) else 0).max()
        cfg = out.get(c)
        if longest > MEDIUM_CHARS and (cfg is None or isinstance(cfg, str)):
            out[c] = st.column_config.TextColumn(cfg or c, width="medium")
    shown = frame
    for c in wrap:
        if c in frame and c in (details or {}):
            shown = shown.assign(**{c: frame[c].map(lambda v: clip_words(v, 2 * wrap_chars))})
    return out, shown


def table_height(rows: int, row_height: int = ROW_HEIGHT, max_rows: int = MAX_ROWS) -> int:
    """Pixels that show ``rows`` rows and the header, no empty band and no hidden row; at most
    ``max_rows`` rows (the table scrolls past them). An empty table keeps one row's height."""
    shown = max(1, min(int(rows), max_rows))
    return shown * row_height + HEADER_HEIGHT + 2 * BORDER


def wrap_row_height(frame, columns, chars: int = WRAP_CHARS) -> int | None:
    """WRAP_ROW_HEIGHT when some cell of ``columns`` is longer than ``chars``, else None."""
    lengths = [
        frame[c].astype(object).map(lambda v: 0 if pd.isna(v) else len(str(v))).max()
        for c in columns
        if c in frame and len(frame)
    ]
    return WRAP_ROW_HEIGHT if max(lengths, default=0) > chars else None


def rag_word(value) -> str | None:
    """``Red`` from ``■ Red``, ``Red`` or ``■ Red (reported Amber)``: the RAG a cell shows."""
    if not isinstance(value, str):
        return None
    words = value.replace("(", " ").split()
    return next((w for w in words if w in RAG_COLOURS), None)


@cache
def _rag_fill(word: str) -> str:
    return cell_style(RAG_COLOURS[word])  # four words: their contrast is worked out once


def rag_cell_style(value) -> str:
    """CSS for a RAG cell: its RAG fill and a text colour that meets WCAG AA on it."""
    word = rag_word(value)
    return _rag_fill(word) if word else ""


def _plain_cell(value) -> str:
    if isinstance(value, pd.Timestamp):
        return fmt.day(value) if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"
    return str(value)


def _money_formatter(currency: str | None):
    return lambda v: fmt.money(v, currency, missing="")


def styled(frame, rag=(), money=(), currency=None):
    """``frame`` as a pandas Styler for st.dataframe: ``rag`` columns filled with their RAG
    colour (text colour from charts.contrast), ``money`` columns shown as ``£1.57m`` /
    ``−£1.57m`` in each row's currency (``currency``: one code, a column name or a Series
    aligned with ``frame``). The values stay numbers, so the columns sort numerically; only
    the display text changes. The frame itself when there is nothing to style."""
    rag = [c for c in rag if c in frame]
    money = [c for c in money if c in frame]
    if not rag and not money:
        return frame
    if not frame.index.is_unique:  # a Styler needs unique labels to address cells
        frame = frame.reset_index(drop=True)
    # With a Styler, st.dataframe shows the Styler's text for every cell unless a column_config
    # format is set, so the other columns get the text Streamlit would show: ISO dates, whole
    # numbers without decimals, empty for a gap (never "2026-11-20 00:00:00", "12.000000", "nan").
    styler = frame.style.format(_plain_cell, na_rep="")
    if rag:
        styler = styler.map(rag_cell_style, subset=rag)
    if money:
        if isinstance(currency, str) and currency in frame:
            currency = frame[currency]
        elif not isinstance(currency, str) and pd.api.types.is_scalar(currency):
            currency = None  # a missing currency (None, NaN): the figures without a symbol
        if currency is None or isinstance(currency, str):
            styler = styler.format(_money_formatter(currency), subset=money)
        else:
            ccy = pd.Series(list(currency), index=frame.index).astype(object)
            for code in ccy.dropna().unique():
                rows = ccy.index[ccy == code]
                styler = styler.format(_money_formatter(code), subset=(rows, money))
            rows = ccy.index[ccy.isna()]
            if len(rows):
                styler = styler.format(_money_formatter(None), subset=(rows, money))
    return styler


def _without_format(config, columns):
    """Column config with no number format on ``columns``: a column_config format wins over the
    Styler's display text (Streamlit's rule), and printf cannot write ``−£1.57m``."""
    out = dict(config or {})
    for c in columns:
        cfg = out.get(c)
        if isinstance(cfg, dict) and cfg.get("type_config", {}).get("format"):
            out[c] = {**cfg, "type_config": {**cfg["type_config"], "format": None}}
    return out


def _visible(frame, kwargs) -> list:
    """The columns the table draws: its column order (all columns without one), less those
    whose column config is None (hidden). The others are not sent: a styled frame costs per
    cell, hidden or not."""
    config = kwargs.get("column_config") or {}
    order = kwargs.get("column_order") or frame.columns
    return [c for c in dict.fromkeys(order) if c in frame.columns and config.get(c, c) is not None]


def _row_currencies(currency, rows):
    """``currency`` for the shown ``rows``: a column of theirs as its values (it may be a
    column that is not drawn), one code as it is, one per row of the frame cut to them."""
    if isinstance(currency, str):
        return rows[currency].tolist() if currency in rows.columns else currency
    if pd.api.types.is_scalar(currency):
        return currency
    n = len(rows)
    return currency.iloc[:n].tolist() if isinstance(currency, pd.Series) else list(currency)[:n]


def _rows_note(shown: int, total: int, max_rows: int) -> str:
    """What the caption under a table says of its rows ("" when all fit without scrolling)."""
    if shown < total:
        return (
            f"the first {shown:,} of {total:,} rows show here, in the page's order (sorting a "
            f"column sorts these {shown:,}); the CSV holds all {total:,}"
        )
    if shown > max_rows:
        return f"{shown} rows: {max_rows} show at a time, scroll the table for the rest"
    return ""


def data_table(
    frame,
    name: str,
    *,
    rag=(),
    money=(),
    currency=None,
    wrap=(),
    wrap_chars: int = WRAP_CHARS,
    details: dict[str, str] | None = None,
    max_rows: int | None = None,
    prepare=None,
    show_rows: int = SHOW_ROWS,
    **kwargs,
):
    """A table of data with our CSV download under it, sized to its rows.

    - Rows: the first ``show_rows`` (SHOW_ROWS) of ``frame`` in its order are sent to the
      browser, and a caption says so; the CSV download holds every row. ``prepare``: a function
      that turns rows of ``frame`` into the rows to show, same rows in the same order (links,
      RAG labels: per-row work), run on the shown rows each rerun and on the whole frame only
      when the CSV is downloaded.
    - Height: every row shows, up to ``max_rows`` (MAX_ROWS); past that the table scrolls and
      a caption says how many rows it holds.
    - ``rag``: columns of RAG labels (rag_column), filled with the RAG colour, word and icon kept.
    - ``money``: columns of amounts shown as ``£1.57m`` / ``−£1.57m`` (analytics.money.money) in
      ``currency``; still numbers, so sorting is numeric. The CSV keeps the full figures.
    - ``wrap``: long-text columns; when one holds more than ``wrap_chars`` characters (a line),
      rows are three lines high and the text wraps.
    - ``details``: {column: label}; selecting a row opens those columns' full text in a panel
      under the table (what a cut cell hides).

    The table's own toolbar download and clipboard copy are off (``client.disableDataExport``
    in .streamlit/config.toml): they export cells such as ``=HYPERLINK(…)`` as they are, and a
    spreadsheet would run them. Our CSV neutralises them (exports.neutralise). ``name`` names
    the file and keys the button."""
    total = len(frame)
    rows = frame.iloc[:show_rows]
    if prepare is not None:
        rows = prepare(rows)
    shown = rows[_visible(rows, kwargs)]
    wrapped = wrap_row_height(shown, wrap, wrap_chars)
    if wrapped:
        kwargs.setdefault("row_height", wrapped)
    row_height = kwargs.get("row_height") or ROW_HEIGHT
    max_rows = max_rows or MAX_ROWS
    scrolls = "height" not in kwargs and len(shown) > max_rows
    kwargs.setdefault("height", table_height(len(shown), row_height, max_rows))
    if money:
        kwargs["column_config"] = _without_format(kwargs.get("column_config"), money)
    if details:
        kwargs.setdefault("key", f"table_{name}")
        kwargs.setdefault("on_select", "rerun")
        kwargs.setdefault("selection_mode", "single-row")
    if wrapped:
        kwargs["column_config"], shown = _fit_columns(
            shown, kwargs.get("column_config"), wrap, details, wrap_chars
        )
    event = st.dataframe(styled(shown, rag, money, _row_currencies(currency, rows)), **kwargs)
    pos = selected_row(event) if details else None
    if pos is not None and pos >= len(rows):
        pos = None  # a selection from a longer table, before a filter narrowed it
    notes = [_rows_note(len(shown), total, max_rows)] if scrolls or len(shown) < total else []
    if details and pos is None:
        notes.append("select a row (the box at its left) to read its full text below")
    if notes:
        text = " · ".join(notes)
        st.caption(text[0].upper() + text[1:] + ".")
    if pos is not None:
        _details_panel(rows.iloc[pos], details, name)

    def csv() -> bytes:  # built only on click: every row, full figures, not the display text
        return to_csv_bytes(prepare(frame) if prepare is not None else frame)

    st.download_button(
        "CSV",
        csv,
        file_name=f"{name}.csv",
        mime="text/csv",
        key=f"csv_{name}",
        on_click="ignore",
        type="tertiary",
        icon=":material/download:",
        help=f"This table as CSV, all {total:,} rows; text a spreadsheet would run as a formula "
        "gets a leading '",
    )
    return event


def selected_row(event) -> int | None:
    """The position (in the frame passed to the table) of the selected row, or None."""
    try:
        rows = event.selection.rows
    except AttributeError:  # no selection on this table, or an older event shape
        return None
    return rows[0] if rows else None


def _details_panel(row, details: dict[str, str], name: str) -> None:
    """The selected row's long text in full, as plain text (it comes from uploads)."""
    with st.container(border=True, key=f"details_{name}"):
        for column, label in details.items():
            if column in row.index:
                value = row[column]
                st.markdown(f"**{plain(label)}**")
                st.text("—" if pd.isna(value) else str(value))


def rag_column(values):
    """RAG values as text with an icon, for tables (never colour alone; data_table's ``rag``
    fills the cell with the RAG colour too)."""
    return values.map(rag_label)


def empty_state(message: str) -> None:
    st.info(message, icon=":material/info:")


def view_link(page: str, ctx: ReviewContext, **params: str) -> str:
    """THE link to a page of the app: relative (works under any base path), carrying the whole
    view (ReviewContext.view_params: date, compare date, filters) and ``params`` first
    (``project=PRJ-0001``), so a link never drops what the person was looking at."""
    query = urlencode({**params, **ctx.view_params()}, doseq=True, quote_via=quote)
    return f"{page}?{query}" if query else page


def project_links(ids, ctx: ReviewContext) -> list[str]:
    """Links to the project detail page of each id: ``view_link("project", ctx, project=id)``,
    the view's part of the query encoded once, not once per row."""
    ids = ids.tolist() if hasattr(ids, "tolist") else ids  # a pyarrow column iterates slowly
    view = urlencode(ctx.view_params(), doseq=True, quote_via=quote)
    rest = f"&{view}" if view else ""
    return [f"project?project={quote(str(pid), safe='')}{rest}" for pid in ids]


def red_gap_note(ctx: ReviewContext, snap, to: str, label: str, icon: str) -> None:
    """The two Red counts explained (analytics.portfolio.red_gap) and a link to the page that
    shows the other one, keeping the view: This week counts Red (reported), Governance vs
    execution Red (computed), and the watermelons are the gap between them."""
    st.caption(red_gap(snap))  # our words and counts only: no data text to escape
    st.page_link(to, label=label, icon=icon, query_params=ctx.view_params())


def project_link_column(label: str = "Project"):
    """A table column of project_links() that shows the project id."""
    return st.column_config.LinkColumn(
        label, display_text=r"project=([^&]+)", help="Open the project detail page"
    )


DECISION_COLUMNS = {
    "decision_date": st.column_config.DateColumn("Date"),
    "link": project_link_column("ID"),
    "project": "Project",
    "forum": "Forum",
    "decision": "Decision",
    "decided_by": "Decided by",
    "rationale": st.column_config.TextColumn("Rationale", width="large"),
    "snapshot_date": st.column_config.DateColumn("Status snapshot (report date)"),
    "snapshot_rag": "RAG then",
    "snapshot_label": "Label then",
    "snapshot_spi": st.column_config.NumberColumn("SPI then", format="%.2f"),
    "snapshot_cpi": st.column_config.NumberColumn("CPI then", format="%.2f"),
}


def decision_table(decisions, ctx: ReviewContext, with_project: bool = True) -> None:
    """Gate and board decisions beside the status snapshot each was taken on."""

    def prepare(rows):
        rows = rows.assign(
            snapshot_rag=rows["snapshot_rag"].map(
                lambda r: rag_label(r) if isinstance(r, str) else "no report before"
            )
        )
        if with_project:
            rows = rows.assign(link=project_links(rows["project_id"], ctx))
        cols = [c for c in DECISION_COLUMNS if c in rows.columns]
        if not with_project:
            cols = [c for c in cols if c not in ("link", "project")]
        return rows[cols]

    data_table(
        decisions,
        "decisions",
        prepare=prepare,
        rag=["snapshot_rag"],
        wrap=["rationale"],
        details={"decision": "Decision", "rationale": "Rationale"},
        hide_index=True,
        column_config=DECISION_COLUMNS,
    )
