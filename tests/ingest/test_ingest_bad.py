"""Bad input: every case is refused with a readable reason and the database file is unchanged."""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import date

import pytest

from config import Config, Ingest
from data_loaders.ingest import parse_file
from tests.ingest_helpers import db_hash, errors, load, xlsx

STATUS = ["Project ID", "Report Date", "Overall RAG", "% Complete", "Summary"]


def _status(*rows) -> bytes:
    return xlsx({"Status": [STATUS, *rows]})


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"0" * 60_000_000)  # 60 MB of zeros, ~60 KB packed
    return buf.getvalue()


def _encrypted_ooxml() -> bytes:
    # An encrypted .xlsx is an OLE compound file holding EncryptionInfo + EncryptedPackage.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HH", 0x3E, 3)
    body = header.ljust(512, b"\x00")
    directory = "EncryptionInfo".encode("utf-16-le") + b"\x00" * 40
    directory += "EncryptedPackage".encode("utf-16-le") + b"\x00" * 40
    return body + directory.ljust(4096, b"\x00")


def _corrupt_zip() -> bytes:
    good = _status(["PRJ-0001", "2026-11-27", "Green", 10, "ok"])
    return good[: len(good) // 2]


BAD = {
    "pdf renamed": ("report.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "PDF"),
    "png renamed": ("chart.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
    "corrupt zip": ("broken.xlsx", None, "zip container is damaged"),
    "encrypted": ("secret.xlsx", None, "password"),
    "zip bomb": ("bomb.xlsx", None, "zip bomb"),
    "empty file": ("empty.xlsx", b"", "empty"),
    "empty workbook": ("blank.xlsx", None, "nothing to load"),
    "headers only": ("headers.xlsx", None, "nothing to load"),
    "duplicate ids": ("dup.xlsx", None, "duplicate"),
    "unknown project": (
        "unknown.xlsx",
        None,
        "new project(s) not in the database would be created: NOPE-1",
    ),
    "percent over 100": ("pct.xlsx", None, "percent_complete: value out of range"),
    "far past date": ("past.xlsx", None, "implausible"),
    "far future date": ("future.xlsx", None, "implausible"),
}


def _content(case: str) -> bytes:
    good = ["PRJ-0001", "2026-11-27", "Green", 10, "ok"]
    return {
        "corrupt zip": _corrupt_zip,
        "encrypted": _encrypted_ooxml,
        "zip bomb": _zip_bomb,
        "empty workbook": lambda: xlsx({"Sheet1": []}),
        "headers only": lambda: _status(),
        "duplicate ids": lambda: _status(good, ["PRJ-0001", "2026-11-27", "Red", 10, "no"]),
        "unknown project": lambda: _status(["NOPE-1", "2026-11-27", "Green", 10, "x"]),
        "percent over 100": lambda: _status(["PRJ-0001", "2026-11-27", "Green", 140, "x"]),
        "far past date": lambda: _status(["PRJ-0001", "1899-01-01", "Green", 10, "x"]),
        "far future date": lambda: _status(["PRJ-0001", "2999-01-01", "Green", 10, "x"]),
    }[case]()


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_refused_and_database_unchanged(case, seeded_url):
    name, data, reason = BAD[case]
    data = _content(case) if data is None else data
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, data, name)
    assert report.status in ("rejected", "unsupported")
    messages = " | ".join(p.message for p in report.all_problems)
    assert reason.lower() in messages.lower(), messages
    assert report.upload_id is None
    assert db_hash(seeded_url) == before


def test_over_the_size_limit_is_refused_before_parsing():
    cfg = Config(ingest=Ingest(max_upload_mb=0.001))
    parsed = parse_file("big.csv", b"Project ID,Overall RAG\n" + b"P1,Red\n" * 500, {}, cfg)
    assert parsed.report.status == "rejected"
    assert "limit is 0.001 MB" in parsed.report.problems[0].message


def test_default_size_limit_is_25_mb(seeded_url):
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, b"a,b\n" + b"x" * 26_000_000, "huge.csv")
    assert report.status == "rejected" and "limit is 25 MB" in errors(report)[0]
    assert db_hash(seeded_url) == before


def test_end_before_start_and_negative_cost_refused(seeded_url):
    rows = [
        ["Project ID", "Project Name", "Department", "Budget", "Start Date", "End Date"],
        ["NEW-1", "New one", "Ops", -5, "2026-01-01", "2025-01-01"],
    ]
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, xlsx({"Portfolio": rows}))
    assert report.status == "rejected"
    found = errors(report)
    assert "end date before start date" in found
    assert "budget: must not be negative" in found
    assert db_hash(seeded_url) == before


def test_one_bad_row_skips_that_row_or_in_strict_mode_blocks_the_whole_file(seeded_url):
    good = [STATUS, ["PRJ-0001", "2026-11-27", "Green", 10, "ok"]]
    bad = [["Project ID", "Risk ID", "Risk", "Likelihood"], ["PRJ-0001", "R1", "x", 9],
           ["PRJ-0001", "R2", "y", 2]]  # fmt: skip
    book = xlsx({"Status": good, "Risks": bad})
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, book, report_date=date(2026, 11, 27), strict=True)
    assert report.status == "rejected" and "value out of range [1, 5]" in errors(report)
    assert db_hash(seeded_url) == before
    report, parsed = load(seeded_url, book, report_date=date(2026, 11, 27))
    assert report.status == "loaded"
    assert list(parsed.frames["risks"]["risk_id"]) == ["R2"]
    (skipped,) = [p for p in report.all_problems if p.outcome == "skipped"]
    assert (skipped.sheet, skipped.row, skipped.column, skipped.value) == (
        "Risks",
        2,
        "Likelihood",
        "9",
    )


def test_html_in_text_is_kept_as_text(seeded_url):
    html = "<img src=x onerror=alert(1)><b>bold</b>"
    report, parsed = load(seeded_url, _status(["PRJ-0001", "2026-11-27", "Red", 10, html]))
    assert report.status == "loaded"
    assert parsed.frames["status_reports"]["summary"].iloc[0] == html
