"""Earned value, exactly as in ../shared/DESIGN.md.

Works on scalars or aligned pandas Series. A zero or missing denominator gives NaN, which the
rest of the app shows as "not computable" (Grey), never infinity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def safe_div(num, den):
    """num / den, NaN where den is zero or missing (works for scalars and Series)."""
    num = pd.to_numeric(num, errors="coerce")
    den = pd.to_numeric(den, errors="coerce")
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.divide(num, den)
    bad = (den == 0) | pd.isna(den) | pd.isna(num)
    if np.ndim(out) == 0:
        return float("nan") if bool(bad) else float(out)
    return pd.Series(np.where(bad, np.nan, out), index=getattr(num, "index", None), dtype=float)


def as_float(values):
    """Numbers as float, missing as NaN: a column read all-empty from the database holds None
    (object dtype), and ``float(None)`` or ``astype(float)`` on ``pd.NA`` would raise."""
    out = pd.to_numeric(values, errors="coerce")
    if np.ndim(out) == 0:
        return float("nan") if pd.isna(out) else float(out)
    return pd.Series(out, index=getattr(values, "index", None)).astype(float)


def earned_value(bac, pv, ev, ac) -> dict:
    """SV, CV, SPI, CPI, the three EAC variants, ETC, VAC and TCPI.

    ETC and VAC use the typical EAC (BAC / CPI), the PMI default.
    """
    spi = safe_div(ev, pv)
    cpi = safe_div(ev, ac)
    eac_typical = safe_div(bac, cpi)
    eac_atypical = ac + (bac - ev)
    eac_pressure = ac + safe_div(bac - ev, cpi * spi)
    return {
        "sv": ev - pv,
        "cv": ev - ac,
        "spi": spi,
        "cpi": cpi,
        "eac_typical": eac_typical,
        "eac_atypical": eac_atypical,
        "eac_pressure": eac_pressure,
        "etc": eac_typical - ac,
        "vac": bac - eac_typical,
        "tcpi": safe_div(bac - ev, bac - ac),
    }


def add_evm(frame: pd.DataFrame) -> pd.DataFrame:
    """Add EVM columns to a frame with budget, planned_value, earned_value and actual_cost."""
    cols = earned_value(
        *(as_float(frame[c]) for c in ("budget", "planned_value", "earned_value", "actual_cost"))
    )
    return frame.assign(
        **{k: pd.Series(v, index=frame.index, dtype=float) for k, v in cols.items()}
    )
