"""AppTest: the Governance vs execution page on the seeded sample and on an empty database."""

import pytest

from tests.conftest import app_test


def _open(**params):
    at = app_test()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page("pages/portfolio/governance.py").run()


def _frame_with(at, column):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_governance_page_on_sample(seeded_url):
    at = _open()
    assert not at.exception
    assert at.title[0].value == "Governance vs execution"
    assert len(at.get("plotly_chart")) == 1  # the default view: the quadrant
    assert at.query_params["view"] in ("quadrant", ["quadrant"])
    assert "as of 2026-11-20" in at.caption[0].value
    lens = " ".join(m.value for m in at.markdown)
    assert "mean governance value" in lens and "mean execution health" in lens
    scores = _frame_with(at, "value_why")
    assert len(scores) == 60
    assert scores["link"].str.startswith("project?project=PRJ-").all()
    assert scores["value_why"].str.contains("strategic alignment").all()
    assert scores["health_why"].str.contains("trend").all()
    # the sample's three projects that stopped reporting: grey, counted apart, never healthy
    counts = _frame_with(at, "meaning").set_index("quadrant")
    assert counts.loc["not reported", "projects"] == 3
    assert any("Grey: 3 projects not reported" in c.value for c in at.caption)
    at.radio(key="governance_view").set_value("compliance").run()
    assert not at.exception
    assert at.query_params["view"] in ("compliance", ["compliance"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Portfolio compliance"].endswith("%")
    at.radio(key="governance_view").set_value("log").run()
    log = _frame_with(at, "rationale")
    assert log["snapshot_rag"].notna().all()  # every row says the RAG then, or why not


@pytest.mark.parametrize(
    ("view", "shows"),
    [("gates", "Gate decisions overdue"), ("log", "decisions · each linked"),
     ("compliance", "on time = a report within")],
)  # fmt: skip
def test_view_in_the_url_opens_that_view(seeded_url, view, shows):
    at = _open(view=view)
    assert not at.exception
    assert at.radio(key="governance_view").value == view
    assert at.query_params["view"] in (view, [view])
    texts = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert shows in texts
    # the quadrant is not drawn in another view (only the chosen view is computed)
    assert not any("value_why" in d.value.columns for d in at.dataframe)


def test_unknown_view_in_the_url_falls_back_to_the_quadrant(seeded_url):
    at = _open(view="<script>")
    assert not at.exception
    assert at.radio(key="governance_view").value == "quadrant"
    assert at.query_params["view"] in ("quadrant", ["quadrant"])


def test_decision_log_filter(seeded_url):
    at = _open(view="log")
    at.multiselect(key="log_forum").select("Gate 2").run()
    log = _frame_with(at, "rationale")
    assert len(log) > 0 and set(log["forum"]) == {"Gate 2"}
    at.text_input(key="log_search").input("no such project").run()
    assert not at.exception
    assert any("No decision matches" in i.value for i in at.info)


def test_filters_apply_and_a_clashing_filter_is_taken_out(seeded_url):
    at = _open(portfolio="Customer & Growth")
    assert len(_frame_with(at, "value_why")) == 16
    at.multiselect(key="sponsor").select("Helen Carter (CIO)").run()
    # The sponsor has no project in New Markets: the programme is not even offered.
    assert "New Markets" not in at.multiselect(key="programme").options
    assert not any("No projects match these filters" in i.value for i in at.info)


def test_explain_one_project(seeded_url):
    at = _open()
    at.selectbox(key="explain_project").select("PRJ-0002").run()
    detail = _frame_with(at, "share")
    assert set(detail["score"]) == {"governance", "execution"}
    assert abs(detail.groupby("score")["share"].sum() - 1).max() < 1e-9


def test_selecting_a_project_switches_to_its_detail_page(seeded_url):
    # What the quadrant's on_select callback stores; the click itself is in the browser test.
    at = _open()
    at.session_state["goto_project"] = "PRJ-0007"
    at.run()
    assert not at.exception
    assert at.header[0].value.startswith("PRJ-0007")
    assert at.query_params["project"] in ("PRJ-0007", ["PRJ-0007"])


def test_empty_database_offers_the_sample(empty_url):
    at = _open()
    assert not at.exception
    assert "no status reports yet" in at.info[0].value
