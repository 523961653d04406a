"""``[ingest] max_columns`` and ``max_cells`` apply to CSVs as they are read, the header first: a
0.9 MB file with 100,000 columns is refused in seconds with the limit named (it used to parse for
a minute and load), and nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import store
from data_loaders.ingest import parse_file
from tests.conftest import ROOT
from tests.ingest.test_ingest_limits import KNOWN, config, messages

HEADER = "Project ID,Report Date,Overall RAG,% Complete"


def test_a_hundred_thousand_columns_are_refused_fast_and_nothing_written(tmp_path):
    extra = ",".join(f"col{i}" for i in range(100_000 - 4))
    path = tmp_path / "status.csv"
    path.write_text(f"{HEADER},{extra}\nP1,2026-11-27,Green,50\n")
    assert 0.85e6 < path.stat().st_size < 1e6
    url = f"sqlite:///{tmp_path / 'app.db'}"
    t0 = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "data_loaders", "ingest", str(path), "--db", url,
         "--create-projects"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert time.monotonic() - t0 < 20
    assert done.returncode == 1, done
    assert "rejected" in done.stdout
    assert "line 1 has 100,000 columns; the limit is 16,384 (ingest.max_columns)" in done.stdout
    assert store.data_version(store.get_engine(url)) == 0  # nothing written


def test_columns_limit_is_the_configured_one():
    text = f"{HEADER}\nP1,2026-11-27,Green,50\n".encode()
    assert parse_file("at.csv", text, KNOWN, config(max_columns=4)).ok
    wider = f"{HEADER}\nP1,2026-11-27,Green,50,stray\n".encode()
    refused = parse_file("over.csv", wider, KNOWN, config(max_columns=4))
    assert not refused.ok
    assert any("line 2 has 5 columns" in m and "ingest.max_columns" in m for m in messages(refused))


def test_cells_limit_names_the_line():
    text = (HEADER + "\n" + "P1,2026-11-27,Green,50\n" * 5).encode()
    refused = parse_file("many.csv", text, KNOWN, config(max_cells=10))
    assert any("more than 10 cells by line 3 (ingest.max_cells)" in m for m in messages(refused))
