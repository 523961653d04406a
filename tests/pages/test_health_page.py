"""AppTest: the app shell and the Portfolio Health page on the seeded sample and on nothing."""

from tests.conftest import app_test


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_health_page_on_sample(seeded_url):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    assert not at.exception
    assert at.title[0].value == "Portfolio health"
    m = _metrics(at)
    assert m["Projects"] == "60"
    rags = {"Red (reported)", "Amber (reported)", "Green (reported)"}
    assert set(m) >= {*rags, "Total budget (BAC)", "EAC variance", "Not reported", "Watermelons"}
    assert len(at.get("plotly_chart")) == 5
    assert "as of 2026-11-20" in at.caption[0].value
    assert "compared with 2026-11-13" in at.caption[0].value
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 5
    exceptions = at.dataframe[0].value
    assert exceptions["computed_rule"].str.contains("SPI|CPI|slip|EAC").any()


def test_filters_change_the_numbers_and_the_url(seeded_url):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    before = _metrics(at)
    at.multiselect(key="portfolio").select("Customer & Growth").run()
    after = _metrics(at)
    assert after["Projects"] == "16" and before["Projects"] == "60"
    assert after["Total budget (BAC)"] != before["Total budget (BAC)"]
    assert at.query_params["portfolio"] in ("Customer & Growth", ["Customer & Growth"])
    at.selectbox(key="date").select("2026-05-29").run()  # the first week
    assert not at.exception
    assert "first review" in at.caption[0].value
    assert at.query_params["date"] in ("2026-05-29", ["2026-05-29"])


def test_url_reproduces_the_view(seeded_url):
    at = app_test()
    at.query_params["portfolio"] = "Digital & Technology"
    at.query_params["date"] = "2026-10-02"
    at.run()
    at.switch_page("pages/review/health.py").run()
    assert at.multiselect(key="portfolio").value == ["Digital & Technology"]
    assert at.selectbox(key="date").value == "2026-10-02"
    assert "as of 2026-10-02" in at.caption[0].value


def test_a_filter_with_no_match_is_not_offered(seeded_url):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    at.multiselect(key="sponsor").select("Helen Carter (CIO)").run()
    # that sponsor has no project in New Markets: main offered it and then showed nothing
    assert "New Markets" not in at.multiselect(key="programme").options
    assert not at.exception
    assert at.metric


def test_empty_database_offers_the_sample(empty_url):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    assert not at.exception
    assert "no status reports yet" in at.info[0].value
    at.button(key="load_sample").click().run()
    assert not at.exception
    assert _metrics(at)["Projects"] == "60"


def test_clicked_bubble_opens_the_project(seeded_url):
    at = app_test().run()
    at.switch_page("pages/review/health.py").run()
    at.session_state["goto_project"] = "PRJ-0010"  # what the bubble's on_select stores
    at.run()
    assert not at.exception
    assert at.header[0].value.startswith("PRJ-0010")
    assert at.query_params["project"] in ("PRJ-0010", ["PRJ-0010"])
