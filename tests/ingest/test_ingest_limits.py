"""Hostile sizes: the sheet-size checks before reading, and the child process that parses uploads
with hard limits (memory, CPU, time). A refusal names the limit; the test process survives."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import replace

from openpyxl import Workbook

from config import Config
from data_loaders.ingest import Options, parse_file
from data_loaders.sandbox import parse_isolated
from tests.conftest import ROOT, app_test
from tests.ingest_helpers import db_hash, errors, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete"]
KNOWN = {"P1": "One"}


def config(**ingest) -> Config:
    return replace(Config(), ingest=replace(Config().ingest, **ingest))


# Pre-checks off: only the child's own limits stand between the reader and the machine.
NO_PRECHECK = {"max_rows": 10**9, "max_columns": 10**9, "max_cells": 10**15}


def bomb(cell: str = "XFD1048576") -> bytes:
    """A 5 KB workbook: a real table in A1:D2 and one cell at ``cell``."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Status"
    ws.append(HEADER)
    ws.append(["P1", "2026-11-20", "Green", 5])
    ws[cell] = "x"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def without_dimension(data: bytes) -> bytes:
    """The same workbook with no <dimension> element: only the cells tell how big a sheet is."""
    src, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb"<dimension [^>]*/>", b"", body)
            zf.writestr(info, body)
    return out.getvalue()


def messages(parsed) -> list[str]:
    return [p.message for p in parsed.report.all_problems]


def test_bomb_workbook_is_refused_before_the_reader_allocates_it():
    data = bomb()
    assert len(data) < 10_000
    parsed = parse_file("bomb.xlsx", data, KNOWN)  # in this process: calamine would abort it
    assert parsed.report.status == "rejected"
    [message] = messages(parsed)
    assert "sheet 'Status' reaches cell XFD1048576" in message
    assert "ingest.max_rows" in message and "stray cells" in message


def test_a_sheet_declaring_the_whole_grid_over_a_small_table_loads():
    """Writers declare <dimension ref="A1:F1048576"> over 96 real rows: the cells present
    decide, not the declaration."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Status"
    ws.append(HEADER)
    for i in range(96):
        ws.append([f"P{i}", "2026-11-20", "Green", 5])
    buf = io.BytesIO()
    wb.save(buf)
    src, out = zipfile.ZipFile(buf), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:F1048576"', body)
                assert b"A1:F1048576" in body
            zf.writestr(info, body)
    parsed = parse_file(
        "whole_grid.xlsx", out.getvalue(), {}, options=Options(new_projects="create")
    )
    assert parsed.report.status == "valid", messages(parsed)
    assert len(parsed.frames["status_reports"]) == 96


def test_largest_cell_is_found_when_the_dimension_is_missing():
    data = without_dimension(bomb("XFD1000"))  # 16,384 x 1,000 = 16.4 M cells
    assert b"<dimension" not in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    parsed = parse_file("stray.xlsx", data, KNOWN)
    assert parsed.report.status == "rejected"
    assert "reaches cell XFD1000: A1:XFD1000 is 16,384,000 cells" in messages(parsed)[0]
    assert "ingest.max_cells" in messages(parsed)[0]


def test_largest_cell_is_found_when_every_tag_has_a_namespace_prefix():
    """Some writers prefix the sheet's tags (<x:row>, <x:c>): the size guard reads them too."""
    src, out = zipfile.ZipFile(io.BytesIO(without_dimension(bomb("XFD1000")))), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            body = src.read(info)
            if info.filename.startswith("xl/worksheets/"):
                body = re.sub(
                    rb"<(/?)(worksheet|sheetData|row|c|v|is|t)([\s/>])", rb"<\1x:\2\3", body
                )
                body = body.replace(b"<x:worksheet ", b'<x:worksheet xmlns:x="urn:x" ', 1)
            zf.writestr(info, body)
    data = out.getvalue()
    assert b"<x:c r=" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    parsed = parse_file("prefixed.xlsx", data, KNOWN)
    assert parsed.report.status == "rejected"
    assert "reaches cell XFD1000: A1:XFD1000 is 16,384,000 cells" in messages(parsed)[0]


def test_rows_limit_for_workbooks_and_csv():
    cfg = config(max_rows=20)
    rows = [HEADER] + [[f"P{i}", "2026-11-20", "Green", 5] for i in range(25)]
    for data in (xlsx({"Status": rows}), without_dimension(xlsx({"Status": rows}))):
        parsed = parse_file("long.xlsx", data, KNOWN, cfg)
        assert parsed.report.status == "rejected"
        assert "26 rows; the limit is 20 rows (ingest.max_rows)" in messages(parsed)[0]
    text = "\n".join(",".join(map(str, r)) for r in rows).encode()
    parsed = parse_file("long.csv", text, KNOWN, cfg)
    assert messages(parsed) == ["more than 20 rows (ingest.max_rows, blank lines included); "
                                "split the file"]  # fmt: skip
    at_limit = parse_file("ok.csv", text, {f"P{i}": "x" for i in range(25)}, config(max_rows=26))
    assert at_limit.report.status == "valid"


def test_child_over_its_memory_limit_is_a_refusal_naming_memory():
    # With the size checks off, calamine asks for 512 GiB: the child dies, this process lives.
    cfg = config(parse_memory_mb=700, **NO_PRECHECK)
    data = bomb()
    parsed = parse_isolated("bomb.xlsx", data, KNOWN, cfg)
    assert parsed.report.status == "rejected"
    assert not parsed.frames
    [message] = messages(parsed)
    assert "more than 700 MB of memory (memory limit, ingest.parse_memory_mb)" in message
    assert parsed.data == data  # the caller keeps the bytes (the report, the history)


def test_child_over_its_time_limits_is_a_refusal_naming_time():
    # 100,000 rows take seconds of CPU to parse (the warm worker starts a job in milliseconds,
    # so the file itself must take longer than the limits).
    rows = "".join(f"P1,2026-11-{1 + i % 28:02d},Green,{i % 100}\n" for i in range(100_000))
    big = (",".join(HEADER) + "\n" + rows).encode()
    late = parse_isolated("s.csv", big, KNOWN, config(parse_timeout_seconds=0.2))
    assert late.report.status == "rejected"
    assert "longer than 0.2 s (time limit, ingest.parse_timeout_seconds)" in messages(late)[0]
    busy = parse_isolated("s.csv", big, KNOWN, config(parse_cpu_seconds=1))
    assert "more than 1 s of CPU time (CPU time limit" in messages(busy)[0]


def test_child_parses_a_good_file_like_the_parent_would():
    good = xlsx({"Status": [HEADER, ["P1", "2026-11-20", "Green", 5]]})
    seen = []
    parsed = parse_isolated("s.xlsx", good, KNOWN, progress=lambda f, t: seen.append((f, t)))
    direct = parse_file("s.xlsx", good, KNOWN)
    assert parsed.report.to_dict() == direct.report.to_dict()
    assert parsed.frames["status_reports"].equals(direct.frames["status_reports"])
    assert parsed.sha256 == direct.sha256
    assert seen[0] == (0.0, "reading sheet Status") and seen[-1] == (1.0, "checked")


def test_blank_line_flood_costs_little_and_keeps_row_numbers():
    head = "Project ID,Report Date,Overall RAG,% Complete\nP1,2026-11-20,Green,5\n"
    middle = "\n\n" + "P2,2026-11-20,Green,500\n"  # out of range on line 5
    data = (head + middle + "\n" * 10_000_000).encode()
    # Read whole, 10 MB of blank lines took 1.5 GB; in the child it stays within 700 MB.
    parsed = parse_isolated("flood.csv", data, {"P1": "One", "P2": "Two"},
                            config(parse_memory_mb=700))  # fmt: skip
    assert [(p.row, p.message) for p in parsed.report.all_problems if p.severity == "error"] == [
        (5, "percent_complete: value out of range (0, 100)")
    ]
    flood = parse_file("flood.csv", ("\n" * 30 + head).encode(), KNOWN, config(max_rows=30))
    assert "more than 30 rows" in messages(flood)[0]


def test_csv_field_over_the_csv_limit_is_a_refusal_not_a_traceback():
    data = b"Project ID,Report Date,Overall RAG,Summary\nP1,2026-11-20,Green," + b"x" * 200_000
    parsed = parse_file("long.csv", data, KNOWN)
    assert parsed.report.status == "rejected"
    assert messages(parsed) == [
        "line 2: the CSV cannot be read: a field is longer than 131,072 characters; free text "
        "may hold 10,000 (ingest.max_text_chars)"
    ]


def test_cli_parses_in_the_child_and_survives_its_crash(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb())
    toml = tmp_path / "limits.toml"
    toml.write_text("[ingest]\nmax_rows = 1000000000\nmax_columns = 1000000000\n"
                    "max_cells = 1000000000000000\nparse_memory_mb = 700\n")  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PMO_CONFIG": str(toml)}
    url = f"sqlite:///{tmp_path / 'pmo.db'}"
    run = subprocess.run(
        [sys.executable, "-m", "data_loaders", "ingest", str(path), "--db", url],
        cwd=ROOT, capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    assert "bomb.xlsx: rejected" in run.stdout
    assert "more than 700 MB of memory" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_upload_page_refuses_the_bomb_and_keeps_answering(seeded_url):
    before = db_hash(seeded_url)
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("bomb.xlsx", bomb(), XLSX)).run()
    assert not at.exception
    refusals = [e.value.replace("\\", "") for e in at.error]  # shown markdown-escaped
    found = any("reaches cell XFD1048576" in r and "ingest.max_rows" in r for r in refusals)
    assert found, refusals
    assert at.button(key="upload_commit").disabled
    good = xlsx({"Status": [HEADER, ["PRJ-0001", "2026-11-27", "Green", 5]]})
    at.file_uploader(key="upload_file").set_value(("good.xlsx", good, XLSX)).run()
    assert not at.exception
    assert not at.button(key="upload_commit").disabled
    assert db_hash(seeded_url) == before
    assert not errors(parse_file("good.xlsx", good, {"PRJ-0001": "x"}).report)
