"""Registers (risks, RAID items, decisions, milestones, benefits): what their rows need beyond
the column mapping.

- **Generated ids.** A register without an id column gets ids made from the project and the
  row's title, normalised (case, accents' composed form, spaces and punctuation ignored):
  ``R-`` and 8 hex digits of a hash. The same register uploaded next week gives the same ids,
  so it updates instead of adding a second copy; two rows with the same title in one file get
  one id and are reported as duplicates.
- **Marked scales.** Likelihood or impact marked by an X (or any single mark) in one of five
  columns headed ``1 … 5``, ``Very low … Very high`` or ``Rare … Almost certain`` under a
  ``Likelihood`` / ``Impact`` heading: the heading is spread over its five columns so that
  each reads ``Likelihood 3``, and the marked column gives the score.
- **Opportunities.** A negative impact (score or cost) or a type that says opportunity loads as
  a risk flagged ``opportunity``, with its impact as a positive size.
- **A load that stores nothing.** A table whose only column we read is the project id holds
  nothing we would store: it is not a valid load.

Pure functions: no database, no Streamlit.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from data_loaders import values as V
from vocabulary.fields import norm

# Prefix of a generated id, per canonical table.
ID_PREFIX = {
    "risks": "R",
    "raid_items": "RAID",
    "decisions": "DEC",
    "milestones": "MS",
    "benefits": "B",
}
ID_FIELD = {
    "risks": "risk_id",
    "raid_items": "item_id",
    "decisions": "decision_id",
    "milestones": "milestone_id",
    "benefits": "benefit_id",
}
# The fields whose text names a row, in order of preference (the first non-empty one is used).
TITLE_FIELDS = {
    "risks": ("title", "description"),
    "raid_items": ("description",),
    "decisions": ("rationale", "_decision_text"),
    "milestones": ("name",),
    "benefits": ("title",),
}
ROW_WORDS = {
    "risks": "risks",
    "raid_items": "items",
    "decisions": "decisions",
    "milestones": "milestones",
    "benefits": "benefits",
}


def normal_title(text: object) -> str:
    """A title as compared for its id: case, spacing and punctuation ignored (``Supplier
    delay!`` and ``supplier  delay`` are one title); letters and digits of any script kept."""
    s = unicodedata.normalize("NFKC", str(text or "")).casefold()
    s = re.sub(r"[\W_]+", " ", s)
    return " ".join(s.split())


def generated_id(table: str, project_id: object, title: object) -> str | None:
    """``R-1A2B3C4D`` for a risk of ``project_id`` titled ``title``; None without a title."""
    key = normal_title(title)
    if not key:
        return None
    digest = hashlib.sha256(f"{str(project_id or '').strip()}\x1f{key}".encode()).hexdigest()
    return f"{ID_PREFIX[table]}-{digest[:8].upper()}"


def _titles(table: str, cols: dict[str, list], n: int) -> list[object]:
    """Each row's naming text; a decision without words is named by forum, date and outcome."""
    out: list[object] = [None] * n
    for f in TITLE_FIELDS[table]:
        vals = cols.get(f) or [None] * n
        out = [o if not V.is_blank(o) else v for o, v in zip(out, vals, strict=True)]
    if table == "decisions":
        parts = [cols.get(f) or [None] * n for f in ("forum", "decision_date", "decision")]
        out = [
            o if not V.is_blank(o) else " ".join(str(p) for p in ps if not V.is_blank(p)) or None
            for o, *ps in zip(out, *parts, strict=True)
        ]
    return out


def fill_ids(table: str, cols: dict[str, list], project_col: list) -> str | None:
    """Give ``cols`` generated ids when the register has no id column; returns the sentence
    that says so (None when the register has its own ids). Rows with an id keep it."""
    f = ID_FIELD[table]
    n = len(project_col)
    given = cols.get(f)
    if given is not None and all(not V.is_blank(v) for v in given):
        return None
    titles = _titles(table, cols, n)
    own = given or [None] * n
    cols[f] = [
        v if not V.is_blank(v) else generated_id(table, p, t)
        for v, p, t in zip(own, project_col, titles, strict=True)
    ]
    made = sum(1 for v in own if V.is_blank(v))
    named = " or ".join(f.lstrip("_").replace("_", " ") for f in TITLE_FIELDS[table][:2])
    where = "no id column" if given is None else f"{made} rows without an id"
    return (
        f"{where}: ids generated from the project and the {named} ({ID_PREFIX[table]}- and 8 "
        "characters of a hash; case, spaces and punctuation ignored), so the same register "
        f"uploaded again updates these {ROW_WORDS[table]} instead of adding them twice"
    )


def explain_duplicate(message: str) -> str:
    """A duplicate-key message for rows whose id was generated: they share a title."""
    return message + " (no id column: both rows have the same title, so they are one item)"


# --- likelihood and impact marked in five columns ---------------------------------------------

_GROUP = re.compile(
    r"^(?P<res>residual |inherent |net |gross |post mitigation |pre mitigation )?"
    r"(?P<what>likelihood|probability|impact|consequence|severity)( score| rating)?$"
)
_GROUP_BASE = {"likelihood": "likelihood", "probability": "likelihood", "impact": "impact",
               "consequence": "impact", "severity": "impact"}  # fmt: skip
_RESIDUAL = {"residual ", "net ", "post mitigation "}


def _mark_level(cell: object) -> int | None:
    """The 1-5 point a column heading names: ``3``, ``Very high``, ``Almost certain``."""
    if isinstance(cell, bool) or V.is_blank(cell):
        return None
    if isinstance(cell, (int, float)):
        return int(cell) if float(cell).is_integer() and 1 <= cell <= 5 else None
    key = norm(cell)
    if re.fullmatch(r"[1-5]", key):
        return int(key)
    lead = re.match(r"^([1-5]) ", key)  # "5 - Almost certain"
    if lead:
        return int(lead.group(1))
    return V.SCALE_WORDS.get(key)


def _group_of(cell: object) -> str | None:
    """``Likelihood``, ``Residual impact`` -> the header base our scale columns use."""
    if not isinstance(cell, str):
        return None
    m = _GROUP.match(norm(cell))
    if not m:
        return None
    res = m.group("res")
    prefix = "Residual " if res in _RESIDUAL else ""
    return prefix + _GROUP_BASE[m.group("what")].capitalize()


def _runs(levels: list[int | None]) -> list[tuple[int, int]]:
    """(start, end) of runs of at least three columns whose points rise by one (1..5)."""
    out, i = [], 0
    while i < len(levels):
        if levels[i] is None:
            i += 1
            continue
        j = i
        while j + 1 < len(levels) and levels[j + 1] == levels[j] + 1:
            j += 1
        if j - i >= 2:
            out.append((i, j))
        i = j + 1
    return out


def mark_header(upper: list, lower: list) -> list[str] | None:
    """The header of a register that marks likelihood and impact in point columns: ``lower``
    holds the points (``1 … 5`` or their words), ``upper`` the heading over them (often one
    merged cell: above the first point or above all of them). Returns the joined header
    (``Likelihood 3``; other columns keep the label of whichever row has one), or None when
    there is no such run under a likelihood or impact heading."""
    width = max(len(upper), len(lower))
    up = [upper[i] if i < len(upper) else None for i in range(width)]
    low = [lower[i] if i < len(lower) else None for i in range(width)]
    levels = [_mark_level(c) for c in low]
    names: dict[int, str] = {}
    for start, end in _runs(levels):
        filled = [up[i] for i in range(start, end + 1) if not V.is_blank(up[i])]
        groups = {_group_of(c) for c in filled}
        if len(groups) != 1 or None in groups:  # one heading over the run (a merged cell,
            continue  # read into its first cell or into all of them)
        group = groups.pop()
        for i in range(start, end + 1):
            names[i] = f"{group} {levels[i]}"
    if not names:
        return None
    out = []
    for i in range(width):
        if i in names:
            out.append(names[i])
            continue
        a = "" if V.is_blank(up[i]) else str(up[i]).strip()
        b = "" if V.is_blank(low[i]) else str(low[i]).strip()
        out.append(b or a)
    return out


def read_marks(points: dict[int, list], n: int) -> tuple[list, list[tuple[int, str]]]:
    """One score per row from its point columns (point -> cells): the point whose cell holds a
    mark. A row marked in two columns is left empty and reported (position, message)."""
    out: list[int | None] = []
    notes: list[tuple[int, str]] = []
    for r in range(n):
        marked = [p for p, cells in sorted(points.items()) if not V.is_blank(cells[r])]
        marked = [p for p in marked if str(points[p][r]).strip().lower() not in _NO_MARK]
        if len(marked) > 1:
            notes.append((r, f"marked in {len(marked)} columns ({', '.join(map(str, marked))})"))
            out.append(None)
        else:
            out.append(marked[0] if marked else None)
    return out, notes


_NO_MARK = {"0", "no", "n", "-", "false", "none"}


# --- opportunities -----------------------------------------------------------------------------

_OPPORTUNITY = re.compile(r"opp?ortun|upside", re.I)
_THREAT = re.compile(r"threat|downside", re.I)


def says_opportunity(value: object) -> bool | None:
    """True for a type that says opportunity (any language that spells it so: opportunité,
    oportunidad), False for one that says threat, None otherwise."""
    if not isinstance(value, str):
        return None
    if _OPPORTUNITY.search(value):
        return True
    if _THREAT.search(value):
        return False
    return None


def negatives(column: list) -> tuple[list, list[bool]]:
    """A likelihood/impact or cost column with its negative numbers made positive, and which
    rows were negative (an opportunity's impact is written below zero by many registers)."""
    out, neg = [], []
    for v in column:
        num = V._to_number(v) if not isinstance(v, bool) else None
        if num is not None and num < 0:
            out.append(-num)
            neg.append(True)
        else:
            out.append(v)
            neg.append(False)
    return out, neg


def opportunity_flags(cols: dict[str, list], negative: list[bool] | None, n: int) -> list | None:
    """The ``opportunity`` column: True where the impact was negative or the type says
    opportunity, False where the type says threat, else None. None when nothing says either."""
    kinds = cols.pop("_threat_or_opportunity", None)
    cats = cols.get("category") or [None] * n
    said = [
        says_opportunity(k) if says_opportunity(k) is not None else says_opportunity(c)
        for k, c in zip(kinds or [None] * n, cats, strict=True)
    ]
    neg = negative or [False] * n
    flags = [True if g else s for s, g in zip(said, neg, strict=True)]
    return flags if any(f is not None for f in flags) else None


# --- a load that stores nothing ------------------------------------------------------------------

# Fields that only place a row (whose project, which week): on their own they store no data.
PLACING = {"project_id", "report_date", "_project_name"}


def stores_nothing(fields: list[str | None]) -> bool:
    """True when the mapped columns are only placing ones (the project id, the report date):
    such a load would write no value of the file beyond the project id."""
    mapped = {f.split("=")[0] for f in fields if f}
    return bool(mapped) and mapped <= PLACING
