"""Overwrites shown before they happen: before/after of the replaced snapshots in the
preview, the count on the commit button, a warning per jump and a quality finding after."""

from __future__ import annotations

import pandas as pd

import store
from analytics import quality
from config import get_config
from data_loaders.cli import main
from tests.conftest import app_test
from tests.ingest_helpers import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete", "EV", "AC"]


def _ev_sheet(ev: float) -> bytes:
    # PRJ-0001's stored report for 2026-11-20 has EV and AC of about 0.84m (the sample)
    return xlsx({"Status": [HEADER, ["PRJ-0001", "2026-11-20", "Red", 40, ev, 841159]]})


def test_preview_shows_before_after_and_commit_counts_replaced_snapshots(seeded_url):
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("ev.xlsx", _ev_sheet(43_333), XLSX)).run()
    assert not at.exception, at.exception
    assert any("replaces 1 stored status snapshot(s), 1 with a jump" in w.value for w in at.warning)
    table = next(d.value for d in at.dataframe if "jumps" in d.value.columns).iloc[0]
    assert table["RAG before"] == "Green" and table["RAG after"] == "Red"
    assert table["EV after"] == "£43,333" and table["EV before"].startswith("£")
    assert "EV £" in table["jumps"] and "→ £43,333" in table["jumps"]
    button = at.button(key="upload_commit")
    assert button.label == "Load 1 row (replaces 1 snapshot)"
    button.click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    found = quality.findings(store.read_frames(store.get_engine(seeded_url)), get_config())
    jump = found[found["rule"].str.startswith("a re-upload replaced this report")]
    assert list(jump["project_id"]) == ["PRJ-0001"]
    assert jump["report_date"].iloc[0] == pd.Timestamp("2026-11-20")


def test_cli_warns_about_the_jump_and_counts_replacements(seeded_url, tmp_path, capsys):
    path = tmp_path / "ev.xlsx"
    path.write_bytes(_ev_sheet(43_333))
    assert main(["ingest", str(path), "--db", seeded_url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "replaces 1 stored status snapshot(s)" in out
    assert "replaces the stored report of PRJ-0001 for 2026-11-20 with a jump: EV £" in out


def test_small_changes_are_shown_but_not_warned(seeded_url, tmp_path, capsys):
    frames = store.read_frames(store.get_engine(seeded_url))
    r = frames["status_reports"]
    ev = float(
        r[(r.project_id == "PRJ-0001") & (r.report_date == "2026-11-20")].earned_value.iloc[0]
    )
    path = tmp_path / "ev.xlsx"
    path.write_bytes(_ev_sheet(round(ev * 1.1)))
    assert main(["ingest", str(path), "--db", seeded_url]) == 0
    out = capsys.readouterr().out
    assert "replaces 1 stored status snapshot(s)" in out and "jump" not in out
    found = quality.findings(store.read_frames(store.get_engine(seeded_url)), get_config())
    assert not found["rule"].str.startswith("a re-upload").any()
