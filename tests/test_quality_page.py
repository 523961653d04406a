"""AppTest for the data-quality page: seeded sample, first week, empty database."""

from tests.conftest import app_test


def _open(at):
    return at.switch_page("views/quality.py").run()


def test_quality_on_the_sample(seeded_url):
    at = _open(app_test().run())
    assert not at.exception
    assert at.title[0].value == "Data quality"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["On time"] == "53" and tiles["Not reported"] == "7"
    reporting = at.dataframe[1].value
    not_reported = reporting[reporting["status"] == "○ Not reported (Grey)"]
    assert len(not_reported) == 7
    assert (not_reported["rag"] == "○ Grey").all()
    assert (not_reported["age_days"] > 10).all()
    findings = at.dataframe[3].value
    assert {"name", "field", "value", "rule"} <= set(findings.columns)
    assert "forecast end date before the report date (project not complete)" in set(
        findings["rule"]
    )
    uploads = at.dataframe[4].value
    assert len(uploads) == 26 and uploads["score"].between(0, 100).all()
    at.toggle(key="findings_latest").set_value(True).run()
    assert not at.exception
    assert (at.dataframe[3].value["report_date"] == "2026-11-20").all()


def test_quality_first_week(seeded_url):
    at = app_test().run()
    oldest = at.sidebar.selectbox(key="date").options[-1]
    at.sidebar.selectbox(key="date").set_value(oldest).run()
    at = _open(at)
    assert not at.exception
    assert len(at.dataframe[4].value) == 1  # only the first week's upload so far


def test_quality_empty_database(empty_url):
    at = _open(app_test().run())
    assert not at.exception
    assert at.button(key="load_sample")
