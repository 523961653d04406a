"""What a table holds, proposed from its values when its column names do not say.

A project list in a language or house style we have no words for still shows what it is by
its values: a column of unique short codes is an id, a column of unique text is a name, two
date columns where the first is on or before the second are a start and an end, the column of
the largest amounts is the budget, a column of RAG words is a status. ``propose`` turns that
into a kind and a mapping, each column with the reason it was chosen. It is a suggestion: the
Upload page shows it to confirm or change, the command line prints the ``--kind``/``--map``
flags that reproduce it and takes it with ``--accept-suggestions``.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from statistics import median

from config import Config
from data_loaders import values as V
from models import normalise_rag

SAMPLE = 2000  # rows read to decide: enough for a history's repeats, cheap on 50,000 rows
_CODE = re.compile(r"^[\w][\w\-./:#]{0,23}$")  # one token, up to 24 characters
_DIGIT = re.compile(r"\d")


@dataclass
class Suggestion:
    kind: str
    mapping: dict[str, str]  # column label -> field
    reasons: dict[str, str] = field(default_factory=dict)  # column label -> why

    def flags(self) -> str:
        """The command-line options that load the table this way."""
        maps = " ".join(f"--map {shlex.quote(f'{lab}={f}')}" for lab, f in self.mapping.items())
        return f"--kind {self.kind} {maps}".strip()

    def sentences(self) -> list[str]:
        return [f"'{lab}' → {self.mapping[lab]}: {why}" for lab, why in self.reasons.items()]


@dataclass
class _Column:
    label: str
    cells: list  # one per sampled row
    filled: list  # the non-blank cells
    numbers: list[float]
    dates: list
    rag: int
    distinct: int
    codes: int  # cells that are short codes (_is_code)

    @property
    def n(self) -> int:
        return len(self.filled)

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0


def _profile(label: str, cells: list, config: Config) -> _Column:
    filled = [c for c in cells if not V.is_blank(c) and not V.is_missing_text(c)]
    numbers = [x for x in map(_number, filled) if x is not None]
    dates = [d for d in map(V.looks_like_date, filled) if d]
    rag = sum(1 for c in filled if isinstance(c, str) and normalise_rag(c.strip(), config))
    distinct = len({str(c).strip().lower() for c in filled})
    codes = sum(map(_is_code, filled))
    return _Column(label, cells, filled, numbers, dates, rag, distinct, codes)


def _number(v: object) -> float | None:
    if isinstance(v, bool):
        return None
    return V._to_number(v)


def _is_code(v: object) -> bool:
    """One short token with a digit and a letter, a separator or a leading zero (PX-104,
    2014EUSF2011, 005-000001723); a plain number is an amount or a count."""
    s = str(v).strip()
    if not (_CODE.match(s) and _DIGIT.search(s)):
        return False
    return not s.isdigit() or s.startswith("0")


def _texts(col: _Column) -> int:
    return col.n - len(col.numbers) - len(col.dates)


def _example(col: _Column) -> str:
    return V.shown(col.filled[0]) if col.filled else ""


def propose(
    labels: list[str], rows: list[list], taken: list[str | None], config: Config
) -> Suggestion | None:
    """A kind (a risk register, a status report or a project list) and a mapping for the
    columns of ``labels`` not already mapped (``taken``: the field each column has, or None),
    from the values of ``rows``; None when the values show neither an id nor a name."""
    sample = rows[:SAMPLE]
    if len(sample) < 2:
        return None
    cols = [
        _profile(lab, [r[i] if i < len(r) else None for r in sample], config)
        for i, lab in enumerate(labels)
    ]
    have = {f for f in taken if f}
    free = [c for c, f in zip(cols, taken, strict=True) if not f and c.n]
    mapping: dict[str, str] = {}
    reasons: dict[str, str] = {}

    def choose(col: _Column, f: str, why: str) -> None:
        mapping[col.label], reasons[col.label] = f, why
        free.remove(col)
        have.add(f)

    rows_n = len(sample)
    if not have and (register := _risk_register(free, rows_n)):
        return register
    if not {"project_id", "report_date"} & have:
        _history(free, rows_n, choose)
    if "project_id" not in have:
        for c in free:
            unique = c.distinct == c.n and c.n >= 0.9 * rows_n
            if unique and c.share(c.codes) >= 0.9 and not c.dates:
                choose(c, "project_id", f"a unique short code in every row (e.g. {_example(c)})")
                break
    if "name" not in have:
        # the text column that differs most from row to row (a beneficiary, a fund or a
        # region repeats; a description is longer than a name)
        names = [c for c in free if c.n >= 0.9 * rows_n and c.share(_texts(c)) >= 0.9
                 and c.share(c.codes) < 0.5
                 and 4 <= sum(len(str(v)) for v in c.filled) / c.n <= 120]  # fmt: skip
        best = max(names, key=lambda c: c.distinct, default=None)
        if best and best.distinct >= 0.5 * best.n:
            share = f"{best.distinct} different in {best.n} rows"
            choose(best, "name", f"the text that differs most from row to row ({share}, "
                                 f"e.g. {_example(best)})")  # fmt: skip
    if not {"project_id", "name"} & have:
        return None
    _dates(free, have, choose)
    _budget(free, have, choose)
    rag = next((c for c in free if c.share(c.rag) >= 0.8), None)
    if rag and not have & {"overall_rag", "rag_label"}:
        choose(rag, "overall_rag", f"RAG ratings (e.g. {_example(rag)})")
    if not mapping:
        return None
    kind = "status" if "overall_rag" in have or "rag_label" in have else "projects"
    return Suggestion(kind, mapping, reasons)


def _scale(c: _Column) -> bool:
    """A column of 1-5 scores in (nearly) every row: a likelihood or an impact."""
    return c.share(len(c.numbers)) >= 0.9 and all(
        1 <= x <= 5 and float(x).is_integer() for x in c.numbers
    )


def _risk_register(free: list[_Column], rows_n: int) -> Suggestion | None:
    """A risk register: two columns of 1-5 scores (likelihood, then impact) beside a column
    that names each row. Its id is a column of unique codes, its title the text that differs
    most; a date column is when each risk was raised."""
    scales = [c for c in free if c.n >= 0.8 * rows_n and _scale(c)]
    texts = [c for c in free if c.share(_texts(c)) >= 0.9 and c.distinct >= 0.8 * c.n]
    if len(scales) < 2 or not texts:
        return None
    mapping: dict[str, str] = {}
    reasons: dict[str, str] = {}
    code = next(
        (c for c in free if c.distinct == c.n and c.share(c.codes) >= 0.9),
        None,
    )
    if code:
        mapping[code.label], reasons[code.label] = "risk_id", f"unique codes ({_example(code)})"
    title = max((c for c in texts if c is not code), key=lambda c: c.distinct, default=None)
    if title is None:
        return None
    mapping[title.label], reasons[title.label] = (
        "title",
        f"text naming each row ({_example(title)})",
    )
    for c, f in zip(scales, ("likelihood", "impact"), strict=False):
        mapping[c.label], reasons[c.label] = f, f"scores from 1 to 5, the {f} of a risk matrix"
    dated = next((c for c in free if c.share(len(c.dates)) >= 0.8), None)
    if dated:
        mapping[dated.label], reasons[dated.label] = "raised_date", "dates: when each was raised"
    return Suggestion("risks", mapping, reasons)


def _history(free: list[_Column], rows_n: int, choose) -> None:
    """Many rows per project, one per period: a column of codes that repeat and a column of
    years or dates that together differ in every row."""
    keys = [c for c in free if c.share(c.codes) >= 0.9]
    for key in keys:
        if period := _period(key, free, rows_n):
            choose(key, "project_id", f"codes that repeat, once per '{period.label}' "
                   f"({key.distinct} projects in {key.n} rows): a history")  # fmt: skip
            choose(period, "report_date", f"the period of each row ({period.distinct} periods)")
            return


def _period(key: _Column, free: list[_Column], rows_n: int) -> _Column | None:
    """The column of years or dates that tells apart the rows of ``key`` (nine in ten pairs
    differ), a project column whose values repeat (fewer than two thirds distinct): the period
    of a history."""
    if key.n < 0.9 * rows_n or key.distinct > 2 * key.n / 3:
        return None
    for c in free:
        if c is key or c.n < 0.9 * rows_n:
            continue
        if not (all(map(V.year_of, c.filled)) or c.share(len(c.dates)) >= 0.9):
            continue
        pairs = {(a, b) for a, b in zip(key.cells, c.cells, strict=True) if a and b}
        if len(pairs) >= 0.9 * min(key.n, c.n):  # a few duplicates are reported as such
            return c
    return None


def history_period(
    labels: list[str], rows: list[list], taken: list[str | None], config: Config
) -> tuple[str, str] | None:
    """For a table whose project column is known by its name and repeats: the unmapped column
    of years or dates that makes it a history, and the sentence that says so; else None."""
    if "report_date" in taken or not {"project_id", "name"} & set(taken):
        return None
    sample = rows[:SAMPLE]
    cols = [
        _profile(lab, [r[i] if i < len(r) else None for r in sample], config)
        for i, lab in enumerate(labels)
    ]
    key = cols[taken.index("project_id" if "project_id" in taken else "name")]
    free = [c for c, f in zip(cols, taken, strict=True) if not f]
    period = _period(key, free, len(sample))
    if period is None:
        return None
    return period.label, (
        f"'{key.label}' repeats, once per '{period.label}' ({key.distinct} projects in "
        f"{key.n} rows): '{period.label}' loads as the report date (a history)"
    )


def _dates(free: list[_Column], have: set[str], choose) -> None:
    """A start and an end: the first two date columns where the first is on or before the
    second in nine rows of ten."""
    if {"start_date", "end_date"} & have:
        return
    dated = [c for c in free if c.n and c.share(len(c.dates)) >= 0.8]
    for i, a in enumerate(dated):
        for b in dated[i + 1 :]:
            pairs = [(x, y) for x, y in zip(_by_row(a), _by_row(b), strict=True) if x and y]
            ordered = sum(1 for x, y in pairs if x <= y)
            if pairs and ordered >= 0.9 * len(pairs):
                why = f"dates on or before '{b.label}' in {ordered} of {len(pairs)} rows"
                choose(a, "start_date", why)
                choose(b, "end_date", f"dates on or after '{a.label}'")
                return


def _by_row(col: _Column) -> list:
    return [V.looks_like_date(c) for c in col.cells]


def _budget(free: list[_Column], have: set[str], choose) -> None:
    """The budget: the column of the largest amounts (money-sized: a median of 1,000 or
    more, not years)."""
    if "budget" in have:
        return
    money = [
        c for c in free
        if c.n and c.share(len(c.numbers)) >= 0.8 and not c.dates
        and median(c.numbers) >= 1000 and not all(1900 <= x <= 2100 for x in c.numbers)
    ]  # fmt: skip
    if money:
        best = max(money, key=lambda c: median(c.numbers))
        size = f"median {median(best.numbers):,.0f}"
        choose(best, "budget", f"the largest amounts in the table ({size})")
