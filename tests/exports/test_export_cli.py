"""``python -m exports deck`` for a scheduled job: a real process against a seeded SQLite file."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from pptx import Presentation

from exports.__main__ import main
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)


def _run(*args: str, env_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PMO_DATABASE_URL"}
    if env_url:
        env["PMO_DATABASE_URL"] = env_url
    return subprocess.run(
        [sys.executable, "-m", "exports", "deck", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_writes_a_filtered_deck(seeded_url, chromium, tmp_path):
    out = tmp_path / "nested" / "review.pptx"
    proc = _run(
        "--review-date", "2026-10-02",
        "--portfolio", "Digital & Technology",
        "--sections", "headline", "health", "red_projects",
        "--db", seeded_url,
        "--out", str(out),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout and "[100%]" in proc.stderr
    prs = Presentation(io.BytesIO(out.read_bytes()))
    titles = [s.shapes.title.text for s in prs.slides]
    assert titles[0] == "Weekly portfolio review: Digital & Technology"
    assert titles[1] == "Headline figures"
    assert sum(t.startswith("Portfolio health:") for t in titles) == 4
    footer = next(sh for sh in prs.slides[1].shapes if sh.name == "Footer").text_frame.text
    assert "As of 2026-10-02" in footer and "Portfolio: Digital & Technology" in footer


def test_cli_defaults_to_the_latest_date_and_reads_pmo_database_url(seeded_url, tmp_path):
    out = tmp_path / "latest.pptx"
    proc = _run("--sections", "headline", "--out", str(out), "--quiet", env_url=seeded_url)
    assert proc.returncode == 0, proc.stderr
    assert "review date 2026-11-20" in proc.stdout and proc.stderr == ""
    assert len(Presentation(str(out)).slides) == 2


def test_cli_errors_are_one_readable_line(seeded_url, empty_url, tmp_path, capsys):
    # In-process (same main() as the subprocess above) to keep the suite fast.
    out = str(tmp_path / "x.pptx")
    cases = [
        (("--db", seeded_url, "--portfolio", "Nope"), "unknown portfolio 'Nope'; known: "),
        (("--db", seeded_url, "--review-date", "2026-13-45"), "is not a date"),
        (("--db", seeded_url, "--review-date", "2001-01-01"), "before the first report"),
        (("--db", empty_url), "no status reports yet"),
    ]
    for args, message in cases:
        assert main(["deck", *args, "--out", out]) == 2, args
        err = capsys.readouterr().err
        assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert not (tmp_path / "x.pptx").exists()


def test_cli_honours_the_deck_limit_of_the_config_file(seeded_url, tmp_path, monkeypatch):
    # The scheduled job reads pmo_lens.toml (or $PMO_CONFIG) like the app.
    settings = tmp_path / "pmo_lens.toml"
    settings.write_text("[deck]\nmax_project_slides = 1\n", encoding="utf-8")
    monkeypatch.setenv("PMO_CONFIG", str(settings))
    out = tmp_path / "reds.pptx"
    assert main(["deck", "--db", seeded_url, "--sections", "red_projects", "--out", str(out),
                 "--quiet"]) == 0  # fmt: skip
    titles = [s.shapes.title.text for s in Presentation(str(out)).slides]
    assert sum(t.endswith("■ Red") for t in titles) == 1
    assert titles[-1] == "Appendix: other Red projects"
