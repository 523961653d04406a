"""One sheet: find the table, recognise its kind, map the columns, normalise the values.

Pure: no database. Returns canonical frames plus the sheet's part of the report. Project
references are checked against the database and the whole file later (``ingest``).

Outcome per row: a value that cannot be true (a negative cost, end before start, likelihood 9,
a date in 1899) or a missing or unreadable required value (project, report date, key) skips
its row; an unreadable optional value (text in a number column) and a placeholder (``TBC``)
leave the cell empty with a warning. Every other row loads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

import models
from config import Config
from data_loaders import limits, normalise, registers, suggest, units
from data_loaders import values as V
from data_loaders.guard import column_letters
from data_loaders.read import RawSheet
from data_loaders.report import (
    BLANKED,
    ERROR,
    NO_RAG,
    SKIPPED,
    WARNED,
    WARNING,
    Problem,
    SheetReport,
    as_typed,
    schema_problems,
)
from data_loaders.table import (
    HEADER_SCAN,
    SCALE_X,
    Context,
    a_form,
    all_text,
    column_labels,
    find_header,
    header_score,
    layout_key,
    looks_transposed,
    marked_header,
    merge_header,
    remembered_header,
    row_score,
    shape_header,
    title_block,
    transpose,
    trim,
    typed_rows_below,
)
from vocabulary.fields import (
    KINDS,
    LIST_SHEETS,
    PROJECT_FIELDS,
    RAID_TYPES,
    SHEET_HINTS,
    TYPES,
    field_choices,
    header_inferences,
    lookup,
    norm,
    user_synonyms,
)

DISTINCTIVE = {
    "status": {"rag_label", "schedule_rag", "cost_rag", "scope_rag", "resource_rag",
               "percent_complete", "planned_value", "earned_value", "actual_cost", "summary",
               "next_steps", "decisions_needed", "forecast_end_date"},
    "projects": {"budget", "start_date", "end_date", "department", "sponsor", "portfolio",
                 "programme", "stage", "manager", "benefits_planned", "_cost_variance",
                 "_delay_days"},
    "risks": {"likelihood", "impact", "residual_likelihood", "residual_impact", "risk_id",
              "response", "cost_impact"},
    "milestones": {"baseline_date", "forecast_date", "actual_date", "milestone_id", "is_gate"},
    "decisions": {"decision", "decision_date", "forum", "decided_by"},
    "raid": {"type", "item_id", "description"},
    "benefits": {"benefit_id", "measure", "baseline", "target", "forecast", "realised"},
}  # fmt: skip
KEY_FIELDS = {
    "status": ("project_id", "name"),
    "projects": ("project_id", "name"),
    "risks": ("risk_id", "title", "description"),
    "milestones": ("milestone_id", "name"),
    "decisions": ("decision_id", "decision"),
    "raid": ("item_id", "description"),
    "benefits": ("benefit_id", "title"),
}
TABLE_OF_KIND = {
    "status": "status_reports",
    "projects": "projects",
    "risks": "risks",
    "milestones": "milestones",
    "decisions": "decisions",
    "raid": "raid_items",
    "benefits": "benefits",
}
# Fields without which a row cannot load (from the schemas): a bad value here skips the row.
# A project list with any of these (a RAG, % complete, a summary…) holds a status report, which
# is as of a date; its forecast end alone is the project's own.
REPORT_VALUES = frozenset(models.FIELDS["status_reports"]) - {
    "project_id", "report_date", "forecast_end_date", "upload_id",
}  # fmt: skip
REQUIRED = {
    f for schema in models.SCHEMAS.values() for f, col in schema.columns.items() if not col.nullable
}
_TOTAL = re.compile(r"^\s*(grand\s+)?(sub\s*)?(totals?|sum|average|mean)\b", re.I)


@dataclass
class SheetResult:
    report: SheetReport
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)  # source row of each frame row
    refs: list[tuple[str, int | None]] = field(default_factory=list)  # (project_id, row)
    layout_key: str | None = None
    headers: list[str] = field(default_factory=list)  # column labels, in order
    context: Context = field(default_factory=Context)
    # project ids whose own row in this sheet was skipped -> that row (reasons for dependents)
    lost_projects: dict[str, int] = field(default_factory=dict)

    money: units.SheetMoney = field(default_factory=units.SheetMoney)
    # the kind the user chose for a table we could not recognise (kept with its mapping)
    kind_chosen: str | None = None
    # what the values suggest the table holds, when its column names do not say
    suggestion: suggest.Suggestion | None = None
    # the kind a table was taken for while something it needs is missing (a project column)
    kind_seen: str | None = None
    # tables whose ids this sheet generated (registers.fill_ids): duplicates share a title
    generated: set[str] = field(default_factory=set)

    def drop(self, rows: set[int]) -> None:
        """Leave the source ``rows`` out of every table of the sheet (a file-level check failed
        on them); they count as skipped."""
        loaded = {r for rs in self.rows.values() for r in rs if r is not None}
        for table, frame in list(self.frames.items()):
            mask = [r not in rows for r in self.rows[table]]
            self.frames[table] = frame[mask].reset_index(drop=True)
            self.rows[table] = [r for r, k in zip(self.rows[table], mask, strict=True) if k]
        self.refs = [(p, r) for p, r in self.refs if r not in rows]
        self.report.rows_loaded = len(self.frames.get(_main(self.report.kind, self.frames), []))
        self.report.rows_skipped += len(rows & loaded)


def _has_status_values(cols: dict[str, list]) -> bool:
    skip = {"project_id", "name", "report_date", *PROJECT_FIELDS}
    return any(v is not None for f, vals in cols.items() if f not in skip for v in vals)


NOTHING_TO_STORE = (
    "nothing to store: the columns we know are only the project id (and a date), or none "
    "names the items (an id, a title, a name); "
)


def _stores_nothing(kind: str, header: list[str], labels: list[str], remembered: dict) -> bool:
    """A table whose only known column is the project id (a sheet name made it a portfolio
    list): loading it would store nothing of what it holds (``registers.stores_nothing``). A
    register none of whose columns names its items (an id, a title, a name) is the same: its
    rows could not be told apart."""
    fields = map_columns(kind, header)
    fields = [remembered[lab] or None if lab in remembered else f
              for lab, f in zip(labels, fields, strict=True)]  # fmt: skip
    unnamed = kind not in ("status", "projects") and not set(KEY_FIELDS[kind]) & set(fields)
    return registers.stores_nothing(fields) or unnamed


def _guess(scores: dict[str, int]) -> str | None:
    best = max(KINDS, key=lambda k: scores[k])
    return best if scores[best] else None


def _classify(sheet_name: str, headers: list[str]) -> tuple[str | None, dict[str, int]]:
    scores = {}
    lname = sheet_name.lower()
    for kind in KINDS:
        found = {lookup(kind, h) for h in headers} - {None}
        score = len(found & DISTINCTIVE[kind])
        if kind in ("status", "projects") and score and {"project_id", "name"} & found:
            score += 1  # "Project ID" beside a budget is a project list
        if kind == "risks":  # likelihood / impact marked in point columns ("Likelihood 3"):
            # only a risk register scores so, whatever its sheet is called ("Log", "Issues")
            score += 3 * len({m.group(2) for h in headers if (m := SCALE_X.match(norm(h)))})
        if any(h in lname for h in SHEET_HINTS[kind]):
            score += 2
        scores[kind] = score
    best = max(KINDS, key=lambda k: scores[k])
    return (best if scores[best] >= 2 else None), scores


KIND_WORDS = {
    "status": "a status report",
    "projects": "a portfolio list",
    "risks": "a risk register",
    "milestones": "a milestone plan",
    "decisions": "a decision log",
    "raid": "a RAID log",
    "benefits": "a benefits register",
}


def _user_columns(kind, labels, fields, columns: dict[str, str], report: SheetReport) -> None:
    """The command line's ``--map 'Header=field'``: by label as written, or with case, spaces
    and punctuation ignored. A field the kind of sheet lacks is refused with a warning."""
    if not columns:
        return
    wanted = {norm(h): f for h, f in columns.items()}
    allowed = set(field_choices(kind))
    for i, lab in enumerate(labels):
        f = columns.get(lab, wanted.get(norm(lab)))
        if f is None:
            continue
        if f and f not in allowed:
            report.problems.append(
                Problem(report.sheet, None, lab, f,
                        f"'{f}' is not a field of {KIND_WORDS[kind]}; the column is not mapped "
                        f"(fields: {', '.join(sorted(allowed))})", WARNING)
            )  # fmt: skip
            continue
        fields[i] = f or None


def map_columns(kind: str, headers: list[str]) -> list[str | None]:
    """Canonical field per column; the second likelihood/impact set is the residual one."""
    if set(headers) <= set(models.FIELDS[TABLE_OF_KIND[kind]]):
        return list(headers)  # our own canonical CSV (--export-dir): every column by its name
    out: list[str | None] = []
    first_of_set: str | None = None
    residual = False
    for h in headers:
        f = lookup(kind, h)
        m = SCALE_X.match(norm(h))
        if m and kind == "risks":
            base = "likelihood" if m.group(2) != "impact" else "impact"
            if m.group(1) == "residual ":
                base = f"residual_{base}"
            out.append(f"{base}={m.group(3)}")
            continue
        if f in ("likelihood", "impact"):
            if first_of_set is None:
                first_of_set = f
            elif f == first_of_set and f in out and ({"likelihood", "impact"} <= set(out)):
                # the set (likelihood and impact) starts again: treated / residual assessment;
                # "Likelihood" then "Likelihood Score" are two columns for one field
                residual = True
            if residual:
                f = f"residual_{f}"
        out.append(f)
    return out


def _mostly_ignored(labels: list[str], header: list[str], fields: list) -> str | None:
    """The sentence a sheet shows first when most of its named columns load nowhere."""
    named = [lab for lab, h in zip(labels, header, strict=True) if h.strip()]
    unmapped = [
        lab for lab, h, f in zip(labels, header, fields, strict=True) if h.strip() and not f
    ]
    if len(named) < 4 or len(unmapped) * 2 <= len(named):
        return None
    shown = ", ".join(unmapped[:6]) + (" …" if len(unmapped) > 6 else "")
    return (
        f"most columns are not loaded: {len(unmapped)} of {len(named)} map to no field "
        f"({shown}); map them (the page's mapping, or --map 'Header=field') or they are ignored"
    )


_COST = re.compile(r"\b(wlc|whole ?life|bac|budget|baseline|approved|funding|cost|costs)\b")
_NOT_COST = re.compile(
    r"\b(benefits?|comments?|variance|forecast|actual|spent|narrative|estimated?|eac|etc"
    r"|to complete|remaining|impact)\b"
)
_WHOLE_LIFE = re.compile(r"\b(wlc|whole ?life|bac|at completion|lifetime)\b")
_TOTAL_FIGURE = re.compile(r"\b(total|approved|overall|full)\b")
_YEARLY = re.compile(r"\b(in ?year|annual|yearly|per year|fy|financial year|this year|\d{4})\b")


def _budget_by_meaning(labels: list[str], header: list[str], fields: list) -> str | None:
    """With several money columns that could be the budget (a yearly budget, a total baseline,
    a whole-life cost), the budget at completion is the whole-life one, then a total or
    approved one, and a yearly one last; ``fields`` is changed to load that one as the budget.
    Returns the sentence that says which was chosen, or None when there was no choice."""

    def meaning(h: str) -> int:
        n = norm(h)
        if _YEARLY.search(n):
            return 0
        return 3 if _WHOLE_LIFE.search(n) else 2 if _TOTAL_FIGURE.search(n) else 1

    found = [
        i for i, (h, f) in enumerate(zip(header, fields, strict=True))
        if f == "budget" or (f is None and _COST.search(norm(h)) and not _NOT_COST.search(norm(h)))
    ]  # fmt: skip
    if len(found) < 2 or not any(fields[i] == "budget" for i in found):
        return None
    # of equals, the one the names already chose, then the leftmost
    best = max(found, key=lambda i: (meaning(header[i]), fields[i] == "budget"))
    if all(meaning(header[i]) == meaning(header[best]) for i in found):
        return None  # no meaning to choose by: two "Budget" columns fill each other's gaps
    for i in found:
        fields[i] = "budget" if i == best else (None if fields[i] == "budget" else fields[i])
    others = ", ".join(f"'{labels[i]}'" for i in found if i != best)
    words = {3: "a whole-life cost", 2: "a total or approved figure", 1: "a budget", 0: "yearly"}
    return (
        f"budget: '{labels[best]}' ({words[meaning(header[best])]}) is the budget at completion, "
        f"not {others}; map another with --map or the page's mapping"
    )


def _say_suggestion(result: SheetResult) -> None:
    """Put what the values suggest into the sheet's report, for the page and the CLI."""
    sug = result.suggestion
    if sug is None:
        return
    result.report.suggestion = {
        "kind": sug.kind, "mapping": sug.mapping, "reasons": sug.sentences(), "flags": sug.flags(),
    }  # fmt: skip
    result.report.reason = (
        f"{result.report.reason}. Its values suggest {KIND_WORDS[sug.kind]}: "
        + "; ".join(sug.sentences())
    )


def _not_a_table(rows: list[list], result: SheetResult) -> SheetResult:
    filled = sum(1 for r in rows for c in r if not V.is_blank(c))
    labels = sum(1 for r in rows for c in r if isinstance(c, str) and c.strip().endswith(":"))
    result.report.header_row = None
    result.headers = []
    result.report.reason = (
        "not a table: a form or grid with no header row of known column names in the "
        f"first {HEADER_SCAN} rows ({filled} filled cells"
        + (f", {labels} 'label:' cells" if labels else "")
        + ")"
    )
    return result


# Key of the kind chosen for an unrecognised table in a remembered mapping: no column label is
# empty (a blank header reads "(blank)"), so it never clashes with a column.
KIND_ENTRY = ""


def parse_sheet(
    raw: RawSheet,
    config: Config,
    options_ctx: Context,
    known: dict[str, str],
    mappings: dict[str, dict[str, str]] | None = None,
) -> SheetResult:
    with user_synonyms(config.synonyms):
        return _parse_sheet(raw, config, options_ctx, known, mappings)


def _parse_sheet(raw, config, options_ctx, known, mappings) -> SheetResult:
    rows = trim(raw.rows)
    report = SheetReport(sheet=raw.name, kind="unsupported")
    result = SheetResult(report=report)
    if not any(rows):
        report.reason = "empty sheet: nothing to load"
        return result
    if raw.pivot:
        report.reason = "a pivot table: a summary of another sheet's data, not loaded (skipped)"
        return result
    h, score = find_header(rows)
    transposed = False
    if looks_transposed(rows, score if h is not None else 0):
        rows, transposed = transpose(rows), True
        h, score = 0, row_score(rows[0])
    by_shape = False
    if h is None:  # a layout mapped before, then one recognised by its shape
        h = remembered_header(rows, mappings or {})
        if h is None:
            h = shape_header(rows)
        by_shape = h is not None
    if h is None:
        return _not_a_table(rows, result)
    header = [str(c) if not V.is_blank(c) else "" for c in rows[h]]
    # Two-row headers: fragments above ("Residual" over "Likelihood") or below the best row.
    data_start = h + 1
    marked = None if transposed else marked_header(rows, h)
    if marked:
        header, data_start = marked
    elif not transposed:
        if h + 1 < len(rows) and all_text(rows[h + 1]):
            merged = merge_header(rows[h], rows[h + 1])
            if header_score(merged) > header_score(header):
                header, data_start = merged, h + 2
        if data_start == h + 1 and h > 0 and all_text(rows[h - 1]):
            merged = merge_header(rows[h - 1], rows[h])
            if header_score(merged) >= header_score(header):
                header = merged
    ctx, loose = title_block(rows, h)
    report.header_row = (h + 1) if not transposed else None
    if transposed:
        report.reason = "transposed table: field names down column A, one project per column"
    labels = column_labels(header)
    result.headers = labels
    # A workbook's sheet named for lists ("Dropdown List", "Lookup"); a CSV's sheet name is
    # its file name, and "project_list.csv" is data.
    is_csv = raw.name.lower().endswith((".csv", ".tsv", ".txt"))
    if any(w in raw.name.lower() for w in LIST_SHEETS) and not is_csv:
        report.reason = "a sheet of dropdown / lookup lists, not data"
        return result
    kind, scores = _classify(raw.name, header)
    key = layout_key(labels)
    remembered = (mappings or {}).get(key, {})
    if by_shape:
        kind = None  # a sheet name alone ("Risk Likelihood") does not make a table a register
    read_only_ids = kind is not None and _stores_nothing(kind, header, labels, remembered)
    if read_only_ids:
        kind = None  # recognised by a project id and a sheet name only: as if unknown
    if remembered.get(KIND_ENTRY):  # what the PM said this layout holds, over any guess
        kind = result.kind_chosen = remembered[KIND_ENTRY]
    elif kind is None:
        kind = result.kind_chosen = options_ctx.kind
    if kind is None and not by_shape and not read_only_ids and not typed_rows_below(rows, h):
        return _not_a_table(rows, result)  # a few known words on a form ("SRO", "Name")
    sample = [r for r in rows[data_start : data_start + suggest.SAMPLE] if r]
    if kind is None and (sug := suggest.propose(labels, sample, [None] * len(labels), config)):
        result.suggestion = sug
        if options_ctx.accept_suggestions:
            kind = result.kind_chosen = sug.kind
            remembered = {**sug.mapping, **remembered}
    if kind is None:
        # Unfamiliar column names: list them, so the PM can say what the table holds and map
        # its columns (the page, or the command line's kind and column options).
        result.layout_key = key
        report.mapping = {lab: "" for lab in labels}
        guess = _guess(scores)
        named = [lab for lab, c in zip(labels, header, strict=True) if c.strip()]
        report.reason = (
            (NOTHING_TO_STORE if read_only_ids else "")
            + f"a table with column names we do not know (header on row {h + 1}: "
            f"{', '.join(named[:8])}{' …' if len(named) > 8 else ''}): choose what it holds"
            + (f" (it may be {KIND_WORDS[guess]})" if guess else "")
            + " and which column loads into which field"
        )
        _say_suggestion(result)
        return result
    fields = map_columns(kind, header)
    result.layout_key = key
    if kind in ("status", "projects") and (said := _budget_by_meaning(labels, header, fields)):
        report.problems.append(Problem(raw.name, None, "budget", None, said, WARNING))
    for i, lab in enumerate(labels):
        if lab in remembered:
            fields[i] = remembered[lab] or None
    _user_columns(kind, labels, fields, options_ctx.columns, report)
    lacks_project = "project_id" not in fields and "name" not in fields
    if kind in ("status", "projects") and lacks_project:
        result.suggestion = suggest.propose(labels, sample, fields, config)
        if result.suggestion and options_ctx.accept_suggestions:
            fields = [
                result.suggestion.mapping.get(lab, f) for lab, f in zip(labels, fields, strict=True)
            ]
            lacks_project = False
    history = kind in ("status", "projects") and not lacks_project
    if history and (found := suggest.history_period(labels, sample, fields, config)):
        fields[labels.index(found[0])] = "report_date"
        report.problems.append(Problem(raw.name, None, found[0], None, found[1], WARNING))
    if kind in ("status", "projects") and lacks_project:
        if _evm_sheet(raw.name, rows, config, options_ctx, known, result, ctx, loose):
            return result
        report.reason = "no project column (Project ID or Project name) in the table"
        # every column, so the page's mapping editor can name the project column
        report.mapping = {lab: f or "" for lab, f in zip(labels, fields, strict=True)}
        result.kind_seen = kind
        _say_suggestion(result)
        return result
    report.kind = kind
    report.mapping = {lab: (f or "") for lab, f in zip(labels, fields, strict=True)}
    report.inferences += header_inferences(kind, header, fields)
    if raw.name and not report.reason:
        report.reason = f"recognised as {kind} from its column names"
    if ignored := _mostly_ignored(labels, header, fields):
        report.problems.insert(0, Problem(raw.name, None, None, None, ignored, WARNING))

    # Data rows: stop at a run of blank rows (footers, dropdown lists far below the table).
    data, src_rows, ignored, blank_run = [], [], 0, 0
    header_low = [str(c).strip().lower() for c in header]
    key_cols = [i for i, f in enumerate(fields) if f in KEY_FIELDS[kind]]
    width = len(header)
    probe = key_cols[0] if key_cols else 0
    totals: dict[str, bool] = {}  # first text of a row -> a "Total" line
    for r in range(data_start, len(rows)):
        row = rows[r]
        if not row:  # trimmed: an empty list is a blank row
            blank_run += 1
            if blank_run >= 3 and data:
                ignored += sum(1 for rr in rows[r:] if rr)
                break
            continue
        blank_run = 0
        head = row[probe] if probe < len(row) else ""
        if isinstance(head, str) and head.strip().lower() == header_low[probe]:
            same = sum(
                1
                for i, c in enumerate(row[:width])
                if isinstance(c, str) and header_low[i] and c.strip().lower() == header_low[i]
            )
            if same >= max(2, len(key_cols)):  # the header repeated (a printed page break)
                ignored += 1
                continue
        first_text = ""
        for c in row[:3]:
            if isinstance(c, str) and c.strip():
                first_text = c
                break
        if first_text:
            if first_text not in totals:  # ids repeat down a status sheet: match each once
                totals[first_text] = bool(_TOTAL.match(first_text))
            if totals[first_text]:
                ignored += 1
                continue
        if key_cols:
            for i in key_cols:
                if i < len(row) and not V.is_blank(row[i]):
                    break
            else:  # no key: a note or a spacer row, not data
                ignored += 1
                continue
        data.append(row[:width] if len(row) >= width else row + [""] * (width - len(row)))
        src_rows.append(r + 1)
    report.rows_ignored = ignored
    if not data:
        report.kind = "unsupported"
        report.reason = "headers only: the table has no data rows (an unfilled template?)"
        return result
    if form := a_form(data, fields, labels):
        report.kind = "unsupported"
        report.reason = form
        return result
    if transposed:
        src_rows = list(range(2, len(data) + 2))  # a project is a column; report its position

    cols: dict[str, list] = {}
    problems = report.problems
    headers_of: dict[str, str] = {}
    skip: set[int] = set()  # positions in ``data`` of rows that cannot load
    is_placeholder = V.placeholder_matcher(config.ingest.placeholders)
    _choose_columns(kind, fields, labels, header, data, config, is_placeholder, transposed, report)
    money = units.plan(
        labels, header, fields, data, rows[:h] if not transposed else [], options_ctx.units, config
    )
    result.money = money
    report.units = money.describe()
    by_column = list(zip(*data, strict=True))  # every data row is ``width`` cells long
    points: dict[str, dict[int, list]] = {}  # an "X" in one of five scale columns
    negative = [False] * len(data)  # rows whose impact is below zero: opportunities
    for i, f in enumerate(fields):
        if not f:
            continue
        column = list(by_column[i])
        if "=" in f:
            base, n = f.split("=")
            points.setdefault(base, {})[int(n)] = column
            headers_of.setdefault(base, labels[i])
            continue
        if kind == "risks" and f in ("impact", "residual_impact", "cost_impact"):
            column, neg = registers.negatives(column)
            negative = [a or b for a, b in zip(negative, neg, strict=True)]
        parsed, notes = normalise.column(
            f, column, config, is_placeholder=is_placeholder, header=header[i]
        )
        # how the column was read ("dates read day first: ...") is said, not a problem
        report.inferences += [f"'{labels[i]}': {n[2]}" for n in notes if n[3] == V.INFERENCE]
        notes = [n for n in notes if n[3] != V.INFERENCE]
        first = parsed.get(f, next(iter(parsed.values())))
        skip |= _outcomes(notes, first, f, problems, raw.name, labels[i], src_rows)
        if i in money.columns:  # money in currency units: "7.9" in a £m column is 7,900,000
            parsed = _money_unit(parsed, money.columns[i], problems, raw.name)
        for name, vals in parsed.items():
            if name in cols:  # a second column for the same field fills the first one's gaps
                cols[name] = [
                    a if a is not None else b for a, b in zip(cols[name], vals, strict=True)
                ]
            else:
                cols[name] = vals
                headers_of[name] = labels[i]
    if points:
        _read_marks(points, cols, headers_of, src_rows, problems, raw.name)
    if kind == "risks":
        _opportunities(cols, negative, problems, raw.name)
    if kind == "status" and not _has_status_values(cols):
        report.kind = "unsupported"
        report.reason = (
            "no status values: the rating and progress cells are empty (a rating shown only as "
            "fill colour cannot be read; type Red, Amber or Green)"
        )
        return result
    if "currency" in cols:  # read once per distinct cell: a column repeats a few codes
        codes = {c: units.currency_code(c) for c in set(cols["currency"])}
        cols["currency"] = [codes[c] or money.currency for c in cols["currency"]]
    elif money.columns:  # a row whose money states its currency ("1.013.778,44 €") keeps it
        cols["currency"] = units.row_currencies(data, money)
    if "_rag_text" in cols:
        base = cols.get("rag_label") or [None] * len(data)
        cols["rag_label"] = [a or b for a, b in zip(base, cols.pop("_rag_text"), strict=True)]
    if kind in ("status", "projects") and "rag_label" in cols:
        rated = cols.get("overall_rag") or [None] * len(data)
        for pos, (label, rag) in enumerate(zip(cols["rag_label"], rated, strict=True)):
            if label and not rag:
                problems.append(
                    Problem(raw.name, src_rows[pos], headers_of.get("rag_label"), label[:200],
                            f"{NO_RAG}: {normalise.quote(label)} is not a rating; the row "
                            "loads without one",
                            WARNING, WARNED)
                )  # fmt: skip
    replace = options_ctx.replace_report_date and options_ctx.report_date is not None
    own = ctx.report_date or (loose[0] if len(loose) == 1 else None)
    if replace and own and own != options_ctx.report_date:
        said = f"the sheet's report date is replaced by {options_ctx.report_date}, as chosen"
        report.problems.append(Problem(raw.name, None, "report_date", str(own), said, WARNING))
    ctx = Context(
        project_id=options_ctx.project_id or ctx.project_id,
        project_name=ctx.project_name,
        report_date=(options_ctx.report_date if replace else None)
        or ctx.report_date
        or (loose[0] if len(loose) == 1 else None)
        or options_ctx.report_date,
        reported_by=ctx.reported_by,
        replace_report_date=replace,
    )
    result.context = ctx
    _load_rows(kind, raw.name, cols, src_rows, skip, ctx, known, config, result, headers_of)
    return result


def _read_marks(points, cols, headers_of, src_rows, problems, sheet) -> None:
    """Scores marked in point columns; they fill what a score column of the sheet left empty."""
    n = len(src_rows)
    for base, pts in points.items():
        vals, notes = registers.read_marks(pts, n)
        for pos, message in notes:
            problems.append(
                Problem(sheet, src_rows[pos], headers_of[base], None,
                        f"{base.replace('_', ' ')} {message}: left empty", WARNING, BLANKED)
            )  # fmt: skip
        prev = cols.get(base)
        cols[base] = (
            vals
            if prev is None
            else [a if a is not None else b for a, b in zip(prev, vals, strict=True)]
        )


def _opportunities(cols, negative, problems, sheet) -> None:
    """The opportunity flag of a risk register (negative impact, or a type that says so)."""
    n = len(negative)
    flags = registers.opportunity_flags(cols, negative if any(negative) else None, n)
    if flags is None:
        return
    cols["opportunity"] = flags
    if any(negative):
        problems.append(
            Problem(sheet, None, None, None,
                    f"{sum(negative)} row(s) with a negative impact load as opportunities "
                    "(flag opportunity; the impact is stored as its size, without the sign)",
                    WARNING, WARNED)
        )  # fmt: skip


def _load_rows(kind, sheet, cols, src_rows, skip, ctx, known, config, result, headers_of) -> None:
    """Build the tables from the rows that can load; rows that fail a check are skipped and the
    tables rebuilt without them, so rows that depend on a skipped row (the project row of a
    status line) go with it and every other row still loads."""
    report = result.report
    pos_of = {r: i for i, r in enumerate(src_rows)}
    seen: set[tuple] = set()
    while True:  # ends: every pass skips at least one more row, or stops
        keep = [i for i in range(len(src_rows)) if i not in skip]
        result.frames, result.rows, result.refs = {}, {}, []
        if not keep:
            break
        sub = {k: [v[i] for i in keep] if skip else list(v) for k, v in cols.items()}
        sheet_problems: list[Problem] = []
        rows = [src_rows[i] for i in keep]
        _build(kind, sheet, sub, rows, ctx, known, config, result, headers_of, sheet_problems)
        found = _checks(result, sheet, headers_of, config)
        new = [p for p in found if (p.row, p.message) not in seen]
        seen |= {(p.row, p.message) for p in new}
        report.problems.extend(new)
        more = {pos_of[p.row] for p in new if p.outcome == SKIPPED and p.row in pos_of}
        if not more or any(p.outcome != SKIPPED and p.severity == ERROR for p in new):
            report.problems.extend(sheet_problems)
            break
        skip |= more
    report.rows_loaded = len(result.frames.get(_main(kind, result.frames), []))
    report.rows_skipped = len(skip)
    if kind in ("status", "projects"):
        ids = cols.get("project_id") or cols.get("name") or []
        final = set(result.frames.get("projects", {}).get("project_id", []))
        result.lost_projects = {
            ids[i]: src_rows[i]
            for i in sorted(skip)
            if i < len(ids) and ids[i] is not None and ids[i] not in final
        }


def _main(kind: str, frames: dict) -> str:
    """The table a sheet's rows are counted in (a portfolio list: its projects)."""
    return TABLE_OF_KIND[kind] if TABLE_OF_KIND.get(kind) in frames else "projects"


def _checks(
    result: SheetResult, sheet: str, headers_of: dict[str, str], config: Config
) -> list[Problem]:
    """Text limits, schema checks and duplicate keys of the sheet's tables; a problem on a row
    skips it."""
    out = []
    said = set()  # a project id sits in two tables (projects, status_reports): say it once
    # money is checked in currency units; a problem shows the value as typed in its column
    factors = {c.label: c.factor for c in result.money.columns.values() if c.factor != 1}
    for table, frame in result.frames.items():
        rows = result.rows[table]
        frame, found = limits.check_frame(table, frame, config, sheet, rows, headers_of)
        result.frames[table] = frame
        for p in found:
            if p.severity == ERROR and p.row is not None:
                p.outcome = SKIPPED
            if (p.row, p.column, p.message) not in said:
                said.add((p.row, p.column, p.message))
                out.append(p)
        for _, p in duplicates(table, frame, [(sheet, r) for r in rows]):
            if table in result.generated:
                p.message = registers.explain_duplicate(p.message)
            out.append(p)
        checked = frame
        if table == "projects":  # the schema's end-before-start check needs both columns
            checked = frame.reindex(
                columns=[
                    *frame.columns,
                    *(c for c in ("start_date", "end_date") if c not in frame.columns),
                ]
            )
            for c in ("start_date", "end_date"):
                checked[c] = pd.to_datetime(checked[c])
        for p in _one_per_row(schema_problems(table, checked, sheet, rows, headers_of)):
            if p.message.startswith("duplicate key"):
                continue  # handled above, naming the rows
            if p.row is not None:
                p.outcome = SKIPPED
            if p.column in factors and p.value is not None:
                p.value = as_typed(float(p.value) / factors[p.column])
            out.append(p)
    return out


KEY_WORDS = {"project_id": "project", "report_date": "report date"}


def duplicates(
    table: str, frame: pd.DataFrame, where: list[tuple[str, int | None]]
) -> list[tuple[int, Problem]]:
    """Rows of ``frame`` with the same key, as (position, problem). Identical rows load once (a
    warning on the later ones); rows that disagree are all skipped, since no rule can say which
    one is right and picking one would silently lose the other."""
    keys = list(models.SCHEMAS[table].unique or [])
    if len(frame) < 2 or not keys or not set(keys) <= set(frame.columns):
        return []
    dup = frame.duplicated(keys, keep=False).to_numpy()
    if not dup.any():
        return []
    out = []
    positions = [i for i in range(len(frame)) if dup[i]]
    groups: dict[tuple, list[int]] = {}
    for i in positions:
        groups.setdefault(tuple(str(frame.iloc[i][k]) for k in keys), []).append(i)
    what = " and ".join(KEY_WORDS.get(k, k.replace("_", " ")) for k in keys)
    for key, members in groups.items():
        one_sheet = len({where[i][0] for i in members}) == 1
        names = ", ".join(_where(where[i], where[i][0] if one_sheet else None) for i in members)
        value = " / ".join(
            v[:10] if k == "report_date" else v for k, v in zip(keys, key, strict=True)
        )
        same = len(frame.iloc[members].astype(str).drop_duplicates()) == 1
        for n, i in enumerate(members):
            sheet, row = where[i]
            if same and n == 0:
                continue
            message = (
                f"duplicate key: the same {what} as {_where(where[members[0]], sheet)} with the "
                "same values; loaded once"
                if same
                else f"duplicate key: {names} have the same {what} with different values; "
                "none of them is loaded"
            )
            severity = WARNING if same else ERROR
            out.append((i, Problem(sheet, row, None, value, message, severity, SKIPPED)))
    return out


def _where(place: tuple[str, int | None], sheet: str | None) -> str:
    name, row = place
    return f"row {row}" if name == sheet else f"sheet {name} row {row}"


# Where a column goes when another column fills its field with values that read: a text field
# of the same row, when the sheet has none for it.
TEXT_HOME = {"risks": "description", "raid": "description", "status": "summary",
             "decisions": "rationale"}  # fmt: skip


def _reads(f, column, config, is_placeholder) -> tuple[int, int]:
    """How many of the column's values read as field ``f``, of how many non-empty ones."""
    column, _ = normalise.placeholders(f, column, is_placeholder, config)
    parsed, notes = normalise.parse(f, column, config)
    vals = parsed.get(f, next(iter(parsed.values())))
    bad = {pos for pos, _, _, sev in notes if pos >= 0 and sev in (ERROR, V.IMPOSSIBLE)}
    filled = [p for p, v in enumerate(column) if not V.is_blank(v)]
    return sum(1 for p in filled if p not in bad and vals[p] is not None), len(filled)


def _choose_columns(kind, fields, labels, header, data, config, is_placeholder, transposed,
                    report) -> None:  # fmt: skip
    """When several columns match one field, the ones whose values read as that field fill it
    (the first of them supplies the values, the others its empty cells); a column whose values
    mostly do not read ("Possible - could occur next year" beside "Likelihood Score" 3) goes to
    a free text field of the sheet's kind when the sheet has none, or is left unmapped. A
    warning names the columns and says which one supplies the values."""
    groups: dict[str, list[int]] = {}
    for i, f in enumerate(fields):
        if f and "=" not in f:
            groups.setdefault(f, []).append(i)
    taken = set(fields)
    for f, members in groups.items():
        if len(members) < 2:
            continue
        counts = {i: (0, 0) for i in members}
        if TYPES.get(f, "text") not in ("text", "rag", "id"):  # text always reads; RAG: below
            counts = {i: _reads(f, [row[i] for row in data], config, is_placeholder)
                      for i in members}  # fmt: skip
        good = [i for i in members if counts[i][0] * 2 >= counts[i][1]]
        bad = [i for i in members if i not in good] if good else []
        chosen = good or members
        first = chosen[0]
        for i in chosen[1:]:
            report.problems.append(_repeated(report.sheet, f, first, i, header, labels, transposed))
        for i in bad:
            home = TEXT_HOME.get(kind)
            home = home if home and home not in taken else None
            taken.add(home)
            fields[i] = home
            report.mapping[labels[i]] = home or ""
            report.problems.append(
                _repeated(report.sheet, f, first, i, header, labels, transposed, counts, home)
            )


def _repeated(sheet, f, first, second, header, labels, transposed, counts=None, home=False):
    """Two columns match one field: say which is used, so nothing is ignored silently."""

    def where(pos: int) -> str:
        what = "row" if transposed else "column"
        return f"'{header[pos].strip()}' ({what} {_position(pos, transposed)})"

    if home is False:
        message = (
            f"{where(first)} and {where(second)} both load into {f}: values come from "
            f"{where(first)}; {where(second)} only fills its empty cells"
        )
    else:
        (n, of), (m, mof) = counts[first], counts[second]
        message = (
            f"{where(first)} and {where(second)} both match {f}: values come from "
            f"{where(first)}, whose values read as {f} ({n} of {of}); {m} of {mof} values in "
            f"{where(second)} do, so it "
            + (f"loads into {home}" if home else "is not loaded (unmapped)")
        )
    return Problem(sheet, None, labels[second], header[second].strip(), message, WARNING)


def _position(pos: int, transposed: bool) -> str:
    return str(pos + 1) if transposed else column_letters(pos + 1)


_EVM_LABELS = {
    "earned_value": re.compile(r"\b(ev|earned value|bcwp)\b"),
    "planned_value": re.compile(r"\b(pv|planned value|bcws)\b"),
    "actual_cost": re.compile(r"\b(ac|actual cost|acwp)\b"),
}


def _evm_sheet(name, rows, config, options_ctx, known, result, ctx, loose) -> bool:
    """An earned-value worksheet: project totals sit in label -> value cells (``Project EV``)."""
    found: dict[str, tuple[float, int]] = {}
    for r, row in enumerate(rows):
        cells = [c for c in row if not V.is_blank(c)]
        if len(cells) < 2 or not isinstance(cells[0], str) or "=" in cells[0]:
            continue
        if not isinstance(cells[1], (int, float)) or "project" not in cells[0].lower():
            continue
        label = norm(cells[0])
        for f, pattern in _EVM_LABELS.items():
            if pattern.search(label) and f not in found:
                found[f] = (float(cells[1]), r + 1)
    if len(found) < 2:
        return False
    report = result.report
    report.kind = "status"
    report.reason = "earned-value worksheet: project totals read from label cells " + ", ".join(
        f"{f}={v:,.2f} (row {r})" for f, (v, r) in found.items()
    )
    report.mapping = {f"row {r}": f for f, (_, r) in found.items()}
    ctx = Context(
        project_id=options_ctx.project_id or ctx.project_id,
        project_name=ctx.project_name,
        report_date=ctx.report_date or options_ctx.report_date,
    )
    pid = ctx.project_id or (ctx.project_name and ctx.project_name[:64])
    lacks = [w for w, have in (("project", pid), ("report_date", ctx.report_date)) if not have]
    if lacks:
        _lacks(report, report.problems, name, lacks)
        return True
    row = min(r for _, r in found.values())
    cols = {f: [v] for f, (v, _) in found.items()}
    cols["project_id"] = [pid]
    _load_rows("status", name, cols, [row], set(), ctx, known, config, result, {})
    return True


def _cell_text(v: object) -> str:
    """A cell as the PM typed it: 9, not 9.0."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)[:200]


def _money_unit(parsed: dict[str, list], col: units.ColumnUnit, problems, sheet) -> dict:
    if col.question:
        problems.append(Problem(sheet, None, col.label, None, col.question, WARNING))
    elif col.source.startswith("column"):  # the header states none: say whose unit it took
        message = f"no unit in the header: read in {col.describe()} like {col.source}"
        problems.append(Problem(sheet, None, col.label, None, message, WARNING))
    if col.factor == 1.0:
        return parsed
    return {k: [v * col.factor if v is not None else None for v in vals]
            for k, vals in parsed.items()}  # fmt: skip


def _outcomes(notes, vals, f, problems, sheet, label, src_rows) -> set[int]:
    """Notes become problems with their outcome; returns the positions of rows to skip.

    An impossible value, or a bad value in a required field, skips the row; a bad value in an
    optional field leaves the cell empty with a warning; other notes only warn.
    """
    skip = set()
    for pos, value, message, severity in notes:
        if pos < 0:
            outcome = WARNED
        elif severity == V.IMPOSSIBLE or (severity == ERROR and f in REQUIRED):
            severity, outcome = ERROR, SKIPPED
            skip.add(pos)
        elif severity == ERROR or vals[pos] is None:
            severity, outcome = WARNING, BLANKED
        else:
            outcome = WARNED
        problems.append(
            Problem(
                sheet=sheet,
                row=src_rows[pos] if pos >= 0 else None,
                column=label,
                value=None if value is None else _cell_text(value),
                message=message,
                severity=severity,
                outcome=outcome,
            )
        )
    return skip


def _derived_rag(cols: dict[str, list], config: Config, n: int) -> None:
    """Health from cost variance and delay when a portfolio list has no RAG (IT Dashboard)."""
    delay = cols.get("_delay_days") or [None] * n
    planned = cols.get("_planned_days") or [None] * n
    variance = cols.get("_cost_variance") or [None] * n
    budget = cols.get("budget") or [None] * n
    sched, cost, overall, label = [], [], [], []
    for d, p, v, b in zip(delay, planned, variance, budget, strict=True):
        s = None
        if d is not None:
            slip = (d / p * 100) if p else (100.0 if d > 0 else 0.0)
            s = "Red" if slip > config.schedule.red_slip_pct else ("Amber" if d > 0 else "Green")
        c = None
        if v is not None and b:
            cpi = b / (b + v) if (b + v) > 0 else 0.0
            c = (
                "Red"
                if cpi < config.cost.red_cpi
                else ("Amber" if cpi < config.cost.amber_cpi else "Green")
            )
        worst = max([x for x in (s, c) if x], key=lambda x: models.RAG_SEVERITY[x], default=None)
        sched.append(s)
        cost.append(c)
        overall.append(worst)
        label.append("derived from cost variance and delay" if worst else None)
    cols.setdefault("schedule_rag", sched)
    cols.setdefault("cost_rag", cost)
    cols.setdefault("overall_rag", overall)
    cols.setdefault("rag_label", label)


def _build(kind, sheet, cols, src_rows, ctx, known, config, result, headers_of, problems) -> None:
    n = len(src_rows)
    report = result.report
    by_name = {str(v).strip().lower(): k for k, v in known.items() if v}
    # Which project each row belongs to.
    pids = cols.get("project_id") or [None] * n
    names = cols.get("name") if kind in ("status", "projects") else cols.get("_project_name")
    names = names or [None] * n
    new_projects: dict[str, str] = {}
    project_col = []
    for pid, name in zip(pids, names, strict=True):
        if pid is None and name:  # the name is the id: one line, spaces collapsed
            pid = by_name.get(name.strip().lower()) or " ".join(name.split())[:64]
        if pid is None and kind not in ("status", "projects"):
            pid = ctx.project_id
            if pid is None and ctx.project_name:
                pid = by_name.get(ctx.project_name.lower()) or ctx.project_name[:64]
                name = ctx.project_name
        if pid is not None and pid not in known and name:
            new_projects.setdefault(pid, name)
        project_col.append(pid)
    lacks = []
    if kind not in ("status", "projects") and all(p is None for p in project_col):
        lacks.append("project")
    cols["project_id"] = project_col
    if kind in ("status", "projects") and any(c in cols for c in ("_cost_variance", "_delay_days")):
        _derived_rag(cols, config, n)
    needs_date = kind in ("status", "risks", "milestones", "benefits") or (
        kind == "projects" and any(f in cols for f in REPORT_VALUES)
    )
    if needs_date and all(d is None for d in cols.get("report_date") or [None]):
        cols.pop("report_date", None)  # a date column left empty is no date at all
        if ctx.report_date is None:
            lacks.append("report_date")
        else:
            cols["report_date"] = [ctx.report_date] * n
    if lacks:
        _lacks(report, problems, sheet, lacks)
        return
    elif needs_date and ctx.report_date:
        stated = {d for d in cols["report_date"] if d}
        if ctx.replace_report_date and len(stated) == 1 and ctx.report_date not in stated:
            said = f"the sheet's report date is replaced by {ctx.report_date}, as chosen"
            problems.append(Problem(sheet, None, "report_date", str(min(stated)), said, WARNING))
            cols["report_date"] = [ctx.report_date] * n
        cols["report_date"] = [d or ctx.report_date for d in cols["report_date"]]
    if ctx.reported_by and kind == "status":
        cols.setdefault("reported_by", [ctx.reported_by] * n)

    tables: dict[str, dict[str, list]] = {}
    if kind not in ("status", "projects") and new_projects:
        # "Project Name: X" above a register is enough to create project X.
        tables["projects"] = {"project_id": list(new_projects), "name": list(new_projects.values())}
        result.rows["projects"] = [None] * len(new_projects)
    if kind in ("status", "projects"):
        proj = {f: cols[f] for f in PROJECT_FIELDS if f in cols}
        proj["name"] = [
            nm or known.get(p) or p
            for nm, p in zip(cols.get("name") or [None] * n, project_col, strict=True)
        ]
        latest = _latest_rows(project_col, cols.get("report_date"))
        history = (
            kind == "projects" and "report_date" in cols
            and len(set(project_col) - {None}) < sum(1 for p in project_col if p)
        )  # fmt: skip
        if kind == "projects":
            # a project list's forecast end is the project's own (a master list, not a report)
            if "forecast_end_date" in cols:
                proj["forecast_end_date"] = cols["forecast_end_date"]
            tables["projects"] = proj
            if history:  # many rows per project, one per period: the latest sets the details
                tables["projects"] = {f: [v[i] for i in latest] for f, v in proj.items()}
                result.rows["projects"] = [src_rows[i] for i in latest]
                periods = len({d for d in cols["report_date"] if d})
                report.reason = (
                    f"history: {len(set(project_col) - {None})} projects x {periods} periods, "
                    "one status report "
                    "per project per period; each project's details are from its latest period"
                )
        elif new_projects:
            # Status sheets create only the projects they introduce (with their name and the
            # details of their latest report).
            keep = [i for i in latest if project_col[i] in new_projects]
            sub = {f: [v[i] for i in keep] for f, v in proj.items()}
            tables["projects"] = sub
            result.rows["projects"] = [src_rows[i] for i in keep]
        if kind == "status" or history or any(f in cols for f in REPORT_VALUES):
            tables["status_reports"] = cols
    elif kind == "risks":
        if "title" not in cols and "description" in cols:
            cols["title"] = [(d or "")[:200] or None for d in cols["description"]]
        _ids("risks", cols, project_col, result, problems, sheet)
        tables["risks"] = cols
    elif kind == "milestones":
        _ids("milestones", cols, project_col, result, problems, sheet)
        tables["milestones"] = cols
    elif kind == "decisions":
        if "_decision_text" in cols:
            cols.setdefault("rationale", cols["_decision_text"])
        _ids("decisions", cols, project_col, result, problems, sheet)
        tables["decisions"] = cols
    elif kind == "benefits":
        _ids("benefits", cols, project_col, result, problems, sheet)
        tables["benefits"] = cols
    elif kind == "raid":
        if "type" not in cols:
            hint = next((t for w, t in RAID_TYPES.items() if w in sheet.lower()), None)
            cols["type"] = [hint] * n
        else:
            cols["type"] = [_raid_type(t) for t in cols["type"]]
        _ids("raid_items", cols, project_col, result, problems, sheet)
        tables["raid_items"] = cols
        if "_decision_text" in cols or "decision_date" in cols:
            texts = cols.get("_decision_text") or [None] * n
            dates_ = cols.get("decision_date") or [None] * n
            keep = [i for i in range(n) if texts[i] or dates_[i]]
            dec = {
                "project_id": [project_col[i] for i in keep],
                "decision_id": [f"{cols['item_id'][i]}-decision" for i in keep],
                "decision_date": [dates_[i] for i in keep],
                "decision": [(cols.get("decision") or [None] * n)[i] for i in keep],
                "rationale": [texts[i] for i in keep],
                "forum": [sheet] * len(keep),
            }
            tables["decisions"] = dec
            result.rows["decisions"] = [src_rows[i] for i in keep]
    for table, tcols in tables.items():
        rows = result.rows.get(table, src_rows)
        result.rows[table] = rows
        result.frames[table] = normalise.frame(table, tcols, len(rows))
    result.refs = [(p, r) for p, r in zip(project_col, src_rows, strict=True) if p]


def _latest_rows(project_col: list, report_dates: list | None) -> list[int]:
    """Per project, the rows of its latest report, in row order: one row, or the first when
    the sheet has no dates; every row of a tie, so the duplicate check sees rows that
    disagree."""
    dates_ = report_dates or [None] * len(project_col)
    latest: dict[str, object] = {}
    for p, d in zip(project_col, dates_, strict=True):
        if p is not None and d is not None and (p not in latest or d > latest[p]):
            latest[p] = d
    rows, seen = [], set()
    for i, (p, d) in enumerate(zip(project_col, dates_, strict=True)):
        if p is None or (p in latest and d != latest[p]) or (p not in latest and p in seen):
            continue
        seen.add(p)
        rows.append(i)
    return rows


def _ids(table, cols, project_col, result, problems, sheet) -> None:
    """Generated ids for a register without an id column (``registers.fill_ids``), said once."""
    said = registers.fill_ids(table, cols, project_col)
    if said:
        result.generated.add(table)
        problems.append(Problem(sheet, None, None, None, said, WARNING, WARNED))


LACKS = {
    "project": "no project: the sheet has no project column and no 'Project Name:' line",
    "report_date": "no report date: the sheet has no report date column and no 'Report date:' line",
}


def _lacks(report: SheetReport, problems: list[Problem], sheet: str, lacks: list[str]) -> None:
    """Everything the sheet lacks at once, in the PM's words; each front end says how to give it
    (the upload page shows a choice, the command line names its option)."""
    report.needs = list(lacks)
    problems.extend(Problem(sheet, None, None, None, LACKS[what]) for what in lacks)


def _one_per_row(problems: list[Problem]) -> list[Problem]:
    """A frame-wide check (end before start) fails on every column of a row: report it once."""
    out, seen = [], set()
    for p in problems:
        if p.message == "end date before start date":
            if (
                (p.row, p.message) in seen
                or p.column not in (None, "end_date")
                and "end" not in str(p.column).lower()
            ):
                continue
            seen.add((p.row, p.message))
        out.append(p)
    return out


def _raid_type(value: str | None) -> str | None:
    if not value:
        return None
    low = value.lower()
    return next((t for w, t in RAID_TYPES.items() if w in low), "issue")
