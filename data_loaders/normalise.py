"""The one normalise-and-validate step: raw cells of any source in, canonical values out.

Every source delivers raw values as it read them plus a mapping (canonical field -> its column):
an uploaded sheet (Excel, CSV) after the sheet parser has found its header and columns
(``data_loaders.sheet``), a SQL source as the rows its driver returned (``data_loaders.sync``).
The same rules then read them, so the same value means the same thing wherever it came from:

- ``column(field, cells, config)`` reads one column by the field's type (``fields.TYPES``):
  placeholders (``[ingest] placeholders``: ``TBC``, ``n/a``) become empty with a warning, then
  booleans, dates, money and numbers, percentages, RAG words (``rag_labels``), risk scale words
  (``[risk] scales``) and text are read by the rules of ``data_loaders.values``. It returns the
  values and notes ``(position, value, message, severity)``.
- ``table(name, raw, mapping, config, label)`` reads a whole raw table with its mapping (a SQL
  source's) and returns the canonical frame plus ``report.Problem`` rows.
- ``frame(name, cols, n)`` gives a table its canonical dtypes, for every source.

What legitimately differs between sources is said here, not hidden in two converters:

- **Typed values.** A SQL driver returns ``datetime``, ``date``, ``Decimal``, ``bool`` and
  ``int``; a sheet returns the same types from typed cells and text from a CSV. The rules accept
  both: a datetime is its date, a Decimal a number, True/1 yes.
- **Excel date serials.** A number in a date column is an Excel serial (46083 = 2026-03-02)
  only in a sheet (``serials=True``). A SQL source has DATE columns: a number there is an
  error, never a day counted from 1899.
- **Explicit maps first.** A SQL source's ``[tables.X.values]`` and ``[tables.X.scales]`` apply
  before the word tables. A ``values`` map is the owner's words for a field: a word it does not
  list is read by the shared rule (the RAG words, the decision words); when that cannot read it
  either, or the field is text, it is an error naming the map to extend. A ``scales`` map is
  exhaustive: its keys are the source's own codes (their 3 may be our 5), so an unlisted value
  is an error rather than read as a number of our 1-5 scale.
- **Outcome of a problem.** The notes are the same; what follows differs by source, on purpose.
  An upload skips the row of an impossible value or of a bad required value and leaves a bad
  optional cell empty with a warning (``sheet._outcomes``): a PM fixes one row. A SQL sync is
  all-or-nothing (each sync is the source's whole picture), so any error rejects it.
- **Units.** A sheet's money column may state a unit in its header or title (``£m``); a SQL
  column has no header, so its numbers are currency units. Money written as text (``£1.2m``,
  ``250,000``) is read by the one number rule in both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

import models
from config import Config
from data_loaders import units
from data_loaders import values as V
from data_loaders.report import ERROR, WARNING, Problem
from vocabulary.fields import TYPES

Note = V.Note


def scale_words(config: Config) -> dict[str, int]:
    """The risk scale words: the built-in table, with ``[risk] scales`` on top (the PMO's own
    words win)."""
    own = {" ".join(str(k).lower().replace("-", " ").split()): int(v)
           for k, v in config.risk.scales.items()}  # fmt: skip
    return {**V.SCALE_WORDS, **own}


def placeholders(f: str, cells: list, is_placeholder, config: Config) -> tuple[list, list[Note]]:
    """Placeholder words (``TBC``, ``n/a``, ``Exempt…``) become empty cells with a warning naming
    the value. A RAG word in the RAG table (``n/a`` is Grey) stays a rating."""
    rag = TYPES.get(f) == "rag"
    # decided once per distinct text: a column of 50,000 cells holds few placeholder words
    found = {
        v for v in {v for v in cells if isinstance(v, str)}
        if is_placeholder(v) and not (rag and _rates(v, config))
    }  # fmt: skip
    if not found:
        return cells, []
    out, notes = [], []
    for pos, v in enumerate(cells):
        if isinstance(v, str) and v in found:
            out.append("")
            notes.append((pos, v, f"placeholder {quote(v)}: no value", WARNING))
        else:
            out.append(v)
    return out, notes


def parse(
    f: str, cells: list, config: Config, serials: bool = True, header: str = ""
) -> tuple[dict, list[Note]]:
    """The column's values (one or more fields) and its notes ``(pos, value, message, sev)``.

    ``rag_label`` gives ``overall_rag`` too (the rating it names) and ``_rag_text`` (a label that
    is not a rating); ``decision`` gives ``_decision_text`` (the words, kept as rationale)."""
    kind = TYPES.get(f, "text")
    if kind == "date":
        # "Q3 2024" as a start is the quarter's first day; as an end or due date, its last
        start = f in ("start_date", "raised_date")
        vals, notes = V.dates(cells, config, serials=serials, quarter_end=not start)
    elif kind in ("money", "number"):
        vals, notes = V.number(cells)
    elif kind == "percent":
        vals, notes = V.percent(cells)
    elif kind == "scale":
        vals, notes = V.scale(cells, scale_words(config), header)
    elif kind == "bool":
        vals, notes = V.boolean(cells)
    elif kind == "decision":
        vals, notes = V.decision(cells)
        texts, _ = V.text(cells)
        return {"decision": vals, "_decision_text": texts}, notes
    elif kind == "rag":
        vals, rag_labels, notes = V.rag(cells, config)
        if f == "rag_label":
            # A label that is not a rating ("Ongoing") only fills in when no column rates; rows
            # left without a rating are reported once the columns are combined ("no RAG").
            notes = [n for n in notes if not n[2].startswith("not a RAG rating")]
            rated = [lab if v else None for v, lab in zip(vals, rag_labels, strict=True)]
            other = [lab if not v else None for v, lab in zip(vals, rag_labels, strict=True)]
            return {"overall_rag": vals, "rag_label": rated, "_rag_text": other}, notes
        return {f: vals}, notes
    else:
        vals, notes = V.text(cells)
    return {f: vals}, notes


def column(
    f: str, cells: list, config: Config, serials: bool = True, is_placeholder=None, header: str = ""
) -> tuple[dict[str, list], list[Note]]:
    """One raw column read as field ``f``: placeholders blanked, then typed by the one rule.

    ``serials``: a number in a date column is an Excel date serial (sheets only).
    ``is_placeholder``: a matcher made once per file (``values.placeholder_matcher``).
    ``header``: the column's header as written; it may say how a scale is numbered
    (``Impact (1 = High, 3 = Low)``)."""
    match = is_placeholder or V.placeholder_matcher(config.ingest.placeholders)
    cells, notes = placeholders(f, list(cells), match, config)
    parsed, more = parse(f, cells, config, serials, header)
    return parsed, notes + more


def frame(table: str, cols: dict[str, list], n: int) -> pd.DataFrame:
    """The canonical fields of ``cols`` as a frame with the canonical dtypes: dates as
    datetime64, money, numbers, percentages and scales as float, booleans as
    boolean, text as text."""
    data = {f: cols[f] for f in models.FIELDS[table] if cols.get(f) is not None}
    df = pd.DataFrame(data, index=range(n))
    for f in models.DATE_FIELDS[table]:
        if f in df:
            df[f] = pd.to_datetime(df[f]).astype("datetime64[ns]")
    for f in df.columns:
        t = TYPES.get(f)
        if t in ("money", "number", "percent", "scale"):  # a scale as written: 2.5 (0007)
            df[f] = pd.to_numeric(df[f]).astype(float)
        elif t == "bool":
            df[f] = pd.array(df[f], dtype="boolean")
        elif f not in models.DATE_FIELDS[table] and df[f].dtype != "str":
            df[f] = df[f].astype("str")  # text with no value at all (or no rows) is still text
    return df


# --- a whole raw table with a mapping (SQL sources) -----------------------------------------


@dataclass(frozen=True)
class Mapping:
    """How a raw table maps to a canonical table: field -> its column, plus explicit value maps
    (field -> {source word: canonical word}) and scale maps (field -> {source value: 1-5}).
    ``where`` names the definition's section in problems (``tables.risks``)."""

    columns: dict[str, str]
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    scales: dict[str, dict[str, int]] = field(default_factory=dict)
    where: str = ""


def key(value: object) -> str:
    """A value as a map key: trimmed, lower case, whole numbers without '.0'."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip().lower()


def table(
    name: str, raw: pd.DataFrame, mapping: Mapping, config: Config, label: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Type, clean and validate one raw table (values as read, one column per source column)
    into canonical table ``name``. Problems name the source column and the row (1-based)."""
    n = len(raw)
    cols: dict[str, list] = {}
    problems: list[Problem] = []
    is_placeholder = V.placeholder_matcher(config.ingest.placeholders)
    for f, col in mapping.columns.items():
        cells = list(raw[col])
        mapped, unlisted = _explicit(f, cells, mapping)
        parsed, notes = column(f, mapped, config, serials=False, is_placeholder=is_placeholder)
        vals = parsed.get(f, next(iter(parsed.values())))
        bad = {pos for pos in unlisted if f in mapping.scales or _unread(f, vals[pos])}
        problems += _unmapped(label, col, f, mapping, [(cells[p], p) for p in sorted(bad)])
        # how a column was read (V.INFERENCE) is no problem of the source's data
        found = [_problem(label, col, f, note) for note in notes
                 if note[0] not in bad and note[3] != V.INFERENCE]  # fmt: skip
        problems += _capped(found, label, col)
        for out, values in parsed.items():
            # rag_label also rates (overall_rag): a second column for a field fills the gaps
            # of the first, as in a sheet
            have = cols.get(out)
            cols[out] = values if have is None else _fill(have, values)
    if "_rag_text" in cols:  # a label that is no rating is still the label
        rated = cols.get("rag_label") or [None] * n
        cols["rag_label"] = [a or b for a, b in zip(rated, cols.pop("_rag_text"), strict=True)]
    rated = "overall_rag" in mapping.columns and "rag_label" not in mapping.columns
    if name == "status_reports" and rated:  # the source's own word is the label, as typed
        cols["rag_label"], _ = V.text(list(raw[mapping.columns["overall_rag"]]))
    if name == "decisions" and "rationale" not in mapping.columns and "_decision_text" in cols:
        cols["rationale"] = cols["_decision_text"]  # the decision as written, as in a sheet
    if "currency" in models.FIELDS[name] and "currency" not in mapping.columns:
        cols["currency"] = _stated_currency(raw, mapping)
    return frame(name, cols, n), problems


# A source of a million rows with one bad column would list a million problems: the first of
# each column and kind say what to fix.
PER_COLUMN = 20


def _capped(found: list[Problem], label: str, col: str) -> list[Problem]:
    out, kept, more = [], {ERROR: 0, WARNING: 0}, {ERROR: 0, WARNING: 0}
    for p in found:
        if kept[p.severity] < PER_COLUMN:
            kept[p.severity] += 1
            out.append(p)
        else:
            more[p.severity] += 1
    out += [
        Problem(label, None, col, None, f"{n:,} more row(s) like these", severity)
        for severity, n in more.items()
        if n
    ]
    return out


def _fill(first: list, second: list) -> list:
    return [a if a is not None else b for a, b in zip(first, second, strict=True)]


def _explicit(f: str, cells: list, mapping: Mapping) -> tuple[list, list[int]]:
    """The source's own map applied first; returns the cells and the positions it does not list.

    A scales map is exhaustive: an unlisted value is left out (empty) and reported."""
    table_map = mapping.scales.get(f) or mapping.values.get(f)
    if not table_map:
        return cells, []
    lookup = {key(k): v for k, v in table_map.items()}
    out, unlisted = [], []
    for pos, v in enumerate(cells):
        if V.is_blank(v):
            out.append(None)
            continue
        mapped = lookup.get(key(v))
        if mapped is None:
            unlisted.append(pos)
            mapped = None if f in mapping.scales else v
        out.append(mapped)
    return out, unlisted


def _unread(f: str, value: object) -> bool:
    """A value a values map does not list is an error when the shared rule cannot read it
    either; a text field has no shared words, so the map is its whole vocabulary."""
    return value is None or TYPES.get(f, "text") in ("text", "id")


def _unmapped(label, col, f, mapping: Mapping, bad: list[tuple[object, int]]) -> list[Problem]:
    groups: dict[str, list[int]] = {}
    for value, pos in bad:
        groups.setdefault(str(value), []).append(pos + 1)
    where = "scales" if f in mapping.scales else "values"
    return [
        Problem(
            label,
            rows[0],
            col,
            value,
            f"{f}: {value!r} does not map ({len(rows)} row(s)); add it to "
            f"[{mapping.where}.{where}.{f}]",
        )
        for value, rows in groups.items()
    ]


def _problem(label: str, col: str, f: str, note: Note) -> Problem:
    pos, value, message, severity = note
    # a source read whole: what cannot be true is an error like any other unreadable value
    severity = ERROR if severity in (ERROR, V.IMPOSSIBLE) else WARNING
    shown = None if value is None else V.text([value])[0][0] or str(value)
    return Problem(label, pos + 1 if pos >= 0 else None, col, shown, f"{f}: {message}", severity)


def _stated_currency(raw: pd.DataFrame, mapping: Mapping) -> list[str | None]:
    """Each row's currency as its money cells state it (``£1.2m`` is GBP), or None (the
    portfolio currency is filled in later, ``units.with_currency``)."""
    money = [c for f, c in mapping.columns.items() if TYPES.get(f) == "money"]
    out = []
    for row in zip(*(raw[c] for c in money), strict=True) if money else [()] * len(raw):
        out.append(next((c for c in map(units.currency_in_text, row) if c), None))
    return out


def quote(v: object, limit: int = 40) -> str:
    """A cell quoted in a message: one line, long text cut with an ellipsis."""
    text = " ".join(str(v).split())
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def _rates(v: str, config: Config) -> bool:
    low = v.strip().lower()
    return bool(models.normalise_rag(v, config)) or low.startswith(
        ("exempt", "redacted", "withheld")
    )


__all__ = ["Mapping", "column", "frame", "key", "parse", "placeholders", "scale_words", "table"]
