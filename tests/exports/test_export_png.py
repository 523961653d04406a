"""Server-side PNG export: one chart of every page with charts, rendered by the system Chromium,
plus the "Download PNG" button and the Export page through AppTest."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import plotly.express as px
import pytest

import store
from analytics import governance, portfolio, project, risk
from charts import governance as governance_charts
from charts import health as health_charts
from charts import project as project_charts
from charts import risk as risk_charts
from config import get_config
from exports.png import (
    Renderer,
    ensure_browser,
    file_name,
    still,
    with_footer,
)
from tests.conftest import app_test
from tests.exports.test_export_deck import assert_slide_png

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

REVIEW = pd.Timestamp("2026-11-20")


@pytest.fixture(scope="module")
def frames(seeded_db_file, tmp_path_factory):
    path = tmp_path_factory.mktemp("png") / "png.db"
    shutil.copy(seeded_db_file, path)
    engine = store.get_engine(f"sqlite:///{path}")
    out = store.read_frames(engine)
    engine.dispose()
    return out


def _page_figures(frames) -> dict[str, object]:
    """One figure per page that has charts, built the way the page builds it."""
    config = get_config()
    snap = portfolio.snapshot(frames, REVIEW, config)
    reg = risk.register_on(frames["risks"], REVIEW, config.risk, snap["project_id"])
    reg = risk.RiskFilter(snap["project_id"].tolist()).apply(reg)
    scored, _ = governance.scores(frames, snap, REVIEW, config)
    figs = {
        "health": health_charts.rag_distribution(portfolio.rag_distribution(snap)),
        "risks": risk_charts.risk_matrix(
            risk.matrix_cells(reg, config.risk), risk.band_names(config.risk), "inherent"
        ),
        "governance": governance_charts.quadrant(scored, config.governance),
        "project": project_charts.rag_strip(
            project.rag_strip(frames["status_reports"], "PRJ-0002", REVIEW)
        ),
    }
    return figs


def test_one_chart_of_every_page_renders_at_slide_size_with_a_footer(frames, chromium):
    figs = _page_figures(frames)
    assert set(figs) == {"health", "risks", "governance", "project"}
    with Renderer() as renderer:
        for page, fig in figs.items():
            png = renderer.render(with_footer(fig, "2026-11-20", f"{page} source"))
            assert_slide_png(png)
        # plotly express draws more than 1,000 points with WebGL; the export draws them as SVG
        many = px.scatter(x=list(range(1500)), y=[i % 97 for i in range(1500)], title="Many")
        assert many.data[0].type == "scattergl"
        trace = still(many)["data"][0]
        assert trace["type"] == "scatter" and "hovertemplate" not in trace  # no hover on a PNG
        assert_slide_png(renderer.render(with_footer(many, "2026-11-20", "many points")))


def test_still_keeps_the_data_a_text_template_shows():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[1], y=[2], customdata=[["A"]], texttemplate="%{customdata[0]}"))
    fig.add_scatter(x=[1], y=[2], customdata=[["B"]], hovertext=["why"])
    labelled, hover_only = still(fig)["data"]
    assert labelled["customdata"] == [["A"]]
    assert "customdata" not in hover_only and "hovertext" not in hover_only


def test_a_browser_that_does_not_start_is_a_readable_error(monkeypatch):
    from exports.png import ExportError

    monkeypatch.setenv("BROWSER_PATH", "/bin/false")  # exists, but is no browser
    with (
        Renderer(timeout=20) as renderer,
        pytest.raises(ExportError, match="Could not start Chromium"),
    ):
        renderer.render(with_footer(px.bar(x=[1], y=[2]), "2026-11-20", "x"))


def test_a_browser_that_never_answers_is_an_error_not_a_hang(monkeypatch, tmp_path):
    """A Chromium that starts but never speaks (a deck build once waited for ever on a loaded
    machine): every wait is bounded by the renderer's timeout."""
    import time

    from exports.png import ExportError

    silent = tmp_path / "chromium"
    silent.write_text("#!/bin/sh\nexec sleep 20\n")
    silent.chmod(0o755)
    monkeypatch.setenv("BROWSER_PATH", str(silent))
    started = time.monotonic()
    with Renderer(timeout=3) as renderer, pytest.raises(ExportError, match="Chromium"):
        renderer.render(with_footer(px.bar(x=[1], y=[2]), "2026-11-20", "x"))
    assert time.monotonic() - started < 19  # the silent browser's own end did not free it


def test_export_layout_and_file_name():
    import plotly.graph_objects as go

    from charts.template import apply
    from ui.components import chart_config

    fig = apply(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), "RAG by dimension")
    out = with_footer(fig, "2026-11-20", "status reports from 4 uploads")
    assert out.layout.title.subtitle.text == (
        "as of 2026-11-20 · source: status reports from 4<br>uploads"
    )
    assert (out.layout.width, out.layout.height) == (960, 540)  # x2 scale = 1920x1080
    # The toolbar camera draws the same size at the same scale.
    camera = chart_config("rag_by_dimension")["toImageButtonOptions"]
    assert (camera["width"], camera["height"]) == (out.layout.width, out.layout.height)
    assert camera["scale"] * 960 == 1920
    assert not fig.layout.title.subtitle.text  # the page's figure is untouched
    assert file_name("rag by/dim", "2026-11-20") == "rag_by_dim_2026-11-20.png"


def test_browser_path_defaults_to_the_system_chromium(chromium, monkeypatch):
    monkeypatch.delenv("BROWSER_PATH", raising=False)
    assert ensure_browser() == chromium and os.environ["BROWSER_PATH"] == chromium


def test_missing_browser_is_a_readable_error(monkeypatch):
    from exports.png import ExportError

    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(ExportError, match="No Chromium found"):
        ensure_browser()


def test_download_png_button_renders_the_chart_on_click(seeded_url, chromium):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    assert not at.exception
    buttons = [b for b in at.get("download_button") if b.proto.label == "Download PNG"]
    # Every chart on the page has its button; the PNG is only rendered when one is clicked.
    assert len(buttons) == len(at.get("plotly_chart")) == 5
    assert buttons[0].proto.deferred_file_id or buttons[0].proto.url == ""


def test_export_page_builds_a_deck_with_progress(seeded_url):
    at = app_test().run()
    at.switch_page("pages/data/export.py").run()
    assert not at.exception
    assert at.title[0].value == "Export"
    # Native-only sections keep this test free of Chromium; the full deck is tested directly.
    at.pills(key="export_sections").set_value(["headline", "red_projects"]).run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    deck_buttons = [b for b in at.get("download_button") if b.proto.label == "Download the deck"]
    assert len(deck_buttons) == 1
    assert any("as of 2026-11-20" in c.value for c in at.caption)


def test_export_page_on_an_empty_database_offers_the_sample(empty_url):
    at = app_test().run()
    at.switch_page("pages/data/export.py").run()
    assert not at.exception
    assert "no status reports" in at.info[0].value
