"""Helpers for the ingest tests: build real workbooks with openpyxl, hash the database file."""

from __future__ import annotations

import hashlib
import io
from datetime import date
from pathlib import Path

from openpyxl import Workbook

import store
from data_loaders.ingest import Options, commit, known_projects, parse_file


def xlsx(sheets: dict[str, list[list]], merges: dict[str, list[str]] | None = None) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for rng in (merges or {}).get(name, []):
            ws.merge_cells(rng)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parse(data: bytes, name: str = "book.xlsx", known=None, **options):
    return parse_file(name, data, known or {}, options=Options(**options))


def load(url: str, data: bytes, name: str = "book.xlsx", **options):
    engine = store.get_engine(url)
    parsed = parse_file(name, data, known_projects(engine), options=Options(**options))
    return commit(engine, parsed, "test", source="upload"), parsed


def db_hash(url: str) -> str:
    """Hash of the SQLite file after closing every connection (which checkpoints the WAL)."""
    store.get_engine(url).dispose()
    path = Path(url.split("///", 1)[1])
    digest = hashlib.sha256(path.read_bytes())
    wal = path.with_name(path.name + "-wal")
    if wal.exists():  # anything not yet checkpointed counts too
        digest.update(wal.read_bytes())
    return digest.hexdigest()


def errors(report) -> list[str]:
    return [p.message for p in report.all_problems if p.severity == "error"]


STATUS_HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete", "Budget", "Summary"]
TODAY = date(2026, 11, 20)
