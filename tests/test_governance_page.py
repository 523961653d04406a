"""AppTest: the Governance vs execution page on the seeded sample and on an empty database."""

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
    assert len(at.get("plotly_chart")) == 2  # quadrant and pipeline
    assert "as of 2026-11-20" in at.caption[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Portfolio compliance"].endswith("%")
    lens = " ".join(m.value for m in at.markdown)
    assert "mean governance value" in lens and "mean execution health" in lens
    scores = _frame_with(at, "value_why")
    assert len(scores) == 60
    assert scores["link"].str.startswith("project?project=PRJ-").all()
    assert scores["value_why"].str.contains("strategic alignment").all()
    log = _frame_with(at, "rationale")
    assert log["snapshot_rag"].notna().all()  # every row says the RAG then, or why not


def test_decision_log_filter(seeded_url):
    at = _open()
    at.multiselect(key="log_forum").select("Gate 2").run()
    log = _frame_with(at, "rationale")
    assert len(log) > 0 and set(log["forum"]) == {"Gate 2"}
    at.text_input(key="log_search").input("no such project").run()
    assert not at.exception
    assert any("No decision matches" in i.value for i in at.info)


def test_filters_apply_and_empty_filter_is_an_empty_state(seeded_url):
    at = _open(portfolio="Customer & Growth")
    assert len(_frame_with(at, "value_why")) == 16
    at.multiselect(key="sponsor").select("Helen Carter (CIO)").run()
    at.multiselect(key="programme").select("New Markets").run()
    assert not at.exception
    assert "No projects match these filters" in at.info[0].value


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
