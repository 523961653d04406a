"""Make text from uploads safe to export.

- Excel / CSV: a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  (or their full-width forms) is read as a formula by spreadsheet programs, so it gets a leading
  apostrophe (OWASP "CSV injection"). Numbers are left alone.
- Slides: python-pptx writes plain text and never interprets markup, but control characters
  would end up in the XML as ``_x001B_``-style escapes, so they are removed.
"""

from __future__ import annotations

import io
import math
import re

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
# C0 and C1 control characters except tab and newline, plus DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def cell(value: object) -> object:
    """One spreadsheet cell: text that a spreadsheet would run as a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def restore(value: str) -> str:
    """The text a neutralised cell stood for (``'=x`` -> ``=x``): our CSVs load back unchanged."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell (and text header) neutralised for Excel/CSV."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(cell, na_action="ignore")
    out.columns = [cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM so Excel detects the encoding) of a neutralised frame."""
    buf = io.StringIO()
    frame(df).to_csv(buf, index=False)
    return buf.getvalue().encode("utf-8-sig")


def slide_text(value: object, max_chars: int | None = None) -> str:
    """Plain text for a slide: no control characters, ``\\r\\n`` as newline, optional cut."""
    if _is_missing(value):
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text).strip()
    if max_chars is not None and len(text) > max_chars:
        text = text[: max_chars - 1].rstrip() + "…"
    return text
