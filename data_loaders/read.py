"""Read every sheet of a workbook (python-calamine, cached formula values) or a CSV into rows.

A sheet is a list of rows, each a list of cell values (str, float, int, bool, date, datetime,
or "" for empty). Merged ranges are filled with their top-left value so merged titles and
two-row headers read like unmerged ones. Macros never run: calamine only reads cell values.
A sheet over the row / column / cell limits of ``[ingest]`` is refused before it is converted.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook

from config import Config
from data_loaders import values
from data_loaders.guard import (
    CHUNK,
    Refused,
    column_number,
    refuse_if_too_big,
    sheet_titles,
    utf16,
)
from data_loaders.report import WARNING, Problem
from vocabulary import neutralise

MAX_COLS = 300  # stray cells far to the right (form layouts) are not part of any table
BLANK: tuple = ()  # one shared blank CSV row: a flood of blank lines costs a pointer each
MIXED_LINES_SHOWN = 20


@dataclass
class RawSheet:
    name: str
    rows: list[list]
    problems: list[Problem] = field(default_factory=list)  # found while reading (encoding)
    pivot: bool = False  # the sheet holds a pivot table: a summary of other data


def read_workbook(data: bytes, config: Config, no_errors: set[str] | None = None) -> list[RawSheet]:
    """The sheets of a workbook; ``no_errors``: worksheet parts known to hold no error cell."""
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types for broken files
        message = str(exc).lower()
        if "password" in message or "encrypt" in message:
            raise Refused("the workbook is encrypted or password-protected") from None
        raise Refused(f"the workbook cannot be read ({str(exc)[:120]})") from None
    errors = _error_cells(data, no_errors or set())
    pivots = _pivot_sheets(data)
    sheets = []
    for name in wb.sheet_names:
        try:
            sheet = wb.get_sheet_by_name(name)
            # .xls / .xlsb / .ods sizes are only known now (an .xlsx was checked in guard).
            refuse_if_too_big(name, sheet.total_height, sheet.total_width, config, "reaches")
            rows = [
                r[:MAX_COLS] if len(r) > MAX_COLS else r
                for r in sheet.to_python(skip_empty_area=False)
            ]
            merged = getattr(sheet, "merged_cell_ranges", None) or []
        except Refused:
            raise
        except Exception as exc:
            raise Refused(f"sheet '{name}' cannot be read ({str(exc)[:120]})") from None
        _fill_merged(rows, merged)
        for (r, c), text in errors.get(name, {}).items():
            if r < len(rows) and c < len(rows[r]) and rows[r][c] == "":
                rows[r][c] = text
        sheets.append(RawSheet(name, rows, pivot=name in pivots))
    return sheets


def _pivot_sheets(data: bytes) -> set[str]:
    """The names of an .xlsx's sheets that hold a pivot table (their relationships name a
    pivotTable part). Their cells are a summary of another sheet ("Sum of Effort"), not data."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:  # .xls, .ods (no pivot parts we read), already checked
        return set()
    found = set()
    for part, title in sheet_titles(zf).items():
        folder, _, file = part.rpartition("/")
        try:
            rels = zf.read(f"{folder}/_rels/{file}.rels")  # sizes checked by the guard
        except KeyError:
            continue
        if b"relationships/pivotTable" in rels:
            found.add(title)
    return found


_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\s([^>]*\bt="e"[^>]*)>(.*?)</(?:\w+:)?c>', re.S)
_CELL_AT = re.compile(rb'\br="([A-Za-z]{1,3})(\d+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")


def _error_cells(data: bytes, no_errors: set[str]) -> dict[str, dict[tuple[int, int], str]]:
    """Excel error values (``#N/A``, ``#REF!`` …) of an .xlsx by sheet name and 0-based (row,
    column). calamine reads them as empty cells; put back as text, they meet the placeholder
    rule (no value, with a warning naming it) instead of vanishing silently."""
    if not data.startswith(b"PK"):
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for part, title in sheet_titles(zf).items():
            if part in no_errors:
                continue
            try:
                fh = zf.open(part)
            except KeyError:
                continue
            found: dict[tuple[int, int], str] = {}
            carry = b""
            with fh:
                while chunk := fh.read(CHUNK):
                    buf = carry + chunk
                    cut = buf.rfind(b"<c")  # a cell cut at the chunk end is read with the next
                    carry = buf[cut:] if cut >= 0 and len(buf) - cut < 65536 else b""
                    _find_errors(buf[: len(buf) - len(carry)], found)
            _find_errors(carry, found)
            if found:
                out[title] = found
    return out


def _find_errors(xml: bytes, found: dict[tuple[int, int], str]) -> None:
    if b't="e"' not in xml:
        return
    for attrs, inner in _ERROR_CELL.findall(xml):
        at, value = _CELL_AT.search(attrs), _VALUE.search(inner)
        if at and value and (col := column_number(at.group(1)) - 1) < MAX_COLS:
            found[(int(at.group(2)) - 1, col)] = value.group(1).decode()


def _fill_merged(rows: list[list], merged) -> None:
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(rows) or c0 >= MAX_COLS:
            continue
        value = rows[r0][c0] if c0 < len(rows[r0]) else ""
        # Fill across (headers spanning columns) but only the first column downwards: a
        # vertically merged label would otherwise repeat as fake data rows.
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, MAX_COLS - 1) + 1):
                while len(row) <= c:
                    row.append("")
                if row[c] == "" and (r == r0 or c == c0):
                    row[c] = value


def decode(data: bytes) -> tuple[str, list[int]]:
    """The text of a CSV, and the lines (1-based) read as Windows-1252 in an otherwise UTF-8 file.

    UTF-16 (Excel's "Unicode Text") is recognised by its byte-order mark or its NUL bytes.
    Otherwise UTF-8; if that fails, each line is decoded on its own, UTF-8 first, so a file
    pasted together from two sources keeps both halves' accents and says which lines differed.
    """
    if encoding := utf16(data):
        try:
            return data.decode(encoding), []
        except UnicodeDecodeError:
            raise Refused("the file looks like UTF-16 text but is not valid UTF-16") from None
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    lines, legacy, utf8_seen = [], [], False
    for n, raw in enumerate(data.split(b"\n"), 1):
        try:
            lines.append(raw.decode("utf-8-sig" if n == 1 else "utf-8"))
            utf8_seen = utf8_seen or not raw.isascii()
        except UnicodeDecodeError:
            legacy.append(n)
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
                lines.append(raw.decode("latin-1"))
    return "\n".join(lines), (legacy if utf8_seen else [])


def _warn_either_way(sheet: RawSheet, notes: list[tuple[int, int, str, str]]) -> None:
    for r, c, cell, message in notes[:MIXED_LINES_SHOWN]:
        sheet.problems.append(Problem(sheet.name, r + 1, None, cell, f"column {c + 1}: {message}",
                                      WARNING))  # fmt: skip
    if len(notes) > MIXED_LINES_SHOWN:
        more = len(notes) - MIXED_LINES_SHOWN
        message = f"{more} more numbers that read either way were read with a decimal comma"
        sheet.problems.append(Problem(sheet.name, None, None, None, message, WARNING))


def read_csv(name: str, data: bytes, config: Config) -> list[RawSheet]:
    cfg = config.ingest
    title = name.rsplit("/", 1)[-1]
    body, legacy = decode(data)
    sample = body[:20000]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        delimiter = max(counts, key=counts.get)
    # The csv module refuses fields over its own limit (131,072); never below the text limit.
    csv.field_size_limit(max(csv.field_size_limit(), cfg.max_text_chars))
    rows: list = []
    blank = cells = 0
    reader = csv.reader(io.StringIO(body), delimiter=delimiter)
    try:
        for row in reader:
            text = "".join(row)
            if not text.strip():
                blank += 1  # kept only when data follows: trailing blank lines cost nothing
                continue
            if "'" in text:  # a cell a CSV export neutralised ('=x) reads as the text it was
                row = [neutralise.restore(c) for c in row]
            if len(rows) + blank >= cfg.max_rows:
                raise Refused(
                    f"more than {cfg.max_rows:,} rows (ingest.max_rows, blank lines included);"
                    " split the file"
                )
            # Checked on each line as it is read, the header first: a line of 100,000 fields
            # is small on disk but costs minutes in every later step that walks the columns.
            if len(row) > cfg.max_columns:
                raise Refused(
                    f"line {reader.line_num} has {len(row):,} columns; the limit is "
                    f"{cfg.max_columns:,} (ingest.max_columns). Check the delimiter, or delete "
                    "the extra columns"
                )
            cells += len(row)
            if cells > cfg.max_cells:
                raise Refused(
                    f"more than {cfg.max_cells:,} cells by line {reader.line_num} "
                    "(ingest.max_cells); split the file"
                )
            rows.extend([BLANK] * blank)
            rows.append(row)
            blank = 0
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = (
                f"a field is longer than {csv.field_size_limit():,} characters; free text may hold"
                f" {cfg.max_text_chars:,} (ingest.max_text_chars)"
            )
        raise Refused(f"line {reader.line_num}: the CSV cannot be read: {reason}") from None
    sheet = RawSheet(title, rows)
    if delimiter == ";":  # a decimal comma locale's CSV: 4,5 is four and a half
        _warn_either_way(sheet, values.decimal_point(rows))
    lines = body.split("\n", legacy[:MIXED_LINES_SHOWN][-1]) if legacy else []
    for n in legacy[:MIXED_LINES_SHOWN]:
        message = "not UTF-8 like the rest of the file: read as Windows-1252; check its accents"
        sheet.problems.append(Problem(title, n, None, lines[n - 1][:80], message, WARNING))
    if len(legacy) > MIXED_LINES_SHOWN:
        more = len(legacy) - MIXED_LINES_SHOWN
        message = f"{more} more lines read as Windows-1252 (the rest of the file is UTF-8)"
        sheet.problems.append(Problem(title, None, None, None, message, WARNING))
    return [sheet]
