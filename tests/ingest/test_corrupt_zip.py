"""A workbook whose zip container is damaged (a cut download, a disk error) is refused with
what it is and what to do, never as an "internal error", and nothing is written."""

from __future__ import annotations

import io
import zipfile

import pytest

import store
from data_loaders.cli import main as ingest_main
from data_loaders.sandbox import parse_isolated
from tests.ingest_helpers import xlsx

GOOD = xlsx({"Status": [["Project ID", "Report date", "Overall RAG"], ["P1", "2026-03-06", "Red"]]})
WORDING = "the file is not a readable Excel workbook: its zip container is damaged ("
ADVICE = "Re-save it from Excel and upload again"


def _damaged(how: str) -> bytes:
    info = zipfile.ZipFile(io.BytesIO(GOOD)).getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data = bytearray(GOOD)
    if how == "bad local header":  # the sheet's own header: zipfile raises BadZipFile
        data[info.header_offset : info.header_offset + 4] = b"XXXX"
    elif how == "data that does not inflate":  # zlib.error
        data[start : start + 20] = b"\xff" * 20
    else:  # "cut short": no central directory at all
        data = data[: len(data) // 2]
    return bytes(data)


@pytest.mark.parametrize("how", ["bad local header", "data that does not inflate", "cut short"])
def test_damaged_zip_is_refused_in_plain_words(how):
    parsed = parse_isolated("status.xlsx", _damaged(how), {"P1": "One"})
    messages = [p.message for p in parsed.report.all_problems]
    assert parsed.report.status == "rejected" and len(messages) == 1, messages
    assert messages[0].startswith(WORDING) and messages[0].endswith(ADVICE), messages
    assert "internal error" not in messages[0]


def test_damaged_zip_writes_nothing(tmp_path, capsys):
    path = tmp_path / "status.xlsx"
    path.write_bytes(_damaged("bad local header"))
    url = f"sqlite:///{tmp_path / 'app.db'}"
    assert ingest_main(["ingest", str(path), "--db", url, "--create-projects"]) == 1
    out = capsys.readouterr().out
    assert "rejected" in out and WORDING in out
    assert store.data_version(store.get_engine(url)) == 0
