"""Checks on the raw bytes before any parser sees them: size, zip bombs, what the file really is,
and how big each sheet of an .xlsx claims and turns out to be.

Returns the detected format (``zip``, ``ole``, ``csv``, ``xml``) or raises ``Refused`` with the
reason the user reads; for an .xlsx also the worksheets seen to hold no error cell (``read`` need
not stream those again). Sheet XML is streamed in chunks, never decompressed into memory as a whole.
"""

from __future__ import annotations

import html
import io
import re
import zipfile
import zlib

from config import Config

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SIGNATURES = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"BM": None,  # too short to be sure; ignored
}
SPREADSHEET_EXT = {"xlsx", "xlsm", "xlsb", "xls", "ods"}
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CHUNK = 1 << 20
ERROR_MARK = b't="e"'  # the attribute of an error cell (#N/A, #REF!) in sheet XML


class Refused(ValueError):
    """The file cannot be read safely or at all; the message says why."""


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, data: bytes, config: Config) -> tuple[str, set[str]]:
    """The file's format, and the worksheet parts of an .xlsx without an error cell."""
    cfg = config.ingest
    size_mb = len(data) / 1e6
    if size_mb > cfg.max_upload_mb:
        raise Refused(f"file is {size_mb:.1f} MB; the limit is {cfg.max_upload_mb:g} MB")
    if not data.strip():
        raise Refused("the file is empty")
    for magic, what in SIGNATURES.items():
        if what and data.startswith(magic):
            raise Refused(f"this is {what}, not a spreadsheet (renamed .{extension(name)})")
    ext = extension(name)
    if looks_like_xml(name, data) and not data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        return "xml", set()  # MS Project XML; its safety checks are mspdi.parse_xml's
    if data.startswith(ZIP_MAGIC):
        return "zip", _check_zip(data, config)
    if data.startswith(OLE_MAGIC):
        if _ole_encrypted(data):
            raise Refused(
                "the workbook is encrypted or password-protected; save it without a password"
            )
        return "ole", set()
    if ext in SPREADSHEET_EXT:
        if ext in ("xlsx", "xlsm", "xlsb", "ods"):
            raise Refused(f"not a valid .{ext} file (corrupt or not a workbook)")
        return "ole", set()
    if b"\x00" in data[:4096] and not utf16(data):
        raise Refused("binary content that is neither a spreadsheet nor a CSV file")
    return "csv", set()


def looks_like_xml(name: str, data: bytes) -> bool:
    """An .xml file, or any file whose text starts with an XML declaration."""
    if extension(name) == "xml":
        return True
    head = data[:200]
    if encoding := utf16(head):
        head = head.decode(encoding, errors="ignore").encode()
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")


def utf16(data: bytes) -> str | None:
    """``utf-16`` for text with a byte-order mark (Excel's "Unicode Text"), ``utf-16-le`` or
    ``utf-16-be`` for mostly-ASCII text without one (every other byte NUL), else None."""
    if data.startswith(UTF16_BOMS):
        return "utf-16"
    head = data[:4096]
    even, odd = head[0::2], head[1::2]
    if len(head) >= 8 and odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if len(head) >= 8 and even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


# What the zip module raises on a damaged container: a bad header or directory (BadZipFile),
# a part that does not inflate (zlib.error), a part cut short (EOFError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError)


def damaged_zip(exc: BaseException) -> Refused:
    """The refusal for a workbook whose zip container is damaged (a cut download, a disk
    error): what it is and what to do, never an internal error."""
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return Refused(
        f"the file is not a readable Excel workbook: its zip container is damaged ({detail}). "
        "Re-save it from Excel and upload again"
    )


def _check_zip(data: bytes, config: Config) -> set[str]:
    cfg = config.ingest
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (*ZIP_ERRORS, ValueError) as exc:
        raise damaged_zip(exc) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > cfg.max_uncompressed_mb * 1e6:
        raise Refused(
            f"uncompressed size {total / 1e6:.0f} MB exceeds {cfg.max_uncompressed_mb:g} MB"
            " (possible zip bomb)"
        )
    if total / packed > cfg.max_zip_ratio:
        raise Refused(
            f"compression ratio {total / packed:.0f}:1 exceeds {cfg.max_zip_ratio:g}:1"
            " (possible zip bomb)"
        )
    if "EncryptedPackage" in names:
        raise Refused("the workbook is encrypted or password-protected; save it without a password")
    if not ({"[Content_Types].xml", "mimetype"} & names):
        raise Refused("a zip archive, not a workbook")
    no_errors = set()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        titles = sheet_titles(zf)
        for info in infos:
            if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                title = titles.get(info.filename, info.filename)
                if not _check_sheet_size(zf, info, title, config):
                    no_errors.add(info.filename)
    return no_errors


# --- sheet size of an .xlsx, from its XML ------------------------------------------------------
# calamine allocates every cell between A1 and the furthest cell present before we see a single
# row, so a 2 KB file with one cell at XFD1048576 asks for 512 GiB. The cells present are
# checked (rows and cells without an "r" attribute are counted), not the declared <dimension>:
# calamine does not allocate by it, and writers declare A1:F1048576 over 96 real rows.
_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
_ROW_REF = re.compile(rb'<(?:\w+:)?row\s[^>]*?\br="(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c[\s/>]")
_CELL_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Za-z]{1,3})\d')
# The same four without the namespace prefix (``<x:row>``), for the XML most writers produce:
# a pattern starting with a literal "<row" or "<c" skips the other tags several times faster,
# and finds the same tags when no tag of the chunk has a prefix (``_PREFIXED``).
_PLAIN = (
    re.compile(rb"<row[\s/>]"),
    re.compile(rb'<row\s[^>]*?\br="(\d+)"'),
    re.compile(rb"<c[\s/>]"),
    re.compile(rb'<c\s[^>]*?\br="([A-Za-z]{1,3})\d'),
)
_PREFIXED = re.compile(rb"<\w+:(?:row|c)[\s/>]")
_PREFIXED_HINT = re.compile(rb":(?:row|c)[\s/>]")  # a literal first byte: a fast first look
_SHEET = re.compile(rb"<(?:\w+:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb'([\w:]+)="([^"]*)"')


def column_number(letters: bytes | str) -> int:
    """``A`` -> 1, ``XFD`` -> 16384."""
    n = 0
    for ch in letters.upper() if isinstance(letters, str) else letters.decode().upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(n: int) -> str:
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def sheet_titles(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name -> the sheet's name as the user sees it (best effort)."""
    try:
        book = zf.open("xl/workbook.xml").read(4 * CHUNK)
        rels = zf.open("xl/_rels/workbook.xml.rels").read(4 * CHUNK)
    except KeyError:
        return {}

    def attrs(tag: bytes) -> dict[str, str]:
        return {k.decode(): v.decode(errors="replace") for k, v in _ATTR.findall(tag)}

    targets = {a.get("Id"): a.get("Target", "") for a in map(attrs, _RELATIONSHIP.findall(rels))}
    out = {}
    for a in map(attrs, _SHEET.findall(book)):
        target = targets.get(a.get("r:id"), "").lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        out[part] = html.unescape(a.get("name", part))
    return out


def _check_sheet_size(zf: zipfile.ZipFile, info: zipfile.ZipInfo, title: str, config) -> bool:
    """Refuse a sheet over the limits; returns whether its XML may hold an error cell."""
    rows = cols = counted_rows = 0
    carry = tail = b""
    errors = False
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            buf = carry + chunk
            # A tag cut at the chunk end is finished by the next chunk (tags are short).
            cut = buf.rfind(b"<")
            carry = buf[cut:] if cut > buf.rfind(b">") and len(buf) - cut < 4096 else b""
            buf = buf[: len(buf) - len(carry)]
            errors = errors or ERROR_MARK in tail + buf[: len(ERROR_MARK) - 1] or ERROR_MARK in buf
            tail = (tail + buf)[1 - len(ERROR_MARK) :]  # a mark cut between two chunks
            row_tag, row_ref, cell_tag, cell_ref = _tag_patterns(buf)
            counted_rows += len(row_tag.findall(buf))
            refs = row_ref.findall(buf)
            rows = max(rows, counted_rows, max(map(int, refs), default=0))
            letters = cell_ref.findall(buf)
            if letters:
                widest = max(set(letters), key=lambda c: (len(c), c.upper()))
                cols = max(cols, column_number(widest))
            # Cells without "r" are counted per row. A plain cell tag starts "<c": when "<c"
            # occurs no more often than there are references, every cell has one.
            maybe = cell_tag is _CELL or buf.count(b"<c") > len(letters)
            if maybe and len(cell_tag.findall(buf)) > len(letters):
                cols = max(cols, *(len(cell_tag.findall(seg)) for seg in row_tag.split(buf)))
            refuse_if_too_big(title, rows, cols, config, "reaches")
    return errors or ERROR_MARK in tail + carry


def _tag_patterns(buf: bytes) -> tuple[re.Pattern, ...]:
    """The row and cell patterns for ``buf``: the plain ones unless a row or cell tag has a
    namespace prefix (none has without ``_PREFIXED_HINT`` in the chunk)."""
    if _PREFIXED_HINT.search(buf) and _PREFIXED.search(buf):
        return _ROW, _ROW_REF, _CELL, _CELL_REF
    return _PLAIN


def refuse_if_too_big(title: str, rows: int, cols: int, config: Config, verb: str) -> None:
    """Refuse a sheet whose area from A1 to (rows, cols) is over a limit of ``[ingest]``."""
    cfg = config.ingest
    cells = rows * cols
    corner = f"{column_letters(cols)}{rows}"
    if rows > cfg.max_rows:
        why = f"{rows:,} rows; the limit is {cfg.max_rows:,} rows (ingest.max_rows)"
    elif cols > cfg.max_columns:
        why = f"{cols:,} columns; the limit is {cfg.max_columns:,} (ingest.max_columns)"
    elif cells > cfg.max_cells:
        why = f"{cells:,} cells; the limit is {cfg.max_cells:,} cells (ingest.max_cells)"
    else:
        return
    raise Refused(
        f"sheet '{title}' {verb} cell {corner}: A1:{corner} is {why}. Delete the stray cells far "
        "below or to the right of the table (Ctrl+End shows the last one) and save again"
    )


def _ole_encrypted(data: bytes) -> bool:
    # Encrypted OOXML is an OLE file holding "EncryptionInfo" / "EncryptedPackage" streams
    # (directory names are UTF-16LE); legacy .xls with a password carries a FILEPASS record.
    return (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    )
