"""Tables that show their text: heights that fit the rows, wrapped long text and a details
panel for the selected row, RAG cells filled, money as £1.57m / −£1.57m that still sorts as
numbers; and the pages that use them (This week, Portfolio health, Risks)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from streamlit import dataframe_util

from analytics.money import MINUS
from charts.contrast import AA_NORMAL, contrast_ratio
from charts.template import RAG_COLOURS
from tests.conftest import open_page, table_with
from ui.components import (
    HEADER_HEIGHT,
    MAX_ROWS,
    ROW_HEIGHT,
    WRAP_ROW_HEIGHT,
    rag_column,
    styled,
    table_height,
    wrap_row_height,
)

# £1.57m, −£1.57m, £350k, £900, $1.20bn: the one money format
MONEY = re.compile(rf"^{MINUS}?[£$€]\d[\d,]*(\.\d\d?)?(m|k|bn)?$")


def test_height_fits_every_row_up_to_the_cap():
    # 13 rows at 35px: all 13 show (Streamlit's default window of 400px holds about 10)
    assert table_height(13) == 13 * ROW_HEIGHT + HEADER_HEIGHT + 2
    assert (table_height(13) - HEADER_HEIGHT - 2) // ROW_HEIGHT == 13
    assert table_height(13) > 400
    assert table_height(40) == table_height(MAX_ROWS)  # past the cap the table scrolls
    assert table_height(0) == table_height(1)  # an empty table keeps one row
    assert table_height(13, WRAP_ROW_HEIGHT) == 13 * WRAP_ROW_HEIGHT + HEADER_HEIGHT + 2


def test_long_text_gets_wrapping_rows():
    short = pd.DataFrame({"why": ["Red", None, "not reported"]})
    long = pd.DataFrame({"why": ["Red", "watermelon: reported Green, computed Red " * 3, None]})
    assert wrap_row_height(short, ["why"]) is None
    assert wrap_row_height(long, ["why"]) == WRAP_ROW_HEIGHT
    assert WRAP_ROW_HEIGHT > 64  # st.dataframe wraps text only in rows taller than 4rem
    assert wrap_row_height(long, ["missing column"]) is None
    assert wrap_row_height(pd.DataFrame({"t": ["Late sign-off of requirements"]}), ["t"], 28)


def test_money_cells_show_the_format_and_stay_numbers():
    frame = pd.DataFrame(
        {
            "project_id": ["P1", "P2", "P3"],
            "headroom": [-1_574_000.0, 350_000.0, float("nan")],
            "currency": ["GBP", "USD", "GBP"],
            "rag": rag_column(pd.Series(["Red", "Amber", "Green"])),
            "last_report_date": pd.to_datetime(["2026-11-20", "2026-11-13", None]),
            "score": [12.0, 4.0, 6.0],
        }
    )
    s = styled(frame, rag=["rag"], money=["headroom"], currency="currency")
    shown = s._compute()._translate(False, False)  # what st.dataframe sends, as Streamlit does
    cells = {c["id"]: c["display_value"] for row in shown["body"] for c in row if c.get("id")}
    col = list(frame.columns).index("headroom")
    assert [cells[f"row{i}_col{col}"] for i in range(3)] == ["−£1.57m", "$350k", ""]
    assert "£-" not in str(cells)
    date = list(frame.columns).index("last_report_date")
    assert cells[f"row0_col{date}"] == "2026-11-20"  # never "2026-11-20 00:00:00"
    score = list(frame.columns).index("score")
    assert cells[f"row0_col{score}"] == "12"  # never "12.000000"
    # the values themselves are untouched: the column sorts as numbers, the CSV has full figures
    assert s.data["headroom"].dtype.kind == "f"
    assert s.data["headroom"].iloc[0] == -1_574_000.0
    styles = {sel: x["props"] for x in shown["cellstyle"] for sel in x["selectors"]}
    rag = list(frame.columns).index("rag")
    red = styles[f"row0_col{rag}"]
    assert ("background-color", RAG_COLOURS["Red"]) in red
    text = dict(red)["color"]
    assert contrast_ratio(text, RAG_COLOURS["Red"]) >= AA_NORMAL


def test_nothing_to_style_leaves_the_frame():
    frame = pd.DataFrame({"a": [1, 2]})
    assert styled(frame) is frame


# --- pages ------------------------------------------------------------------------------------


def _display(table) -> pd.DataFrame:
    """The text the browser shows in each cell (the Styler's display values)."""
    raw = table.proto.arrow_data.styler.display_values
    return dataframe_util.convert_arrow_bytes_to_pandas_df(raw)


def test_this_week_attention_wraps_colours_and_opens_the_full_text(seeded_url):
    at = open_page("pages/review/this_week.py")
    attention = table_with(at, "reasons")
    rows = attention.value
    assert rows["reasons"].str.len().max() > 80  # the sample has reasons longer than a line
    assert attention.proto.row_height == WRAP_ROW_HEIGHT  # so they wrap, not cut
    assert set(_display(attention)["rag"]) <= {"■ Red", "▲ Amber", "● Green", "○ Grey"}
    assert "background-color: #c62828" in attention.proto.arrow_data.styler.styles
    # the money deltas carry a true minus, never a hyphen
    deltas = [str(m.delta) for m in at.metric if m.delta and "£" in str(m.delta)]
    assert deltas and all(MONEY.match(d) or d == "no change" for d in deltas), deltas
    assert not any("-£" in d or "£-" in d for d in deltas)
    longest = int(rows["reasons"].str.len().idxmax())
    at.session_state["attention_table"] = {"selection": {"rows": [longest], "columns": []}}
    at.run()
    assert not at.exception
    assert "**Why it needs attention**" in [m.value for m in at.markdown]
    # The cell is cut at a word boundary ("… > budget…", never "budget + conti"); the
    # details panel holds the full text.
    cell = rows["reasons"].iloc[longest]
    assert cell.endswith("…") and len(cell) <= 160
    full = next(t.value for t in at.text if t.value.startswith(cell[:-1]))
    assert len(full) > len(cell) and full[len(cell) - 1] == " "


def test_health_exceptions_money_rag_and_rule(seeded_url):
    at = open_page("pages/review/health.py")
    exc = table_with(at, "computed_rule")
    shown = _display(exc)
    for col in ("eac_typical", "budget", "eac_vs_budget"):
        texts = [t for t in shown[col] if t]
        assert texts and all(MONEY.match(t) for t in texts), texts
        assert exc.value[col].dtype.kind == "f"  # numbers underneath: sorting is numeric
    assert not shown.apply(lambda c: c.astype(str).str.contains("£-")).any().any()
    assert exc.proto.row_height == WRAP_ROW_HEIGHT  # "Rule that fired" wraps
    tiles = {m.label: m.value for m in at.metric}
    assert MONEY.match(tiles["Total budget (BAC)"])
    assert re.match(rf"^[+{MINUS}]£\d+\.\d\dm$", tiles["EAC variance"])
    at.session_state["table_exceptions"] = {"selection": {"rows": [0], "columns": []}}
    at.run()
    assert exc.value["computed_rule"].iloc[0] in [t.value for t in at.text]


def _pounds(text: str) -> float:
    m = re.fullmatch(rf"({MINUS}?)£([\d,.]+)(m|k|bn)?", text)
    assert m, text
    unit = {"m": 1e6, "k": 1e3, "bn": 1e9, None: 1}[m.group(3)]
    return (-1 if m.group(1) else 1) * float(m.group(2).replace(",", "")) * unit


def test_risks_contingency_tiles_add_up(seeded_url):
    at = open_page("pages/portfolio/risks.py")
    tiles = {m.label: m.value for m in at.metric}
    contingency, consumed, remaining = (
        _pounds(tiles[k]) for k in ("Contingency", "Consumed (EAC over budget)", "Remaining")
    )
    assert remaining > contingency - consumed + 1e5  # the floor at 0 per project shows
    caption = next(c.value for c in at.caption if "floored at 0" in c.value)
    m = re.search(r"consumed (\S+) more than their contingency", caption)
    overspent = _pounds(m.group(1))
    # the caption's sum, with the figures the tiles show, adds up (to rounding)
    assert contingency - consumed + overspent == pytest.approx(remaining, abs=0.02e6)
    assert f"{tiles['Contingency']} − {tiles['Consumed (EAC over budget)']} + " in caption
    assert caption.rstrip(".").endswith(f"= {tiles['Remaining']}")
    exposure = table_with(at, "headroom")
    shown = _display(exposure)
    assert all(MONEY.match(t) for t in shown["headroom"] if t)
    assert any(t.startswith(MINUS) for t in shown["headroom"])  # −£1.57m, never £-1,574,000
    assert exposure.value["headroom"].dtype.kind == "f"
