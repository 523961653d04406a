"""Finding the table in a sheet: the header row (by known column names, a remembered layout,
or the shape of typed rows under distinct labels), a transposed table turned, two-row headers
joined, the title block's values (project, report date, reporter), and whether rows under
known headers are a form rather than data. Pure: cells in, positions and labels out.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from data_loaders import registers
from data_loaders import values as V
from vocabulary.fields import KINDS, TYPES, lookup, norm

HEADER_SCAN = 30


SCALE_X = re.compile(r"^(residual |inherent )?(likelihood|probability|impact) ([1-5])$")


@dataclass
class Context:
    """Values that apply to the whole sheet: from the title block or the command line."""

    project_id: str | None = None
    project_name: str | None = None
    report_date: date | None = None
    reported_by: str | None = None
    units: dict[str, str] = field(default_factory=dict)  # column or field -> m, k or 1
    kind: str | None = None  # what a table holds when its column names say nothing we know
    columns: dict[str, str] = field(default_factory=dict)  # header -> field ("" = ignore)
    accept_suggestions: bool = False  # load a table as its values suggest (suggest.propose)
    # report_date replaces the one date the sheet states (a cached =TODAY(), a wrong title)
    replace_report_date: bool = False


def trim(rows: list[list]) -> list[list]:
    out = []
    for r in rows:
        if type(r) is not list or (r and V.is_blank(r[-1])):  # a copy only to cut it
            r = list(r)
            while r and V.is_blank(r[-1]):
                r.pop()
        out.append(r)
    while out and not out[-1]:
        out.pop()
    return out


def _cell_field(cell: object) -> str | None:
    if not isinstance(cell, str):
        return None
    for kind in KINDS:
        f = lookup(kind, cell)
        if f:
            return f
    return None


def row_score(row: list) -> int:
    return len({f for f in map(_cell_field, row) if f})


def find_header(rows: list[list]) -> tuple[int | None, int]:
    best, best_score = None, 1
    for i, row in enumerate(rows[:HEADER_SCAN]):
        texts = [c for c in row if isinstance(c, str) and c.strip()]
        if len(texts) < 2:
            continue
        score = row_score(row)
        if score > best_score:
            best, best_score = i, score
    return best, best_score


def looks_transposed(rows: list[list], best_score: int) -> bool:
    """Field names down column A (one project per column) score higher than any header row."""
    wide = rows and len(rows[0]) >= 2 and any(not V.is_blank(c) for c in rows[0][1:])
    if not wide:  # no project headings across row 1: no need to look up column A
        return False
    col = [r[0] if r else "" for r in rows[:400]]
    fields_down = {f for f in map(_cell_field, col) if f}
    return len(fields_down) >= 4 and len(fields_down) > best_score * 2


def transpose(rows: list[list]) -> list[list]:
    width = max(len(r) for r in rows)
    # Only columns with a project heading in row 1 hold data; the rest is a claimed dimension.
    cols = [c for c in range(width) if c == 0 or (c < len(rows[0]) and not V.is_blank(rows[0][c]))]
    return [[(r[c] if c < len(r) else "") for r in rows] for c in cols]


def all_text(row: list) -> bool:
    cells = [c for c in row if not V.is_blank(c)]
    return bool(cells) and all(isinstance(c, str) for c in cells)


def merge_header(upper: list, lower: list) -> list[str]:
    out = []
    for i in range(max(len(upper), len(lower))):
        up = str(upper[i]).strip() if i < len(upper) and not V.is_blank(upper[i]) else ""
        low = str(lower[i]).strip() if i < len(lower) and not V.is_blank(lower[i]) else ""
        both = f"{up} {low}".strip()
        if up and low and not (_cell_field(both) or SCALE_X.match(norm(both))):
            both = low if _cell_field(low) else both
        out.append(both)
    return out


def header_score(header: list[str]) -> int:
    found = {_cell_field(c) or (norm(c) if SCALE_X.match(norm(c)) else None) for c in header}
    return len(found - {None})


def title_block(rows: list[list], until: int) -> tuple[Context, list[date]]:
    ctx = Context()
    loose_dates: list[date] = []
    for row in rows[:until]:
        cells = [(i, c) for i, c in enumerate(row) if not V.is_blank(c)]
        # a title cell of several "Label: value" lines reads like separate title lines
        cells = [(i, line) for i, c in cells for line in _lines(c)]
        for n, (_, c) in enumerate(cells):
            if isinstance(c, (date,)):
                loose_dates.append(c if not hasattr(c, "date") else c.date())
            if not isinstance(c, str):
                continue
            label, _, rest = c.partition(":")
            value = rest.strip() or (cells[n + 1][1] if n + 1 < len(cells) else None)
            if not rest.strip() and not c.strip().endswith(":"):
                continue
            key = norm(label)
            said = lookup("status", label)  # "Stichtag:", "Naziv projekta:" in other languages
            if said == "name" or key in ("project", "programme name", "programme"):
                if isinstance(value, str) and value.strip():
                    ctx.project_name = value.strip()
            elif said == "project_id" or key in ("project ref", "project code"):
                ctx.project_id = V.text([value])[0][0]
            elif said == "report_date" or key in (
                "report date", "reporting date", "last update", "last updated", "as of",
                "as at", "status date", "date", "week ending", "snapshot date",
            ):  # fmt: skip
                d = V._one_date(value, True)
                if d:
                    ctx.report_date = d
            elif key in ("prepared by", "reported by", "author") and isinstance(value, str):
                ctx.reported_by = value.strip()
    return ctx, loose_dates


def marked_header(rows: list[list], h: int) -> tuple[list[str], int] | None:
    """A register that marks likelihood / impact in five point columns: the heading row and the
    row of points (``1 … 5``) joined, whichever of the two rows the header was found on."""
    if h + 1 < len(rows):
        joined = registers.mark_header(rows[h], rows[h + 1])
        if joined:
            return joined, h + 2
    if h > 0:
        joined = registers.mark_header(rows[h - 1], rows[h])
        if joined:
            return joined, h + 1
    return None


def _lines(cell: object) -> list:
    if not isinstance(cell, str) or "\n" not in cell:
        return [cell]
    return [line for line in cell.splitlines() if line.strip()]


def shape_header(rows: list[list]) -> int | None:
    """A header we cannot read by its names, found by its shape: a row of at least three
    distinct short text labels over data rows that fill its columns with typed values (a number
    or a date in at least one column of most rows). Forms ("Label:" cells) and lists of words
    are not tables."""
    for i, row in enumerate(rows[:HEADER_SCAN]):
        cols = [j for j, c in enumerate(row) if not V.is_blank(c)]
        texts = [row[j] for j in cols]
        if len(cols) < 3 or not all(isinstance(c, str) and len(c) <= 200 for c in texts):
            continue
        keys = [norm(c) for c in texts]
        if any(c.strip().endswith(":") for c in texts) or len(set(keys)) < len(keys):
            continue
        if typed_rows_below(rows, i):
            return i
    return None


def typed_rows_below(rows: list[list], i: int) -> bool:
    """At least two of the rows under row ``i`` fill half its labelled columns, most of them
    with a number or a date: data, not the answer lines of a form."""
    cols = [j for j, c in enumerate(rows[i]) if not V.is_blank(c)]
    below = [r for r in rows[i + 1 : i + 7] if r][:5]
    filled = [
        r for r in below if sum(1 for j in cols if j < len(r) and not V.is_blank(r[j])) * 2
        >= len(cols)
    ]  # fmt: skip
    typed = [r for r in filled if any(j < len(r) and is_typed(r[j]) for j in cols)]
    return len(filled) >= 2 and len(typed) * 2 >= len(filled) + 1


def is_typed(v: object) -> bool:
    """A number or a date, as a typed cell or as text (every cell of a CSV is text)."""
    if isinstance(v, bool) or V.is_blank(v):
        return False
    if isinstance(v, (int, float, date)):
        return True
    return V._to_number(v) is not None or V.looks_like_date(v) is not None


def remembered_header(rows: list[list], mappings: dict[str, dict[str, str]]) -> int | None:
    """The row whose column labels make a layout the PM mapped before (even one data row)."""
    for i, row in enumerate(rows[:HEADER_SCAN]):
        if sum(1 for c in row if isinstance(c, str) and c.strip()) < 2:
            continue
        if (
            layout_key(column_labels([str(c) if not V.is_blank(c) else "" for c in row]))
            in mappings
        ):
            return i
    return None


def column_labels(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        base = re.sub(r"\s+", " ", str(h)).strip() or "(blank)"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} ({seen[base]})")
    return out


def layout_key(labels: list[str]) -> str:
    return hashlib.sha256("|".join(norm(h) for h in labels).encode()).hexdigest()[:32]


_TYPED_CELLS = {int, float, date, datetime}  # exact types: a bool is not a number here


def a_form(data: list[list], fields: list, labels: list[str]) -> str | None:
    """Why rows under known headers are a form, not a table: the columns that should hold
    dates and figures hold words ("Delegated Expenditure", "Please add the baseline date"):
    fewer than a third of their cells, placeholders aside, read as a date or a number."""
    typed_at = [
        i for i, f in enumerate(fields)
        if f and TYPES.get(f.split("=")[0]) in ("date", "money", "number", "percent")
    ]  # fmt: skip
    cells, words = 0, []
    for r in data:
        for i in typed_at:
            v = r[i]
            # A number or date cell (most of a table's, 300,000 in a 50,000-row sheet) is
            # typed: decided by its type alone; NaN, bool and text take the rules below.
            if type(v) in _TYPED_CELLS and v == v:
                cells += 1
            elif not V.is_blank(v) and not V.is_missing_text(v):
                cells += 1
                if not is_typed(v):
                    words.append(v)
    if len(words) < 3 or len(words) * 3 < cells * 2:
        return None
    where = ", ".join(f"'{labels[i]}'" for i in typed_at[:3])
    return (
        f"a form, not a table: the cells under {where} hold words ({V.shown(words[0])} …), "
        "not dates or figures"
    )
