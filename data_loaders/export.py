"""Formula-injection guard for every export: text starting with = + - @ is prefixed with '.

The value is stored as written (it is data); only files that a spreadsheet may open are
neutralised, so a cell like ``=HYPERLINK(...)`` is shown as text, never evaluated.
"""

from __future__ import annotations

import pandas as pd

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out
