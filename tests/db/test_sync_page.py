"""The SQL sources page: lists configured sources and syncs one with "Sync now"."""

from __future__ import annotations

import uuid

import pytest

import store
from tests.conftest import app_test
from tests.db.test_sync_db import create_source, write_toml


@pytest.fixture
def configured(tmp_path, empty_url, monkeypatch):
    prefix = f"s{uuid.uuid4().hex[:8]}_"
    source_url = f"sqlite:///{tmp_path / 'ppm_source.db'}"
    create_source(source_url, prefix)
    monkeypatch.setenv("PPM_DB_URL", source_url)
    folder = tmp_path / "sources"
    write_toml(folder, prefix)
    (folder / "broken.toml").write_text('[source]\nname = "broken"\nurl = "sqlite:///x.db"\n')
    monkeypatch.setenv("PMO_SOURCES_DIR", str(folder))
    return empty_url


def _texts(at) -> str:
    parts = [*at.markdown, *at.caption, *at.info, *at.success, *at.error, *at.subheader]
    return "\n".join(str(p.value) for p in parts)


def test_sources_page_lists_and_syncs(configured):
    at = app_test().run()
    at.switch_page("pages/data/sources.py").run()
    assert not at.exception
    page = _texts(at)
    assert "ppm" in page and "Weekly export of the PPM tool" in page
    assert "Never synced." in page
    assert "cannot be used" in page and "nothing to read" in page  # the broken file, explained
    assert "sqlite:///" in page  # the resolved URL is shown (no password in a SQLite URL)
    assert "Queries cancelled after 60 s · at most 1,000,000 rows per table" in page

    at.button(key="sync_ppm").click().run()
    assert not at.exception
    page = _texts(at)
    assert "Synced: new or changed 3 projects, 6 status_reports, 4 risks, 3 milestones" in page
    assert "Last sync:" in page and "Never synced." not in page
    counts = at.dataframe[1].value  # the last-sync table of the ppm source
    assert dict(zip(counts["table"], counts["rows in source"], strict=True))["status_reports"] == 6
    frames = store.read_frames(store.get_engine(configured))
    assert len(frames["status_reports"]) == 6 and list(frames["uploads"]["source"]) == ["sql"]

    at.button(key="sync_ppm").click().run()
    assert "Unchanged since the last sync" in _texts(at)


def test_sources_page_without_sources(empty_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PMO_SOURCES_DIR", str(tmp_path / "none"))
    at = app_test().run()
    at.switch_page("pages/data/sources.py").run()
    assert not at.exception
    assert "No SQL sources are configured" in _texts(at)
