"""Money across currencies: totals never add pounds to dollars, and figures show their symbol.
Also the one place figures, dates and filters become text for pages, slides and sentences.

A project's money is in its ``currency`` (the portfolio currency, ``[money] currency``, when it
has none). Totals convert a currency into the portfolio currency only with a rate from
``[money.rates]``; a currency without a rate is totalled on its own.
"""

from __future__ import annotations

import math

import pandas as pd

from config import Config
from vocabulary.currencies import symbol


def currencies(frame: pd.DataFrame, config: Config) -> pd.Series:
    """Each row's currency, the portfolio currency where none is recorded."""
    default = config.money.currency
    if "currency" not in frame:
        return pd.Series(default, index=frame.index, dtype=object)
    return frame["currency"].astype(object).where(frame["currency"].notna(), default)


def _rates(ccy: pd.Series, config: Config) -> pd.Series:
    """Each currency's rate into the portfolio currency: 1 for itself, ``[money.rates]`` for
    the others, NaN where no rate is configured."""
    base = config.money.currency
    return ccy.map(lambda c: 1.0 if c == base else config.money.rates.get(c))


def totals(frame: pd.DataFrame, columns: list[str], config: Config) -> dict[str, dict[str, float]]:
    """Sums of ``columns`` per currency, portfolio currency first; converted where a rate exists."""
    base = config.money.currency
    ccy = currencies(frame, config)
    rate = _rates(ccy, config)
    convert = rate.notna()
    out: dict[str, dict[str, float]] = {}
    if convert.any() or frame.empty:
        factor = rate[convert].astype(float)
        out[base] = {c: float((frame.loc[convert, c] * factor).sum()) for c in columns}
    for c in sorted(set(ccy[~convert])):
        mine = ccy == c
        out[c] = {col: float(frame.loc[mine, col].sum()) for col in columns}
    return out


def converted(frame: pd.DataFrame, config: Config) -> list[str]:
    """Currencies in ``frame`` that totals convert into the portfolio currency with a rate."""
    base = config.money.currency
    return sorted(
        c for c in set(currencies(frame, config)) if c != base and c in config.money.rates
    )


# A true minus sign (U+2212), never a hyphen: "−£1.57m" reads as negative at a glance and is
# not mistaken for a dash. Every money text (tiles, tables, captions, slides) puts it before
# the currency symbol, never after it ("£-1,574,000").
MINUS = "\u2212"


def _sign(value: float, signed: bool) -> str:
    if value < 0:
        return MINUS
    return "+" if signed and value > 0 else ""


def money(value, currency: str | None, signed: bool = False, missing: str = "n/a") -> str:
    """THE money format on screen and on slides: ``£1.57m``, ``−£1.57m``, ``£211.9m``,
    ``£350k``, ``£900``, ``$1.20bn``; ``signed`` adds ``+`` to a rise.

    Millions carry two decimals (``£19.37m − £8.16m = £11.21m`` reads to the same precision),
    one from £100m (``£211.9m``: a fourth figure says nothing in a meeting); under £1m,
    thousands without decimals; under £1k, pounds. A figure that rounds up to the next unit is
    written in it (``£999,600`` is ``£1.00m``, never ``£1,000k``)."""
    if value is None or pd.isna(value):
        return missing
    value = float(value)
    s, v, sym = _sign(value, signed), abs(value), symbol(currency)
    if round(v / 1e9, 2) >= 1:
        return f"{s}{sym}{v / 1e9:,.2f}bn"
    if round(v / 1e6, 1) >= 100:
        return f"{s}{sym}{v / 1e6:,.1f}m"
    if round(v / 1e6, 2) >= 1 or round(v / 1e3) >= 1000:
        return f"{s}{sym}{v / 1e6:,.2f}m"
    if round(v) >= 1000:
        return f"{s}{sym}{v / 1e3:,.0f}k"
    return f"{s}{sym}{v:,.0f}"


def millions(value: float, currency: str | None, signed: bool = False, digits: int = 1) -> str:
    """£7.9m, $19.7bn; signed: +£0.25m / −£0.25m (a true minus sign). Kept for texts that
    analytics store (headline, governance totals); tiles and tables use ``money``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    sign = ("+" if value >= 0 else MINUS) if signed else (MINUS if value < 0 else "")
    if abs(value) >= 1e9:  # a tile holds "£211.9m · $19.7bn", not "$19,650.7m"
        return f"{sign}{symbol(currency)}{abs(value) / 1e9:,.{digits}f}bn"
    return f"{sign}{symbol(currency)}{abs(value) / 1e6:,.{digits}f}m"


def pair(a: float, b: float, currency: str | None) -> tuple[str, str]:
    """Two amounts compared in one sentence (a rule, a move), in the money format (``£1.75m``,
    ``£1.57m``); in full when the short forms would read the same (``£1,571,200 > £1,570,000``,
    never ``£1.57m > £1.57m``)."""
    short = money(a, currency), money(b, currency)
    return short if short[0] != short[1] else (plain(a, currency), plain(b, currency))


def compact(value, currency: str | None, signed: bool = False) -> str:
    """The slide's and a sentence's money: ``money`` ("n/c", not computable, for a gap)."""
    return money(value, currency, signed, missing="n/c")


def plain(value, currency: str | None) -> str:
    """£1,250: full figure with the symbol (details, findings)."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{MINUS if value < 0 else ''}{symbol(currency)}{abs(value):,.0f}"


def per_currency(by_currency: dict[str, dict[str, float]], key: str, fmt=None) -> str:
    """``£211.9m · $19.65bn``: one figure per currency, never one sum (``money`` format).

    A currency whose figure is 0 beside another's is left out: "£211.9m · $0" reads as if
    something in dollars were missing (a project in dollars with no budget recorded)."""
    fmt = fmt or money
    shown = {c: v for c, v in by_currency.items() if v[key]} or dict(list(by_currency.items())[:1])
    return " · ".join(fmt(v[key], c) for c, v in shown.items()) or fmt(0.0, None)


def conversion_note(totals: dict, base: str) -> str:
    """What a money total on a tile means when currencies mix, for its help text: ``Totals per
    currency: no rate in [money.rates] for USD`` (no single figure), ``Converted into GBP at
    the [money.rates] rates: USD 1.25`` (one figure after conversion), "" when there is one
    currency. ``totals`` holds ``money`` (currency -> figures), ``currency`` (None without a
    single one) and ``converted`` (as ``analytics.portfolio.kpis`` and
    ``analytics.risk.portfolio_exposure`` return them); ``base`` is ``[money] currency``.
    Portfolio health and Risks show the same sentence."""
    if totals["currency"] is None:
        others = ", ".join(c for c in totals["money"] if c != base)
        return f"Totals per currency: no rate in [money.rates] for {others}"
    if totals["converted"]:
        rates = ", ".join(totals["converted"])
        return f"Converted into {totals['currency']} at the [money.rates] rates: {rates}"
    return ""


def number_format(currency: str | None) -> str:
    """A st.column_config format string for a column of one currency ("£%,.0f")."""
    return f"{symbol(currency).replace('%', '%%')}%,.0f"


def column_format(currencies) -> str:
    """A column's format: its symbol when every row is in one currency, else plain figures
    (shown beside a currency column)."""
    found = set(currencies)
    return number_format(next(iter(found))) if len(found) == 1 else "%,.0f"


def in_base(frame: pd.DataFrame, column: str, config: Config) -> pd.Series:
    """``column`` in the portfolio currency (rates from ``[money.rates]``); NaN where a row's
    currency has no rate, so a share of a total is only taken when every row converts."""
    return frame[column] * _rates(currencies(frame, config), config).astype(float)


def group_totals(frame: pd.DataFrame, by: str, column: str, config: Config) -> pd.DataFrame:
    """Per value of ``by``: ``column`` totalled as one figure where one currency is left after the
    rates (NaN otherwise) and as text, one figure per currency (``{column}_text``)."""
    rows = {}
    for key, part in frame.groupby(by, sort=False):
        by_ccy = totals(part, [column], config)
        one = next(iter(by_ccy.values()))[column] if len(by_ccy) == 1 else math.nan
        rows[key] = (one, per_currency(by_ccy, column))
    return pd.DataFrame.from_dict(rows, orient="index", columns=[column, f"{column}_text"])


def total_text(frame: pd.DataFrame, column: str, config: Config, fmt=None) -> str:
    """One column's total as text: one figure, or one per currency (``£9.1m · $2.0m``)."""
    return per_currency(totals(frame, [column], config), column, fmt)


def day(value, missing: str = "n/a") -> str:
    """``2026-11-20``: a date as every page, slide and caption writes it; ``missing`` for none."""
    return missing if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


def filters_text(filters: dict[str, list[str]] | None) -> str:
    """``Portfolio: Digital & Technology · Stage: Execute``; empty without filters."""
    return " · ".join(f"{k.title()}: {', '.join(v)}" for k, v in (filters or {}).items() if v)
