"""Tables whose cost follows the screen: a table sends the browser its first SHOW_ROWS rows in
the page's order (styled: RAG fills, money as £1.57m), says so in a caption, and its CSV
download still holds every row, neutralised. A table data_table draws, then two pages of a
portfolio larger than SHOW_ROWS (Risks, Governance vs execution)."""

from __future__ import annotations

import io
import os
import re

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

import store
from analytics.money import MINUS
from charts.template import RAG_COLOURS
from sample_data import write_sample
from tests.conftest import _app_copy, open_page, table_with
from ui.components import SHOW_ROWS

# £1.57m, −£1.57m, $350k, £900: the one money format
MONEY = re.compile(rf"^{MINUS}?[£$€]\d[\d,]*(\.\d\d?)?(m|k|bn)?$")
ROWS = SHOW_ROWS * 3 + 7  # a table well past the cap


def _big_table_page(rows: int) -> None:
    """A page with one table of ``rows`` projects; it keeps the run's media manager, where
    the CSV button's deferred callable lives, for the test to click."""
    import pandas as pd
    import streamlit as st
    from streamlit import runtime

    from ui.components import data_table, rag_column

    frame = pd.DataFrame(
        {
            "project_id": [f"P{i:05d}" for i in range(rows)],
            "title": ["=HYPERLINK(1)" if i == rows - 1 else f"Project {i}" for i in range(rows)],
            "rag": [("Red", "Amber", "Green", None)[i % 4] for i in range(rows)],
            "headroom": [-1_574_000.0 + 1_000 * i for i in range(rows)],
            "currency": ["GBP" if i % 2 else "USD" for i in range(rows)],
            "secret": ["not drawn"] * rows,
        }
    )
    data_table(
        frame,
        "big",
        prepare=lambda r: r.assign(rag=rag_column(r["rag"])),
        rag=["rag"],
        money=["headroom"],
        currency="currency",
        hide_index=True,
        column_config={"secret": None},
    )
    st.session_state["media"] = runtime.get_instance().media_file_mgr


def _display(table) -> pd.DataFrame:
    """The text the browser shows in each cell (the Styler's display values)."""
    raw = table.proto.arrow_data.styler.display_values
    return dataframe_util.convert_arrow_bytes_to_pandas_df(raw)


def _csv(at, mgr, name: str) -> pd.DataFrame:
    """The CSV the button downloads: its deferred callable run as a click runs it."""
    button = next(b for b in at.get("download_button") if b.proto.id.endswith(f"csv_{name}"))
    url = mgr.execute_deferred(button.proto.deferred_file_id)
    content = mgr.read_file(os.path.splitext(url.rsplit("/", 1)[-1])[0]).content
    return pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", keep_default_na=False)


def test_a_large_table_sends_its_first_rows_and_the_csv_holds_all():
    at = AppTest.from_function(_big_table_page, args=(ROWS,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0]
    sent = table.value
    # the first SHOW_ROWS rows, in the frame's order; the hidden column is not sent at all
    assert len(sent) == SHOW_ROWS < ROWS
    assert sent["project_id"].tolist() == [f"P{i:05d}" for i in range(SHOW_ROWS)]
    assert "secret" not in sent.columns
    caption = " ".join(c.value for c in at.caption)
    assert f"first {SHOW_ROWS} of {ROWS:,} rows" in caption
    assert f"CSV holds all {ROWS:,}" in caption
    # money as £1.57m / −$1.57m in each row's currency, numbers underneath (sorts numerically)
    shown = _display(table)
    assert shown["headroom"].iloc[0] == f"{MINUS}$1.57m"
    assert shown["headroom"].iloc[1] == f"{MINUS}£1.57m"
    assert all(MONEY.match(t) for t in shown["headroom"])
    assert sent["headroom"].dtype.kind == "f" and sent["headroom"].iloc[0] == -1_574_000.0
    # RAG: word and icon in the cell, filled with its colour
    assert set(shown["rag"]) == {"■ Red", "▲ Amber", "● Green", "○ Grey"}
    styles = table.proto.arrow_data.styler.styles
    assert f"background-color: {RAG_COLOURS['Red']}" in styles
    # The CSV: every row, prepared like the shown ones, full figures, formulas neutralised.
    csv = _csv(at, at.session_state["media"], "big")
    assert len(csv) == ROWS
    assert csv["project_id"].tolist() == [f"P{i:05d}" for i in range(ROWS)]
    labels = ("■ Red", "▲ Amber", "● Green", "○ Grey")
    assert csv["rag"].tolist() == [labels[i % 4] for i in range(ROWS)]
    assert csv["headroom"].iloc[0] == -1_574_000
    assert csv["title"].iloc[ROWS - 1] == "'=HYPERLINK(1)"


def test_a_table_within_the_cap_is_sent_whole():
    at = AppTest.from_function(_big_table_page, args=(12,), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe[0].value) == 12
    assert not any("CSV holds all" in c.value for c in at.caption)
    assert len(_csv(at, at.session_state["media"], "big")) == 12


# --- pages of a portfolio larger than SHOW_ROWS --------------------------------------------------

PROJECTS = SHOW_ROWS + 20


@pytest.fixture(scope="module")
def large_db_file(tmp_path_factory):
    """The sample generator's portfolio with more projects than a table shows, built once."""
    path = tmp_path_factory.mktemp("large") / "large.db"
    engine = store.get_engine(f"sqlite:///{path}")
    write_sample(engine, n_projects=PROJECTS)
    engine.dispose()
    return path


@pytest.fixture
def large_url(large_db_file, tmp_path, monkeypatch) -> str:
    return _app_copy(large_db_file, tmp_path, monkeypatch)


@pytest.mark.slow
def test_risks_exposure_table_shows_the_first_projects_styled(large_url):
    at = open_page("pages/portfolio/risks.py")
    exposure = table_with(at, "headroom")
    sent = exposure.value
    assert len(sent) == SHOW_ROWS  # one row per project: PROJECTS of them
    caption = " ".join(c.value for c in at.caption)
    assert f"first {SHOW_ROWS} of {PROJECTS} rows" in caption
    assert f"CSV holds all {PROJECTS}" in caption
    shown = _display(exposure)
    for column in ("exposure", "remaining", "headroom"):
        assert all(MONEY.match(t) for t in shown[column] if t), column
        assert sent[column].dtype.kind == "f"
    assert not shown.apply(lambda c: c.astype(str).str.contains("£-")).any().any()
    assert set(shown["exceeds"]) <= {"⚠ exceeds", "✓ within"}


def test_governance_scores_show_the_first_projects_with_rag_and_budget(large_url):
    at = open_page("pages/portfolio/governance.py")
    scores = table_with(at, "governance_value")
    sent = scores.value
    assert len(sent) == SHOW_ROWS
    # the page's order: by quadrant, then the highest governance value first
    first = sent[sent["quadrant"] == sent["quadrant"].iloc[0]]["governance_value"].dropna()
    assert first.is_monotonic_decreasing
    shown = _display(scores)
    assert set(shown["rag"]) <= {"■ Red", "▲ Amber", "● Green", "○ Grey"}
    assert f"background-color: {RAG_COLOURS['Red']}" in scores.proto.arrow_data.styler.styles
    assert all(MONEY.match(t) for t in shown["budget"] if t)
    assert sent["link"].str.startswith("project?project=PRJ-").all()
    caption = " ".join(c.value for c in at.caption)
    assert f"first {SHOW_ROWS} of {PROJECTS} rows" in caption


def test_a_kept_figure_is_copied_for_the_screen_once():
    """show_chart's copy with the as-of/source line (and its summary) is made once per kept
    figure, not on every rerun; another figure, or another caption, gets its own."""
    import plotly.graph_objects as go

    from ui.components import _Shown

    shown = _Shown()
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1, 2]))
    first, summary = shown.get(fig, "2026-11-20", "risk registers")
    assert first is not fig and "as of 2026-11-20" in first.layout.title.subtitle.text
    assert shown.get(fig, "2026-11-20", "risk registers") == (first, summary)
    assert shown.get(fig, "2026-11-13", "risk registers")[0] is not first
    other = go.Figure(go.Bar(x=["c"], y=[3]))
    assert shown.get(other, "2026-11-20", "risk registers")[0] is not first
    assert fig.layout.title.subtitle.text is None  # the kept figure itself is unchanged
