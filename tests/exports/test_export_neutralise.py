"""Text from uploads is neutralised: no formulas in Excel/CSV, no control characters in slides."""

import csv
import io

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from vocabulary.neutralise import cell, frame, slide_text, to_csv_bytes


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")', "＝1"],
)
def test_formula_like_text_gets_an_apostrophe(text):
    assert cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Plain text", "", "a=b", 42, -3.5, None])
def test_other_values_are_left_alone(value):
    assert cell(value) == value


def test_frame_neutralises_text_columns_and_headers_but_not_numbers():
    df = pd.DataFrame(
        {"summary": ["=cmd|'/c calc'!A1", "fine", None], "cost": [-5.0, 1.0, 2.0], "=h": [1, 2, 3]}
    )
    out = frame(df)
    assert out["summary"].tolist()[:2] == ["'=cmd|'/c calc'!A1", "fine"]
    assert pd.isna(out["summary"].iloc[2])
    assert out["cost"].tolist() == [-5.0, 1.0, 2.0]
    assert list(out.columns) == ["summary", "cost", "'=h"]
    assert df["summary"].iloc[0].startswith("=")  # the input is not modified


def test_csv_read_back_has_no_cell_starting_with_a_formula_character():
    df = pd.DataFrame({"decisions_needed": ["@SUM(1+1)*cmd", "-1+1", "ok"], "n": [-1, 0, 1]})
    rows = list(csv.reader(io.StringIO(to_csv_bytes(df).decode("utf-8-sig"))))
    texts = [r[0] for r in rows[1:]]
    assert texts == ["'@SUM(1+1)*cmd", "'-1+1", "ok"]
    assert [r[1] for r in rows[1:]] == ["-1", "0", "1"]  # numbers stay numbers


def test_neutralised_text_is_stored_as_text_in_a_real_workbook(tmp_path):
    wb = Workbook()
    ws = wb.active
    for value in frame(pd.DataFrame({"t": ["=1+1", "+A1"]}))["t"]:
        ws.append([value])
    path = tmp_path / "out.xlsx"
    wb.save(path)
    back = load_workbook(path).active
    assert [c.value for c in back["A"]] == ["'=1+1", "'+A1"]
    assert all(c.data_type == "s" for c in back["A"])  # strings, not formulas


def test_slide_text_strips_control_characters_and_normalises_newlines():
    assert slide_text("a\x00b\x07c\x1b[31m\r\nd\re\tf") == "abc[31m\nd\ne\tf"
    assert slide_text(None) == "" and slide_text(float("nan")) == ""
    assert slide_text("x" * 50, max_chars=10) == "x" * 9 + "…"
    assert slide_text("<b>=cmd</b>") == "<b>=cmd</b>"  # kept as literal text, never markup
