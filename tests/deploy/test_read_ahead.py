"""The server reads ahead of its viewers (``ui.data.reading_ahead``): the frames and the
landing page's review, at start and again after an upload made by another process, with no
viewer connected. Seen through Streamlit's own cache metrics (``/_stcore/metrics``): how many
times ``ui.data._frames`` and ``ui.data._review`` were computed."""

from __future__ import annotations

import subprocess
import sys
import time

import pandas as pd
import pytest

import models
import store
from config import READ_AHEAD_ENV, ConfigError, read_ahead_seconds
from tests.browser import computed, start_app, stop_app, wait_computed
from tests.conftest import ROOT


@pytest.mark.slow
def test_frames_are_read_at_start_and_after_another_process_uploads(
    seeded_url, tmp_path, monkeypatch
):
    monkeypatch.setenv(READ_AHEAD_ENV, "0.5")
    proc, url = start_app(seeded_url, tmp_path / "streamlit.log")
    try:
        assert wait_computed(url, "_frames", 1) == 1  # no browser has connected
        assert wait_computed(url, "_review", 1) == 1  # the landing page's review
        engine = store.get_engine(seeded_url)  # this test is the other process
        project = pd.DataFrame({"project_id": ["PRJ-9001"], "name": ["Read ahead"]})
        meta = store.UploadMeta("new.xlsx", "e" * 64, 1, "pm@example.com", "upload", b"x")
        store.write_batch(engine, {"projects": models.conform("projects", project)}, meta)
        engine.dispose()
        assert wait_computed(url, "_frames", 2) == 2
        assert wait_computed(url, "_review", 2) == 2
        time.sleep(1.5)  # three more looks at an unchanged version read nothing
        assert (computed(url, "_frames"), computed(url, "_review")) == (2, 2)
    finally:
        stop_app(proc)
    assert "Traceback" not in (tmp_path / "streamlit.log").read_text()


def test_the_interval_is_a_number_of_seconds(monkeypatch):
    monkeypatch.delenv(READ_AHEAD_ENV, raising=False)
    assert read_ahead_seconds() == 30
    monkeypatch.setenv(READ_AHEAD_ENV, "0")
    assert read_ahead_seconds() == 0  # off
    for bad in ("soon", "-1", "inf", "nan"):
        monkeypatch.setenv(READ_AHEAD_ENV, bad)
        with pytest.raises(ConfigError, match=READ_AHEAD_ENV):
            read_ahead_seconds()


@pytest.mark.slow
def test_the_server_refuses_to_start_with_a_bad_interval(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), READ_AHEAD_ENV: "soon",
           "PMO_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "ui.serve", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert "PMO_READ_AHEAD_SECONDS='soon' is not a number of seconds" in run.stderr
