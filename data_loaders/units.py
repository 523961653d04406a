"""Money units and currencies: what a header, a title line or a cell says about the money.

Money is stored in currency units (pounds, dollars), never in the "£m" or "£000" a sheet was
written in, and every project records its currency. The unit comes, in this order, from the
PM's choice, the column header (``TOTAL Baseline Benefits (£m)``, ``Cost £000``, ``($M)``),
the title block above the table (``All figures in £ thousands``), or another money column of
the same sheet that states one. A column with no unit whose values look like millions or
thousands (median below ``[money] ask_unit_below``) is loaded as written with a question.
Pure: no database, no streamlit.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field

from config import Config
from data_loaders import values as V
from vocabulary.currencies import (  # noqa: F401
    CELL_MARKS,
    CODES,
    MARK,
    MARK_IN_CELL,
    SYMBOL_CODES,
    SYMBOLS,
    symbol,
)
from vocabulary.fields import TYPES, norm, without_unit  # noqa: F401 (public here too)

CHOICES = {"m": 1e6, "k": 1e3, "1": 1.0}  # a PM's answer to "which unit?"
CHOICE_LABELS = {"m": "millions", "k": "thousands", "1": "as written"}
_ALIASES = {"m": "m", "mn": "m", "million": "m", "millions": "m", "k": "k", "000": "k",
            "thousand": "k", "thousands": "k", "1": "1", "units": "1",
            "as written": "1",
            # the same answers in the usual spellings of other languages
            "mio": "m", "mln": "m", "mill": "m", "tsd": "k", "tys": "k", "tis": "k",
            "x1000": "k", "1000": "k"}  # fmt: skip
# Money fields whose portfolio median tells a unit (a risk's cost impact can be small).
ASK_FIELDS = ("budget", "contingency", "benefits_planned", "planned_value", "earned_value",
              "actual_cost")  # fmt: skip
MIN_VALUES_TO_ASK = 3  # a portfolio, not one project's odd figure

_CUR = MARK
# The unit words of a header or title line, in the languages of vocabulary.languages. Order
# matters: the first pattern that matches decides ("in Mio. €" is millions before "€").
_THOUSANDS_BEFORE = r"(?:em|en|in|de)\s+mil\b|r\$\s*mil\b"  # "R$ mil", "miles de euros"
_PATTERNS: list[tuple[re.Pattern, float]] = [
    (re.compile(r"\bbillions?\b|\bbn\b|\bmrd\b|\bmld\b|\bmilliard|\bmiljard|\bmiliard", re.I), 1e9),
    (re.compile(_THOUSANDS_BEFORE, re.I), 1e3),
    (
        re.compile(
            r"\bmillions?\b|\bmn\b|\bmio\b|\bmil\b|\bmln\b|\bmill\b|\bmillones\b|"
            r"\bmilh(?:ões|oes)\b|\bmilioni\b|\bmiljoen|\bmiljon|\bmilion|\bmilijun",
            re.I,
        ),
        1e6,
    ),
    (
        re.compile(
            r"\bthousands?\b|'000|\b000s?\b|£000|\$000|€000|\bx\s*1[ .,']?000\b|"
            r"\btsd\b|\btausend\b|\bmilliers?\b|\bmiles\b|\bmigliaia\b|\bduizend|"
            r"\btusind|\btusen|\btys\b|\btysi|\btis\b|\btisu",
            re.I,
        ),
        1e3,
    ),
    (re.compile(r"\b[kt](?:eur|usd|gbp|sek|nok|dkk|chf|pln)\b|\bt€|\bk€|€\s*k\b", re.I), 1e3),
    (re.compile(r"\bm(?:eur|usd|gbp|sek|nok|dkk|chf|pln)\b|\bm€", re.I), 1e6),
    (re.compile(_CUR + r"\s*'?\s*m\b", re.I), 1e6),  # £m, $M, USD m
    (re.compile(_CUR + r"\s*'?\s*k\b", re.I), 1e3),  # £k
    (re.compile(r"\(\s*\$?\s*mm?\s*\)", re.I), 1e6),  # Budget (m), ($M), (MM)
    (re.compile(r"\(\s*\$?\s*k\s*\)", re.I), 1e3),
]


def unit_in_text(text: object) -> float | None:
    """The multiplier a header or title line states (1e6 for "£m"), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    for pattern, factor in _PATTERNS:
        if pattern.search(text):
            return factor
    return None


def currency_in_text(text: object) -> str | None:
    """ISO code from a symbol or a code written in a header, title line or cell."""
    if not isinstance(text, str):
        return None
    for m in MARK_IN_CELL.finditer(text):  # kn, R$, zł: before "$" alone is read as USD
        if code := CELL_MARKS.get(m.group().lower()):
            return code
    for ch in text:
        if ch in SYMBOL_CODES:
            return SYMBOL_CODES[ch]
    for word in re.findall(r"[A-Za-z]{3}", text):
        if word.upper() in CODES and word.isupper():
            return word.upper()
    for word in re.findall(r"\b[KkTtMm]([A-Z]{3})\b", text):  # TEUR, kUSD, MSEK
        if word in CODES:
            return word
    low = text.lower()
    return next((code for word, code in _CURRENCY_WORDS.items() if re.search(word, low)), None)


# Currencies named in words in a header or title: "in thousands of euros", "mil. kuna".
_CURRENCY_WORDS = {r"\beuros?\b": "EUR", r"\bdollars?\b": "USD", r"\bpounds?\b": "GBP",
                   r"\bsterling\b": "GBP", r"\bkun[ae]?\b": "HRK", r"\bz[łl]ot": "PLN",
                   r"\breais\b": "BRL"}  # fmt: skip


def currency_code(value: object) -> str | None:
    """A currency cell (``£``, ``usd``, ``US$``, ``EUR``) as an ISO code; None if unknown."""
    if V.is_blank(value):
        return None
    s = str(value).strip()
    if s.upper() in CODES:
        return s.upper()
    return currency_in_text(s.upper() if len(s) <= 4 else s)


def with_currency(frame, default: str):
    """A projects frame whose ``currency`` holds ISO codes, ``default`` where none is given."""
    if "currency" not in frame:
        return frame.assign(currency=default)
    codes = frame["currency"].map(currency_code)
    return frame.assign(currency=codes.where(codes.notna(), default))


def row_currencies(data: list[list], money: SheetMoney) -> list[str | None]:
    """Each row's currency: the first that its money cells state (a list of grants in kuna and,
    from 2023, in euro: ``5.172.338,50 kn``, ``1.013.778,44 €``), else the sheet's."""
    read: dict[str, str | None] = {}  # a column repeats its marks: each text read once
    out = []
    for row in data:
        code = None
        for i in money.columns:
            v = row[i]
            if type(v) is str and any(ch.isdigit() for ch in v):
                code = read[v] if v in read else read.setdefault(v, currency_in_text(v))
                if code:
                    break
        out.append(code or money.currency)
    return out


def parse_choice(text: str) -> str | None:
    """The PM's answer (``m``, ``millions``, ``k``, ``000``, ``1``) as a key of CHOICES."""
    key = str(text).strip().lower()
    return _ALIASES.get(key)


@dataclass
class ColumnUnit:
    label: str
    field: str
    factor: float = 1.0
    source: str = ""  # where the unit came from ("" = none stated)
    question: str | None = None  # set when the PM should say which unit
    median: float | None = None

    def describe(self) -> str:
        return {1e9: "billions", 1e6: "millions", 1e3: "thousands"}.get(self.factor, "units")


@dataclass
class SheetMoney:
    """The money of one sheet: the unit of each money column and the sheet's currency."""

    columns: dict[int, ColumnUnit] = field(default_factory=dict)
    currency: str | None = None
    currency_source: str = ""

    @property
    def questions(self) -> list[ColumnUnit]:
        return [c for c in self.columns.values() if c.question]

    def describe(self) -> dict[str, str]:
        """Per money column, in words: the unit read, where from, and the currency."""
        names = {1e9: "billions", 1e6: "millions", 1e3: "thousands", 1.0: "as written"}
        ccy = self.currency and f"{self.currency} ({self.currency_source})"
        out = {}
        for c in self.columns.values():
            unit = names.get(c.factor, f"x{c.factor:g}")
            where = f" from {c.source}" if c.source and not c.source.startswith("chosen") else ""
            chosen = " (your choice)" if c.source.startswith("chosen") else ""
            asked = " - unit not stated, please choose" if c.question else ""
            out[c.label] = f"{unit}{where}{chosen}{asked}; currency {ccy or 'not stated'}"
        return out


def _median(column: list) -> float | None:
    if all(type(v) is float for v in column):  # numbers already (NaN is no number)
        nums = [abs(v) for v in column if v and v == v]
    else:  # read as the column is read: its separators decided by its own cells
        nums = [abs(n) for n in V.number(column)[0] if n]
    return statistics.median(nums) if nums else None


def _same_size(a: float | None, b: float | None) -> bool:
    """Medians within a factor of 100: figures written in the same unit as each other."""
    return bool(a and b) and max(a, b) / min(a, b) < 100


def _number(v: object) -> float | None:
    if type(v) is float or type(v) is int:  # most cells (NaN is blank)
        return None if v != v else float(v)
    return None if V.is_blank(v) else V._to_number(v)


def _choice_for(choices: dict[str, str], label: str, field_name: str) -> str | None:
    for key, value in choices.items():
        if norm(key) in (norm(label), norm(field_name)) or key == field_name:
            return value
    return None


def plan(
    labels: list[str],
    header: list[str],
    fields: list[str | None],
    data: list[list],
    title_rows: list[list],
    choices: dict[str, str],
    config: Config,
) -> SheetMoney:
    """Decide the unit of every money column of a sheet and the sheet's currency."""
    money = SheetMoney()
    title_texts = [c for r in title_rows for c in r if isinstance(c, str)]
    title_factor = next((f for f in map(unit_in_text, title_texts) if f), None)
    title_currency = next((c for c in map(currency_in_text, title_texts) if c), None)
    stated: ColumnUnit | None = None
    for i, f in enumerate(fields):
        if not f or TYPES.get(f) != "money":
            continue
        col = ColumnUnit(label=labels[i], field=f)
        column = [row[i] for row in data]
        col.median = _median(column)
        choice = _choice_for(choices, labels[i], f)
        if choice in CHOICES:
            col.factor, col.source = CHOICES[choice], f"chosen: {CHOICE_LABELS[choice]}"
        elif factor := unit_in_text(header[i]):
            col.factor, col.source = factor, f"header '{labels[i]}'"
        elif title_factor:
            col.factor, col.source = title_factor, "title above the table"
        money.columns[i] = col
        if col.source and stated is None and not col.source.startswith("chosen: as"):
            stated = col
    threshold = config.money.ask_unit_below
    for i, col in money.columns.items():
        if col.source:
            continue
        small = col.median is None or col.median < threshold
        if stated is not None and (small or _same_size(col.median, stated.median)):
            col.factor = stated.factor
            col.source = f"column '{stated.label}'"
        elif (
            small
            and col.median is not None
            and col.field in ASK_FIELDS
            and sum(1 for row in data if _number(row[i])) >= MIN_VALUES_TO_ASK
        ):
            col.question = (
                f"unit not stated: the values look like millions or thousands (median "
                f"{col.median:,.4g}); loaded as written until you choose the unit"
            )
    # Currency: a symbol or code in a money header, the title block, or the money cells.
    for i, col in money.columns.items():
        code = currency_in_text(header[i])
        if code:
            money.currency, money.currency_source = code, f"header '{col.label}'"
            break
    if money.currency is None and title_currency and money.columns:
        money.currency, money.currency_source = title_currency, "title above the table"
    if money.currency is None:
        for i, col in money.columns.items():
            code = next((c for c in (currency_in_text(row[i]) for row in data[:200]) if c), None)
            if code:
                money.currency, money.currency_source = code, f"values of '{col.label}'"
                break
    return money
