"""The currencies the app knows: ISO codes and the symbols that stand for them.

One table for every rule that reads money: the number rule strips a code or symbol from a cell
(``values``), the unit rules find the currency a header, title line or cell states (``units``).
Which currency money without a code or symbol is in is not decided here: that is the
portfolio's currency, ``[money] currency`` in pmo_lens.toml.
"""

from __future__ import annotations

import re

SYMBOL_CODES = {"£": "GBP", "$": "USD", "€": "EUR", "¥": "JPY", "₹": "INR"}
SYMBOLS = {code: sym for sym, code in SYMBOL_CODES.items()}
CODES = frozenset({
    "GBP", "USD", "EUR", "JPY", "INR", "CAD", "AUD", "NZD", "CHF", "SEK", "NOK", "DKK", "ZAR",
    "SGD", "HKD", "CNY", "PLN", "CZK", "BRL", "MXN", "HRK", "HUF", "RON", "ISK", "NPR",
})  # fmt: skip
# Currency marks written beside a number that are neither one symbol nor an ISO code, and the
# currency each stands for (None: the mark does not say which, "kr" is DKK, NOK, SEK or ISK).
CELL_MARKS = {
    "kn": "HRK", "r$": "BRL", "zł": "PLN", "kč": "CZK", "us$": "USD", "c$": "CAD", "a$": "AUD",
    "nz$": "NZD", "hk$": "HKD", "s$": "SGD", "kr": None, "kr.": None, "fr.": "CHF",
}  # fmt: skip
# One of those marks in a cell, as a whole word: "5.172.338,50 kn", "R$ 1.200", "kr 450".
MARK_IN_CELL = re.compile(
    r"(?<![A-Za-z])(?:"
    + "|".join(re.escape(m) for m in sorted(CELL_MARKS, key=len, reverse=True))
    + r")(?![A-Za-z])",
    re.I,
)
# A code written in a money cell (``GBP 1,200``, ``1.2m EUR``): capitals, not inside a capital word.
CODE_IN_CELL = re.compile(r"(?<![A-Z])(?:" + "|".join(sorted(CODES)) + r")(?![A-Z])")
# A currency symbol or code inside a header or title line (``Budget £m``, ``Cost USD k``).
MARK = r"(?:[£$€¥₹]|\b(?:" + "|".join(CODES) + r")\b)"


def symbol(currency: str | None) -> str:
    """The currency's symbol (£ for GBP); a code with a space for currencies without a common
    symbol (``CHF 12.0m``); nothing for a missing currency (None, or NaN from a frame)."""
    if not isinstance(currency, str) or not currency:
        return ""
    return SYMBOLS.get(currency, f"{currency} ")
