"""Checks on the raw bytes before any parser sees them: size, zip bombs, what the file really is.

Returns the detected format (``zip``, ``ole``, ``csv``) or raises ``Refused`` with the reason
the user reads. Nothing is decompressed beyond reading the zip directory.
"""

from __future__ import annotations

import io
import zipfile

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


class Refused(ValueError):
    """The file cannot be read safely or at all; the message says why."""


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def check(name: str, data: bytes, config: Config) -> str:
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
    if data.startswith(ZIP_MAGIC):
        _check_zip(data, config)
        return "zip"
    if data.startswith(OLE_MAGIC):
        if _ole_encrypted(data):
            raise Refused(
                "the workbook is encrypted or password-protected; save it without a password"
            )
        return "ole"
    if ext in SPREADSHEET_EXT:
        if ext in ("xlsx", "xlsm", "xlsb", "ods"):
            raise Refused(f"not a valid .{ext} file (corrupt or not a workbook)")
        return "ole"
    if b"\x00" in data[:4096]:
        raise Refused("binary content that is neither a spreadsheet nor a CSV file")
    return "csv"


def _check_zip(data: bytes, config: Config) -> None:
    cfg = config.ingest
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise Refused(f"the file is corrupt (broken zip: {exc})") from None
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


def _ole_encrypted(data: bytes) -> bool:
    # Encrypted OOXML is an OLE file holding "EncryptionInfo" / "EncryptedPackage" streams
    # (directory names are UTF-16LE); legacy .xls with a password carries a FILEPASS record.
    return (
        "EncryptedPackage".encode("utf-16-le") in data
        or "EncryptionInfo".encode("utf-16-le") in data
    )
