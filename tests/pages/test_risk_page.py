"""The Risks page under AppTest: the sample portfolio, the cell drill-down, filters, the toggle,
and the empty database."""

from __future__ import annotations

import pandas as pd
from streamlit.proto.Metric_pb2 import Metric as MetricProto

import store
from analytics import portfolio, risk
from config import get_config
from tests.conftest import app_test


def open_page():
    at = app_test().run()
    at.switch_page("pages/portfolio/risks.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_register(url: str, statuses: str = "open"):
    """The register (open, or every status) on the newest review date, from the database."""
    frames = store.read_frames(store.get_engine(url))
    config = get_config()
    date = portfolio.review_dates(frames["status_reports"])[-1]
    snap = portfolio.snapshot(frames, date, config)
    base = risk.register_on(frames["risks"], date, config.risk, snap["project_id"])
    return (base if statuses == "all" else risk.RiskFilter().apply(base)), config


def test_sample_portfolio_page(seeded_url):
    at = open_page()
    reg, config = expected_register(seeded_url)
    shown = metrics(at)
    assert shown["Risks in view"] == str(len(reg))
    # Matrix, movement, exposure and trend charts are drawn, each with an as-of caption.
    assert len(at.get("plotly_chart")) == 4
    captions = " ".join(c.value for c in at.caption)
    assert "as of 2026-11-20" in captions and "risk registers from" in captions
    assert "Remaining contingency = the project's contingency minus" in captions
    subheaders = [s.value for s in at.subheader]
    for title in (
        "Exposure versus remaining contingency",
        "Top 10 by inherent score",
        "Overdue risks",
        "New and closed since the compare date",
    ):
        assert title in subheaders
    # Nothing is drilled into until a cell is chosen.
    assert not any(s.startswith("Risks in cell") for s in subheaders)

    # Choosing a cell (what a click on the matrix does) lists exactly the risks in it.
    cells = risk.matrix_cells(reg, config.risk).sort_values("risks", ascending=False)
    top = cells.iloc[0]
    at.selectbox(key="risk_cell").set_value(f"{top.likelihood},{top.impact}").run()
    assert not at.exception
    assert f"Risks in cell: likelihood {top.likelihood} × impact {top.impact} (inherent)" in [
        s.value for s in at.subheader
    ]
    listed = at.dataframe[0].value
    assert len(listed) == top.risks
    assert set(listed["score"]) == {top.likelihood * top.impact}
    assert list(listed.columns) == risk.DRILL_COLUMNS

    # Residual assessment changes the matrix and the exposure figure.
    inherent_exposure = metrics(at)["Inherent exposure"]
    at.radio(key="risk_basis").set_value("residual").run()
    assert not at.exception
    shown = metrics(at)
    assert "Residual exposure" in shown and shown["Residual exposure"] != inherent_exposure
    assert "Top 10 by residual score" in [s.value for s in at.subheader]


def test_exposure_tiles_read_the_right_way(seeded_url):
    at = open_page()
    tiles = {m.label: m for m in at.metric}
    # Exposure is a level: no arrow, no colour (main: a green "↑ +£7.06m headroom" on it).
    assert not tiles["Inherent exposure"].delta
    over = tiles["Projects over contingency"].value
    verdict = tiles["Portfolio exposure vs remaining"]
    assert over.startswith("⚠ ")
    count = over.split()[1]
    # Never "✓ within" beside projects over contingency; headroom coloured by the verdict.
    assert verdict.value == f"⚠ {count} over"
    assert verdict.delta.endswith(" headroom") and verdict.delta.startswith("+£")
    assert verdict.proto.color == MetricProto.MetricColor.ORANGE
    assert verdict.proto.direction == MetricProto.MetricDirection.NONE


def test_page_filters_narrow_the_register(seeded_url):
    at = open_page()
    reg, _ = expected_register(seeded_url)
    owner = sorted(reg["owner"].unique())[0]
    at.multiselect(key="risk_owner").set_value([owner]).run()
    assert not at.exception
    assert metrics(at)["Risks in view"] == str((reg["owner"] == owner).sum())
    at.multiselect(key="risk_owner").set_value([]).run()
    at.multiselect(key="risk_status").set_value(["Closed"]).run()
    assert not at.exception
    closed = risk.RiskFilter(statuses=["Closed"]).apply(expected_register(seeded_url, "all")[0])
    assert len(closed) > 0
    assert metrics(at)["Risks in view"] == str(len(closed))


def test_sidebar_filter_that_clashes_is_taken_out_with_a_note(seeded_url):
    at = app_test().run()
    at.switch_page("pages/portfolio/risks.py").run()
    # A programme from one portfolio with a sponsor who has no project there: nothing matches.
    frames = store.read_frames(store.get_engine(seeded_url))
    projects = frames["projects"]
    first = projects.iloc[0]
    others = projects[projects["programme"] != first["programme"]]["sponsor"]
    sponsor = next(
        s
        for s in others
        if s not in set(projects[projects["programme"] == first["programme"]]["sponsor"])
    )
    at.multiselect(key="programme").set_value([first["programme"]]).run()
    # The sponsor is not offered with that programme; a link that asks for both keeps the
    # programme and takes the sponsor out, saying so (main showed "No projects match").
    assert sponsor not in at.multiselect(key="sponsor").options
    linked = app_test()
    linked.query_params["programme"] = first["programme"]
    linked.query_params["sponsor"] = sponsor
    linked.run()
    assert not linked.exception
    assert linked.multiselect(key="sponsor").value == []
    assert any("taken out" in c.value for c in linked.sidebar.caption)
    assert not any("No projects match these filters" in i.value for i in linked.info)


def test_empty_database_shows_a_clear_empty_state(empty_url):
    at = open_page()
    assert [t.value for t in at.title] == ["Risks"]
    assert any("no status reports yet" in i.value for i in at.info)
    assert len(at.get("plotly_chart")) == 0
    assert at.button(key="load_sample")


def test_projects_without_risk_registers(sqlite_url, monkeypatch):
    """Status reports but no risks at all: the page says so instead of drawing empty charts."""
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    engine = store.get_engine(sqlite_url)
    projects = pd.DataFrame(
        {"project_id": ["P1"], "name": ["Alpha"], "portfolio": ["Ops"], "budget": [1000.0]}
    )
    reports = pd.DataFrame(
        {
            "project_id": ["P1"],
            "report_date": [pd.Timestamp("2026-03-06")],
            "overall_rag": ["Green"],
        }
    )
    store.write_batch(
        engine,
        {"projects": projects, "status_reports": reports},
        store.UploadMeta(
            file_name="alpha.xlsx", sha256="0" * 64, size_bytes=1, uploaded_by="t", source="cli"
        ),
    )
    at = open_page()
    assert any("No risk register has been uploaded" in i.value for i in at.info)
