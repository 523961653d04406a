"""Value normalisers: dates, money, percentages, RAG labels, 1-5 scales, ids and text.

Each column parser takes the raw cells of one column and returns the clean values plus a list
of ``(position, value, message, severity)`` notes; the sheet parser turns notes into problems.
Column-wide decisions (day-first or month-first, fraction or percent) use the whole column.
"""

from __future__ import annotations

import difflib
import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

from config import Config
from data_loaders.limits import clean_text, has_control, shown
from models import normalise_rag
from vocabulary.currencies import CELL_MARKS, CODE_IN_CELL, MARK_IN_CELL, SYMBOL_CODES
from vocabulary.fields import fold
from vocabulary.languages import MONTHS, RAG_WORDS
from vocabulary.languages import SCALE_WORDS as _LANG_SCALES

Note = tuple[int, object, str, str]  # position in column, raw value, message, severity
# A note that says how a whole column was read ("dates read day first: '19/04/2024' exists"):
# position -1, shown to the PM as an inference, never a problem.
INFERENCE = "inference"

# Cells that mean "no value" rather than a wrong value (kept as empty with a warning in numbers).
MISSING = {"", "none", "n/a", "na", "-", "--", "tbc", "tbd", "nil", "null", "not applicable"}
# Note severity of a value that was read but cannot be true (a date in 1899, likelihood 9): the
# sheet parser skips its row rather than blanking the cell.
IMPOSSIBLE = "impossible"
EXCEL_EPOCH = date(1899, 12, 30)

SCALE_WORDS = {
    # Likelihood
    "rare": 1, "very unlikely": 1, "remote": 1, "unlikely": 2, "possible": 3, "moderate": 3,
    "likely": 4, "probable": 4, "almost certain": 5, "certain": 5, "very likely": 5,
    # Generic and impact
    "very low": 1, "insignificant": 1, "negligible": 1, "low": 2, "minor": 2, "medium": 3,
    "med": 3, "high": 4, "major": 4, "significant": 4, "very high": 5, "catastrophic": 5,
    "severe": 5, "critical": 5, "extreme": 5,
}  # fmt: skip
SCALE_WORDS.update({fold(w): n for n, words in _LANG_SCALES.items() for w in words})
# Status words that are not ratings: kept as the label, no RAG inferred.
NOT_RAG = {"in progress", "not started", "open", "planned", "ongoing", "started", "active"}


def is_blank(v: object) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return isinstance(v, str) and v.strip() == ""


def is_missing_text(v: object) -> bool:
    return is_blank(v) or (isinstance(v, str) and v.strip().lower() in MISSING)


def is_exempt(v: object) -> bool:
    """Exemption notes and comments (six words or more) where a value was expected."""
    if not isinstance(v, str):
        return False
    s = v.strip().lower()
    return s.startswith(("exempt", "redacted", "withheld")) or len(s.split()) >= 6


def placeholder_matcher(words: tuple[str, ...]):
    """``match(cell)``: True when the cell is one of the placeholder words (``[ingest]
    placeholders``; lower-case, a trailing ``*`` matches any text starting with it)."""
    exact = {w for w in words if not w.endswith("*")}
    prefixes = tuple(w[:-1] for w in words if w.endswith("*"))

    def match(v: object) -> bool:
        if not isinstance(v, str):
            return False
        s = " ".join(v.split()).lower()
        return bool(s) and (s in exact or bool(prefixes) and s.startswith(prefixes))

    return match


def text(values: list) -> tuple[list, list[Note]]:
    out, notes = [], []
    texts = [v for v in values if isinstance(v, str)]
    # one search over the whole column: most columns hold no control character at all
    dirty = has_control(texts)
    if not dirty and len(texts) == len(values):  # a column of text cells: a cell at a time
        stripped = [v.strip() for v in values]
        return [None if len(s) < 15 and s.lower() in MISSING else s for s in stripped], notes
    for i, v in enumerate(values):
        if isinstance(v, str):
            s = v
            if dirty:
                s, removed = clean_text(v)
                if removed:
                    message = f"{removed} control character(s) removed"
                    notes.append((i, shown(v), message, "warning"))
            s = s.strip()
            out.append(None if len(s) < 15 and s.lower() in MISSING else s)
        elif is_missing_text(v):
            out.append(None)
        elif isinstance(v, (float, Decimal)) and math.isfinite(v) and v == int(v):
            # 12.0 from a sheet, Decimal 12.00 from SQL: the id or text "12"
            out.append(str(int(v)))
        elif isinstance(v, (date, datetime)):
            out.append(v.isoformat()[:10])
        else:
            out.append(re.sub(r"[ \t]+$", "", str(v).strip()))
    return out, notes


# --- numbers ---------------------------------------------------------------------------------

_SYMBOL = "[" + "".join(SYMBOL_CODES) + "]"
_NUM = re.compile(
    r"^\(?-?" + _SYMBOL + r"?\s*-?[\d,]*\.?\d+\s*(%|[kmb]n?|million|bn)?" + _SYMBOL + r"?\)?$", re.I
)


def _to_number(v: object) -> float | None:
    """A number from a cell, or None when the text is not a number."""
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    try:
        return float(str(v).strip())  # plain and scientific notation
    except ValueError:
        pass
    s = str(v).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    s = CODE_IN_CELL.sub("", s)  # any known code, not only the portfolio's
    s = MARK_IN_CELL.sub("", s)  # kn, kr, zł, R$ written beside the number
    if not _NUM.match(s):
        return None
    neg = s.startswith("(") and s.endswith(")") or "-" in s
    s = s.strip("()").replace("-", "")
    mult = 1.0
    low = s.lower()
    for suffix, factor in (("million", 1e6), ("bn", 1e9), ("m", 1e6), ("k", 1e3), ("b", 1e9)):
        if low.endswith(suffix):
            mult, s = factor, s[: -len(suffix)]
            break
    s = s.rstrip("%").strip("".join(SYMBOL_CODES)).replace(",", "")
    try:
        num = float(s) * mult
    except ValueError:
        return None
    return -num if neg else num


# --- thousands and decimal separators, decided per column --------------------------------------
# 5.172.338,50 (a decimal comma) and 1,234,567.50 (a decimal point) are told apart by the
# cells that can only be read one way; the column's other cells then follow them, so 1.234 in
# a column that also holds 5.172.338,50 is a thousand. A CSV separated by ";" has been
# rewritten with decimal points as it was read (decimal_point, below).
_RUN = re.compile(r"\d+(?:[.,'\u00a0\u202f ]\d+)*")
_COMMA_DECIMAL = re.compile(r"\d{1,3}(?:\.\d{3})+,\d+|\d+,(?!\d{3}$)\d+|\d{1,3}(?:\.\d{3}){2,}")
_POINT_DECIMAL = re.compile(r"\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,}|\d+\.(?!\d{3}$)\d+")
_EXPONENT = re.compile(r"\d[eE][+-]?\d")


def _core(v: str) -> str | None:
    """The digits and separators of the one number written in a cell, or None."""
    runs = _RUN.findall(v)
    if len(runs) != 1 or _EXPONENT.search(v):
        return None
    return re.sub(r"[\u00a0\u202f' ]", "", runs[0])


def separators(texts) -> tuple[str | None, str | None]:
    """The decimal mark a column's text numbers use (",", "." or None when no cell decides;
    "mixed" when cells decide both ways) and a cell that shows it (for "." only a cell with a
    thousands comma: 12.5 alone is no news)."""
    comma = point = shown = None
    for v in texts:
        core = _core(v)
        if not core:
            continue
        if comma is None and _COMMA_DECIMAL.fullmatch(core):
            comma = v
        elif _POINT_DECIMAL.fullmatch(core):
            point = point or v
            shown = shown or ("," in core and v or None)
        if comma and point:
            return "mixed", comma
    if comma:
        return ",", comma
    return ("." if point else None), shown


def _decimal_comma(v: str) -> str:
    """``5.172.338,50 kn`` -> ``5172338.50 kn``: dots group thousands, the comma is the point."""
    core = _RUN.search(v)
    num = re.sub(r"[.\u00a0\u202f' ]", "", core.group()).replace(",", ".")
    return v[: core.start()] + num + v[core.end() :]


# A band of values where a figure was expected: "£10m-£50m", "<5m", "up to 2 bn".
_BAND = re.compile(
    r"^\s*(?:[<>≤≥~]|up to|under|over|below|above|less than|more than|between|bis|ab|über|"
    r"unter|moins de|plus de|hasta|más de|menos de|até|fino a|oltre|tot|vanaf)"
    r"|\d\s*(?:[kmb]n?|million|%)?\s*(?:-|–|—|to|bis|à|a)\s*[£$€]?\s*\d",
    re.I,
)


# --- decimal comma (a ";" CSV) -----------------------------------------------------------------
# A CSV separated by ";" comes from a locale that writes 4,5 for four and a half and 1.234.567,50
# for a million and more. The number rule above reads "," as a thousands separator (4,5 -> 45),
# so such a file's numbers are rewritten with a decimal point as it is read (decimal_point),
# and that one rule reads them. Only whole cells that are a number are touched: dates
# (27.11.2026), ids and text keep their text.

_AFFIXES = r"(?P<pre>\(?-?\s*[£$€]?\s*-?)(?P<num>{})(?P<post>\s*(?:%|[kmb]n?|million|€)?\)?)"
# never anything but a decimal comma: 4,5  12,75  1.234,5  1.234.567,50  (and 1.234.567)
_COMMA_ONLY = re.compile(
    _AFFIXES.format(r"\d+,(?!\d{3}\b)\d+|\d{1,3}(?:\.\d{3})+,\d+|\d{1,3}(?:\.\d{3}){2,}"), re.I
)
# never anything but a decimal point: 1,234.5  1,234,567  1.5
_POINT_ONLY = re.compile(
    _AFFIXES.format(r"\d{1,3}(?:,\d{3})+\.\d+|\d{1,3}(?:,\d{3}){2,}|\d+\.(?!\d{3}\b)\d+"), re.I
)
# either, by the file's other numbers: 1,234 (1.234 or 1234?) and 1.234 (1234 or 1.234?)
_EITHER = re.compile(_AFFIXES.format(r"\d{1,3}[.,]\d{3}"), re.I)


def decimal_point(rows: list) -> list[tuple[int, int, str, str]]:
    """Rewrite the numbers of a ";" CSV's ``rows`` (in place) with a decimal point: 4,5 -> 4.5,
    1.234.567,50 -> 1234567.50. A cell that reads either way (1,234 or 1.234) follows the
    file's other numbers; with no number to decide, or numbers of both kinds, it is read with a
    decimal comma (the ";" says so) and reported. Returns ``(row, column, cell, message)`` for
    those (0-based row and column)."""
    comma = point = False
    either = []
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            if not isinstance(v, str) or ("," not in v and "." not in v):
                continue
            s = v.strip()
            if m := _COMMA_ONLY.fullmatch(s):
                row[c] = _with_point(m)
                comma = True
            elif _POINT_ONLY.fullmatch(s):
                point = True
            elif _EITHER.fullmatch(s):
                either.append((r, c))
    if not either or point and not comma:  # a decimal point file that happens to use ";"
        return []
    notes = []
    for r, c in either:
        m = _EITHER.fullmatch(rows[r][c].strip())
        rows[r][c] = _with_point(m)
        if point or not comma:  # the file's other numbers do not say, or say both
            other = m.group("num").replace(",", "")  # 1,234 as a thousand; 1.234 as written
            message = (
                f"read as {m.group('num').replace('.', '').replace(',', '.')} (a decimal comma, "
                f"as the ';' separator suggests), but it could mean {other}: check it"
            )
            notes.append((r, c, m.string, message))
    return notes


def _with_point(m: re.Match) -> str:
    # with a decimal comma, dots group thousands: 1.234.567,50 -> 1234567.50
    num = m.group("num").replace(".", "").replace(",", ".")
    return f"{m.group('pre')}{num}{m.group('post')}"


def number(values: list, scale: float = 1.0) -> tuple[list, list[Note]]:
    if all(type(v) is float and math.isfinite(v) for v in values):  # numbers already
        return [v * scale for v in values], []
    out, notes = [], []
    # the column's distinct texts in order: the first cell that decides is the one shown
    texts = list(dict.fromkeys(v for v in values if type(v) is str and ("," in v or "." in v)))
    mark, example = separators(texts) if texts else (None, None)
    if mark == ",":
        notes.append((-1, None, f"numbers read with a decimal comma and '.' between thousands: "
                      f"{_quote(example)} exists", INFERENCE))  # fmt: skip
    elif mark == "." and example:
        notes.append((-1, None, f"numbers read with a decimal point and ',' between thousands: "
                      f"{_quote(example)} exists", INFERENCE))  # fmt: skip
    elif mark == "mixed":
        notes.append(
            (
                -1,
                None,
                "numbers written with a decimal comma and with a decimal "
                "point in one column: each read as written; check them",
                "warning",
            )
        )
    read: dict[str, float | None] = {}  # a column often repeats its texts
    exponent = None
    for i, v in enumerate(values):
        kind = type(v)
        if kind is float or kind is int:  # most cells: a number already (NaN is blank)
            if v != v:
                out.append(None)
                continue
            num = float(v)
        elif is_blank(v):
            out.append(None)
            continue
        elif kind is str:
            if v not in read:
                written = v
                if mark == "," or mark == "mixed" and _comma_cell(v):
                    written = _decimal_comma(v) if _core(v) else v
                read[v] = _to_number(written)
                if exponent is None and read[v] is not None and _EXPONENT.search(v):
                    exponent = v
            num = read[v]
        else:
            num = _to_number(v)
        if num is None:
            if is_missing_text(v) or is_exempt(v):
                notes.append((i, v, "not a number; kept empty", "warning"))
            elif isinstance(v, str) and _BAND.search(v):
                message = "a band of values, not a figure: kept empty (write the figure)"
                notes.append((i, v, message, "warning"))
            else:
                notes.append((i, v, "text in a number column", "error"))
            out.append(None)
        elif not math.isfinite(num):  # "1e309", "inf", "nan": no database should store them
            notes.append((i, v, "not a finite number", "error"))
            out.append(None)
        else:
            out.append(num * scale)
    if len(found := _currencies(dict.fromkeys(v for v in values if type(v) is str))) > 1:
        shown = ", ".join(f"{code} ({_quote(v)})" for code, v in found.items())
        message = (
            f"money in more than one currency in this column: {shown}; each amount keeps its "
            "own currency, none is converted"
        )
        notes.append((-1, None, message, "warning"))
    if exponent is not None:
        message = f"numbers in exponent notation read in full: {_quote(exponent)} is " \
                  f"{_to_number(exponent):,.0f}"  # fmt: skip
        notes.append((-1, None, message, INFERENCE))
    return out, notes


def _currencies(texts) -> dict[str, str]:
    """The currencies the column's cells state, each with a cell that states it."""
    found: dict[str, str] = {}
    for v in texts:
        if not any(ch.isdigit() for ch in v):
            continue
        code = next((SYMBOL_CODES[ch] for ch in v if ch in SYMBOL_CODES), None)
        if code is None and (m := CODE_IN_CELL.search(v)):
            code = m.group()
        if code is None and (m := MARK_IN_CELL.search(v)):
            code = CELL_MARKS.get(m.group().lower()) or m.group()
        if code:
            found.setdefault(code, v)
    return found


def _comma_cell(v: str) -> bool:
    core = _core(v)
    return bool(core and _COMMA_DECIMAL.fullmatch(core))


def _quote(v: object) -> str:
    return "'" + " ".join(str(v).split())[:40] + "'"


def percent(values: list) -> tuple[list, list[Note]]:
    """45%, 0.45 and 45 are all 45: a column whose numbers all lie in 0..1 holds fractions."""
    nums, notes = number(values)
    had_sign = [isinstance(v, str) and "%" in v for v in values]
    plain = [n for n, s in zip(nums, had_sign, strict=True) if n is not None and not s]
    fractions = bool(plain) and all(0 <= n <= 1 for n in plain) and any(n < 1 for n in plain)
    out = []
    for n, s in zip(nums, had_sign, strict=True):
        if n is None or s:
            out.append(n)
        elif fractions:
            out.append(round(n * 100, 6))
        else:
            out.append(n)
    return out, notes


# --- dates -----------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[./\-](\d{1,2})[./\-](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_TEXT_FORMATS = ("%d %b %Y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%d-%b-%Y", "%d-%b-%y", "%b %Y")


def _year(y: int) -> int:
    """Two-digit years: 00-69 are 2000s, 70-99 are 1900s (PMO data is recent)."""
    if y < 100:
        return 2000 + y if y < 70 else 1900 + y
    return y


def date_order_evidence(values: list) -> tuple[bool, bool]:
    """(day-first seen, month-first seen) from d/m/y strings whose first or second part is > 12."""
    day = month = False
    for v in values:
        if isinstance(v, str):
            m = _DMY.match(v.strip())
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                day |= a > 12
                month |= b > 12
    return day, month


_YEAR = re.compile(r"^(?:FY\s*)?((?:19|20)\d\d)$", re.I)


def year_of(v: object) -> int | None:
    """The year of a cell that is only a year (2018, "2018", "FY2018"), else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    m = _YEAR.match(str(v).strip()) if isinstance(v, (int, str)) else None
    return int(m.group(1)) if m else None


def _order_example(texts: list) -> tuple[str | None, str | None]:
    """The first d/m/y text that proves day first (a first part above 12) and the first that
    proves month first (a second part above 12)."""
    day = month = None
    for v in texts:
        m = _DMY.match(v.strip())
        if m:
            a, b = int(m.group(1)), int(m.group(2))
            if a > 12 and day is None:
                day = v
            if b > 12 and month is None:
                month = v
    return day, month


def dates(
    values: list, config: Config, serials: bool = True, quarter_end: bool = True
) -> tuple[list, list[Note]]:
    """A column of dates. Day or month first is decided for the whole column by its values
    (a day above 12 shows the order); only a column where no value decides is read by
    ``ingest.date_order`` with a warning. ``quarter_end``: ``Q3 2024`` is the quarter's last
    day (an end or due date) or, False, its first (a start). Each decision is an INFERENCE."""
    cfg = config.ingest
    notes: list[Note] = []
    filled = [v for v in values if not is_blank(v)]
    if filled and all(year_of(v) for v in filled):
        # A column of years (a fiscal year, a reporting year): each is its year's last day, not
        # an Excel serial number (2018 would be a day in 1905).
        notes.append((-1, None, "years read as 31 December of each year", INFERENCE))
        values = [None if is_blank(v) else f"{year_of(v)}-12-31" for v in values]
    texts = [v for v in values if isinstance(v, str)]  # the order of dates shows only in text
    if not texts and all(type(v) is date for v in values):  # dates already: check each once
        years = {v.year for v in set(values)}
        if all(
            cfg.min_year <= y <= cfg.max_year and cfg.warn_before_year <= y <= cfg.warn_after_year
            for y in years
        ):
            return list(values), notes
    day, month = _order_example(texts)
    ambiguous = any(_DMY.match(v.strip()) for v in texts)
    if day and month:
        dayfirst = cfg.date_order == "dayfirst"
        notes.append((-1, None, "dates mix day-first and month-first; check them", "warning"))
    elif day or month:
        dayfirst = bool(day)
        order = "day first" if day else "month first"
        notes.append((-1, None, f"dates read {order}: {_quote(day or month)} exists", INFERENCE))
    else:
        dayfirst = cfg.date_order == "dayfirst"
        if ambiguous and any(
            (m := _DMY.match(v.strip())) and m.group(1) != m.group(2) for v in texts
        ):
            order = "day/month/year" if dayfirst else "month/day/year"
            notes.append(
                (-1, None, f"ambiguous dates read as {order} (ingest.date_order)", "warning")
            )
    out = []
    read: dict[str, date | None] = {}  # a column often repeats its texts
    seen: dict[str, tuple[object, date]] = {}  # what was inferred, with one example each
    for i, v in enumerate(values):
        kind = type(v)
        if kind is date:  # most cells: a date already
            d = v
        elif kind is datetime:
            d = v.date()
        elif kind is str:
            if v not in read:
                read[v] = _one_date(v, dayfirst, serials, quarter_end)
                if read[v] is not None:
                    _remember(seen, v, read[v])
            d = read[v]
        else:
            d = _one_date(v, dayfirst, serials, quarter_end)
            if d is not None and "serial" not in seen and isinstance(v, (int, float)):
                seen["serial"] = (v, d)
        if d is None and not is_blank(v):
            if is_missing_text(v) or is_exempt(v):
                notes.append((i, v, "not a date; kept empty", "warning"))
            else:
                notes.append((i, v, "not a date", "error"))
        elif d is not None and not (cfg.min_year <= d.year <= cfg.max_year):
            notes.append(
                (i, v, f"date outside {cfg.min_year}-{cfg.max_year}: implausible", IMPOSSIBLE)
            )
            d = None
        elif d is not None and not (cfg.warn_before_year <= d.year <= cfg.warn_after_year):
            edge = cfg.warn_before_year if d.year < cfg.warn_before_year else cfg.warn_after_year
            side = "before" if d.year < cfg.warn_before_year else "after"
            notes.append((i, v, f"date {side} {edge}: check it", "warning"))
        out.append(d)
    notes += [(-1, None, _SAID[what].format(_quote(v), d.isoformat()), INFERENCE)
              for what, (v, d) in seen.items()]  # fmt: skip
    return out, notes


_SAID = {
    "serial": "numbers read as Excel date serials: {} is {}",
    "two_digit": "two-digit years read as 2000-2069 or 1970-1999: {} is {}",
    "quarter": "quarters read as one day of the quarter: {} is {}",
    "words": "month names read: {} is {}",
}


def _remember(seen: dict, v: str, d: date) -> None:
    s = v.strip()
    if s.isdigit():
        seen.setdefault("serial", (v, d))
    elif _QUARTER.match(s):
        seen.setdefault("quarter", (v, d))
    elif (m := _DMY.match(s)) and len(m.group(3)) == 2:
        seen.setdefault("two_digit", (v, d))
    elif re.search(r"[^\W\d_]{3}", s) and not _ISO.match(s):
        seen.setdefault("words", (v, d))


# Quarters: "Q3 2024", "2024 Q3", "Q3/24", "2024-Q3"; T (trimestre) and K (kwartaal, kvartal).
_QUARTER = re.compile(r"^(?:[qtk]([1-4])[\s/\-]*(\d{4}|\d{2})|(\d{4})[\s/\-]*[qtk]([1-4]))$", re.I)
# Words around a date written in words: "20 de febrero de 2024", "the 3rd of May 2024".
_FILLERS = {"de", "del", "di", "den", "der", "of", "the", "le", "el", "em"}
_MONTH_WORDS = {fold(w): m for m, words in MONTHS.items() for w in words}
_TIME = re.compile(
    r"(?:[ t]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:am|pm)?|[ t]\d{1,2}\s*(?:am|pm))$"
)


def _quarter(m: re.Match, end: bool) -> date:
    q = int(m.group(1) or m.group(4))
    y = _year(int(m.group(2) or m.group(3)))
    if not end:
        return date(y, 3 * q - 2, 1)
    return date(y, 3 * q, 31 if q in (1, 4) else 30)


def _word_date(s: str) -> date | None:
    """A date with its month in words, in the languages of ``vocabulary.languages``:
    ``20 Feb 2024``, ``15/Feb/26``, ``20. Februar 2024``, ``Feb 20, 2024``, ``marzo 2024``
    (a month alone is its first day)."""
    s = _TIME.sub("", fold(s).strip())
    tokens = [t for t in re.split(r"[\s./,\-]+", s) if t and t not in _FILLERS]
    tokens = [re.sub(r"^(\d{1,2})(?:st|nd|rd|th|er|e|o|a)$", r"\1", t) for t in tokens]
    months = [i for i, t in enumerate(tokens) if t in _MONTH_WORDS]
    if len(months) != 1 or not 2 <= len(tokens) <= 3:
        return None
    at = months[0]
    month = _MONTH_WORDS[tokens[at]]
    nums = [t for i, t in enumerate(tokens) if i != at]
    if not all(t.isdigit() for t in nums):
        return None
    if len(nums) == 1:  # "March 2024": a month, read as its first day
        return date(_year(int(nums[0])), month, 1) if len(nums[0]) == 4 else None
    first, last = nums
    if len(first) == 4:  # 2024 Feb 20
        y, d = int(first), int(last)
    else:  # 20 Feb 2024, Feb 20 2024, 15/Feb/26
        d, y = int(first), _year(int(last))
    try:
        return date(y, month, d)
    except ValueError:
        return None


def looks_like_date(v: object) -> date | None:
    """The date a cell reads as in either order (day first, else month first; no serial
    numbers): whether a column holds dates, before its order is decided."""
    return _one_date(v, True, serials=False) or _one_date(v, False, serials=False)


def _one_date(
    v: object, dayfirst: bool, serials: bool = True, quarter_end: bool = True
) -> date | None:
    if is_blank(v) or isinstance(v, bool):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    if isinstance(v, (int, float)):
        if serials and 1 <= v < 2958466:
            return EXCEL_EPOCH + timedelta(days=int(v))
        return None
    s = " ".join(str(v).split())  # stray and doubled spaces: "02/5/16 ", "20  Feb 2024"
    if s.isdigit() and serials and 20000 <= int(s) <= 80000:
        return EXCEL_EPOCH + timedelta(days=int(s))
    try:
        if m := _ISO.match(s):
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if m := _DMY.match(s):
            a, b, y = int(m.group(1)), int(m.group(2)), _year(int(m.group(3)))
            return date(y, b, a) if dayfirst else date(y, a, b)
        if m := _QUARTER.match(s):
            return _quarter(m, quarter_end)
    except ValueError:
        return None
    for fmt in _TEXT_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return _word_date(s)


# --- RAG and scales --------------------------------------------------------------------------


def rag(values: list, config: Config) -> tuple[list, list, list[Note]]:
    """(canonical RAG, original label, notes). Typos get the closest label, with a warning."""
    out, labels, notes = [], [], []
    known = list(config.rag_labels)
    cache: dict[str, tuple[str | None, str | None, str | None]] = {}
    cells: dict[str, tuple | None] = {}  # a text cell as written -> its reading (None: blank)
    for i, v in enumerate(values):
        if type(v) is str and v in cells:
            reading = cells[v]
        else:
            reading = None
            if not is_blank(v):
                raw = str(v).strip()
                if raw not in cache:
                    cache[raw] = _one_rag(raw, config, known)
                reading = cache[raw]
            if type(v) is str:
                cells[v] = reading
        if reading is None:
            out.append(None)
            labels.append(None)
            continue
        value, label, message = reading
        if message:
            notes.append((i, v, message, "warning"))
        out.append(value)
        labels.append(label)
    return out, labels, notes


# RAG words in other languages (vocabulary.languages), after accents are folded: "Grün" is
# "grun". A PMO's own [rag_labels] are read first (models.normalise_rag).
_RAG_WORDS = {fold(w): rag for rag, words in RAG_WORDS.items() for w in words}
# "1 - High", "3: Low", "2) Medium": a number and the word it stands for.
_NUMBERED = re.compile(r"^(\d)\s*[-–:.)=]\s*(\D.*)$")


def _one_rag(raw: str, config: Config, known: list[str]):
    value = normalise_rag(raw, config)
    if value:
        return value, raw, None
    if raw.lower().startswith(("exempt", "redacted", "withheld")):
        return "Grey", "Exempt", None
    key = re.sub(r"\s+", " ", raw.lower())
    if key in NOT_RAG:
        return None, raw, None
    folded = fold(key)
    if folded in _RAG_WORDS:  # Rojo, Grün, G/Y/R
        return _RAG_WORDS[folded], raw, None
    if (m := _NUMBERED.match(key)) and (value := _one_rag(m.group(2), config, known)[0]):
        return value, raw, None  # "1 - Red": the word says the rating, whatever the number
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
    if close and len(key) > 2:
        value = config.rag_labels[close[0]]
        return value, raw, f"read as {value} (closest label '{close[0]}')"
    return None, raw[:100], "not a RAG rating; kept as the label only"


def scale(
    values: list, table: dict[str, int] | None = None, header: str = ""
) -> tuple[list, list[Note]]:
    """Likelihood / impact 1-5 from numbers, probabilities (0-1) or words: ``table`` (the
    built-in SCALE_WORDS with ``[risk] scales`` on top, ``normalise.scale_words``), in any of
    the languages of ``vocabulary.languages`` (accents folded: ``Media`` = ``média``).

    A numbered enumeration (``1 - High``, ``3 - Low``) is read by its words; when its numbers
    run the other way from ours (1 the worst), the column's bare numbers follow the same
    numbering, and an INFERENCE says so. The ``header`` may state the numbering instead
    (``Impact (1 = High, 3 = Low)``, ``Priority (1 = highest)``)."""
    out, notes = [], []
    table = {fold(re.sub(r"\s+", " ", k.strip())): v for k, v in (table or SCALE_WORDS).items()}
    words = list(table)
    stated = [f"{n} - {w.strip()}" for n, w in _HEADER_PAIRS.findall(fold(header or ""))]
    numbering = _numbering(values, table)
    example = next((v for v in values if isinstance(v, str) and _NUMBERED.match(v.strip())), "")
    if not numbering and (numbering := _numbering(stated, table, one=True)):
        example = " ".join(str(header).split())
    if numbering:
        worst = max(numbering, key=lambda n: numbering[n])
        direction = "1 is the worst" if worst == min(numbering) else f"{worst} is the worst"
        message = f"numbered values read by their words: {_quote(example)}; {direction}"
        notes.append((-1, None, message, INFERENCE))
    for i, v in enumerate(values):
        if is_missing_text(v):
            out.append(None)
            continue
        num = _to_number(v)
        if num is not None:
            if numbering and float(num).is_integer() and int(num) in numbering:
                out.append(numbering[int(num)])  # a bare "1" in a column where 1 is High
                continue
            if 0 < num < 1:  # a probability
                num = min(5, int(num * 5) + 1)
            if 1 <= num <= 5:  # 2.5 stays 2.5: a register may score between two points
                out.append(int(num) if float(num).is_integer() else float(num))
            else:
                notes.append((i, v, "value out of range [1, 5]", IMPOSSIBLE))
                out.append(None)
            continue
        key = fold(re.sub(r"\s+", " ", str(v).strip()))
        if (m := _NUMBERED.match(key)) and m.group(2).strip() in table:
            key = m.group(2).strip()
        if key in table:
            out.append(table[key])
            continue
        close = difflib.get_close_matches(key, words, n=1, cutoff=0.75)
        if close:
            out.append(table[close[0]])
            notes.append((i, v, f"read as '{close[0]}' ({table[close[0]]})", "warning"))
        else:
            notes.append((i, v, "not a 1-5 scale value", "error"))
            out.append(None)
    return out, notes


# "(1 = High, 3 = Low)", "1=highest": the numbering a header states.
_HEADER_PAIRS = re.compile(r"\b([1-9])\s*[=:]\s*([^\d,;/()=]+)")
# Words a header uses for the end of a numbering that are not scale values themselves.
_ENDS = {"highest": 5, "worst": 5, "most likely": 5, "most severe": 5, "lowest": 1, "best": 1,
         "least likely": 1}  # fmt: skip


def _numbering(values: list, table: dict[str, int], one: bool = False) -> dict[int, int]:
    """The column's own numbering, from its ``N - word`` cells (or, ``one``, a header that
    names a single end: ``1 = highest``), when it differs from ours (``1 - High``: 1 stands
    for 4); {} when there is none or it numbers the same way."""
    pairs: dict[int, int] = {}
    for v in {v for v in values if isinstance(v, str)}:
        m = _NUMBERED.match(fold(" ".join(v.split())))
        word = m and m.group(2).strip()
        if word and (word in table or one and word in _ENDS):
            pairs[int(m.group(1))] = table.get(word) or _ENDS[word]
    if one and len(pairs) == 1:  # "1 = highest": a 1-5 scale that runs the other way
        ((n, value),) = pairs.items()
        if n == 1 and value >= 4:
            return {k: 6 - k for k in range(1, 6)}
        return {}
    same = all(n == value for n, value in pairs.items())
    if same or len(pairs) < 2:
        return {}
    # the numbers between two stated ones: "1 = High, 3 = Low" makes 2 the middle
    low, high = min(pairs), max(pairs)
    for n in range(low + 1, high):
        if n not in pairs:
            at = pairs[low] + (pairs[high] - pairs[low]) * (n - low) / (high - low)
            pairs[n] = round(at)
    return pairs


# The one yes/no vocabulary of every source (sheets, CSV, SQL). ``t``/``f`` are PostgreSQL's own
# spelling of a boolean as text; ``x``, ``✓`` and ``gate`` are how a plan marks a gate. Numbers:
# 1 and 0 only. Any other word is not silently "no": it is reported (an upload leaves the cell
# empty with a warning, a sync is refused), since "Gate 3" or "maybe" is no answer.
TRUE_WORDS = frozenset({"y", "yes", "true", "t", "1", "x", "✓", "gate"})
FALSE_WORDS = frozenset({"n", "no", "false", "f", "0"})


def boolean(values: list) -> tuple[list, list[Note]]:
    out, notes = [], []
    for i, v in enumerate(values):
        if is_blank(v):
            out.append(None)
        elif isinstance(v, bool):
            out.append(v)
        else:
            if isinstance(v, (int, float, Decimal)):  # 1.0 from a sheet, Decimal from SQL
                word = str(int(v)) if math.isfinite(v) and v == int(v) else str(v)
            else:
                word = str(v).strip().lower()
            if word in TRUE_WORDS or word in FALSE_WORDS:
                out.append(word in TRUE_WORDS)
            else:
                notes.append((i, v, "not yes or no (yes/no, y/n, true/false, t/f, 1/0)", "error"))
                out.append(None)
    return out, notes


DECISION_WORDS = {
    "go": "go", "approve": "approved", "approved": "approved", "hold": "hold", "on hold": "hold",
    "recycle": "recycle", "stop": "stop", "reject": "rejected", "rejected": "rejected",
    "defer": "deferred", "deferred": "deferred", "no go": "stop", "proceed": "go",
}  # fmt: skip


def decision(values: list) -> tuple[list, list[Note]]:
    """The decision keyword; free text with none of the keywords is kept only as rationale."""
    out = []
    for v in values:
        key = str(v).strip().lower() if not is_blank(v) else ""
        out.append(DECISION_WORDS.get(key))
    return out, []
