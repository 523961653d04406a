"""Limits on the values of the canonical tables, the same on every database.

PostgreSQL refuses a NUL byte and a value longer than its column (``DataError``); SQLite takes
both. So every loader cleans and checks a table here before anything is written:

- control characters and NUL are removed from text, with a warning (tab and line breaks stay);
- an id is at most ``[ingest] max_id_chars`` (64) and one line; a name or other short text
  at most ``max_name_chars`` (300), and never more than its column holds; free text at most
  ``max_text_chars`` (10,000). A longer value, or a line break in an id, is an error on its row;
- a number must be finite (``1e309`` reads as infinity).

``check_frame`` is used by the Excel/CSV ingest (``sheet.py``) and fits the SQL sync as well.
"""

from __future__ import annotations

import re
from itertools import repeat

import numpy as np
import pandas as pd
from sqlalchemy import Float, String, Text

import models
from config import Config
from data_loaders.report import ERROR, WARNING, Problem

# C0 controls except tab, line feed and carriage return; DEL; C1 controls.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
SHOWN = 200  # characters of a value quoted in a problem


def clean_text(value: str) -> tuple[str, int]:
    """The text without control characters and NUL, and how many were removed."""
    return CONTROL.subn("", value)


def has_control(texts: list[str]) -> bool:
    """Whether any of ``texts`` holds a control character: one search over them all."""
    return CONTROL.search("".join(texts)) is not None


def shown(value: object) -> str:
    """A value as quoted in a problem: control characters made visible, long text cut."""
    text = CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}… ({len(text):,} characters)"


def text_columns(table: str, config: Config) -> dict[str, tuple[str, int, str]]:
    """Column -> (kind, most characters, what sets the limit) for the text columns of a table."""
    cfg = config.ingest
    out = {}
    for col in models.FACT_TABLES[table].columns:
        if isinstance(col.type, Text):
            out[col.name] = ("text", cfg.max_text_chars, "ingest.max_text_chars")
        elif isinstance(col.type, String) and col.name in models.KEYS[table]:
            limit = min(col.type.length, cfg.max_id_chars)
            out[col.name] = ("id", limit, "ingest.max_id_chars")
        elif isinstance(col.type, String):
            if col.type.length < cfg.max_name_chars:
                out[col.name] = ("name", col.type.length, "the column's size")
            else:
                out[col.name] = ("name", cfg.max_name_chars, "ingest.max_name_chars")
    return out


def check_frame(
    table: str,
    frame: pd.DataFrame,
    config: Config,
    sheet: str | None = None,
    rows: list[int | None] | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[pd.DataFrame, list[Problem]]:
    """``frame`` with control characters removed, and the problems of its values.

    ``rows`` gives the source row of each frame row (by position), ``headers`` the header the
    user wrote for each field, as in ``report.schema_problems``.
    """
    sheet = sheet or table
    headers = headers or {}
    problems: list[Problem] = []
    out = frame

    def problem(pos, col: str, value, message: str, severity: str) -> None:
        pos = int(pos)  # numpy positions would not serialise into the stored report
        row = rows[pos] if rows is not None else pos + 1
        column = headers.get(col, col)
        problems.append(Problem(sheet, row, column, shown(value), message, severity))

    for col, (kind, limit, key) in text_columns(table, config).items():
        if col not in frame.columns:
            continue
        values = frame[col].to_numpy(dtype=object)
        is_text = np.fromiter(map(isinstance, values, repeat(str)), bool, len(values))
        if not is_text.any():
            continue
        texts = values[is_text].tolist()
        joined = "".join(texts)  # one search over the column first: most columns pass it
        if (
            max(map(len, texts)) <= limit
            and not CONTROL.search(joined)
            and not (kind == "id" and LINE_BREAK.search(joined))
        ):
            continue
        text = pd.Series(texts, dtype=object)
        flagged = text.str.contains(CONTROL, regex=True) | (text.str.len() > limit)
        if kind == "id":
            flagged |= text.str.contains(LINE_BREAK, regex=True)
        positions = np.flatnonzero(is_text)[flagged.to_numpy(dtype=bool)]
        for pos in positions:
            value = values[pos]
            cleaned, removed = clean_text(value)
            if removed:
                problem(pos, col, value, f"{removed} control character(s) removed", WARNING)
                if out is frame:
                    out = frame.copy()
                out.iloc[pos, out.columns.get_loc(col)] = cleaned
            if len(cleaned) > limit:
                problem(
                    pos, col, cleaned,
                    f"{col}: {len(cleaned):,} characters; the limit is {limit:,} ({key})",
                    ERROR,
                )  # fmt: skip
            if kind == "id" and LINE_BREAK.search(cleaned):
                message = f"{col}: an id must be one line (no line breaks or tabs)"
                problem(pos, col, cleaned, message, ERROR)
    for col in models.FACT_TABLES[table].columns:
        if not isinstance(col.type, Float) or col.name not in frame.columns:
            continue
        numbers = pd.to_numeric(frame[col.name], errors="coerce").to_numpy(dtype=float)
        for pos in np.flatnonzero(np.isinf(numbers)):
            problem(pos, col.name, numbers[pos], f"{col.name}: not a finite number", ERROR)
    return out, problems
