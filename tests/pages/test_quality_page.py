"""AppTest for the data-quality page: seeded sample, first week, empty database."""

from tests.conftest import app_test


def _open(at):
    return at.switch_page("pages/data/quality.py").run()


def _table(at, column: str):
    """The first table that has ``column`` (tables come and go with empty states)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_quality_on_the_sample(seeded_url):
    at = _open(app_test().run())
    assert not at.exception
    assert at.title[0].value == "Data quality"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["On time"] == "57" and tiles["Not reported"] == "3"
    reporting = _table(at, "age_days")
    not_reported = reporting[reporting["status"] == "○ Not reported (Grey)"]
    assert len(not_reported) == 3
    assert (not_reported["rag"] == "○ Grey").all()
    assert (not_reported["age_days"] > 10).all()
    findings = _table(at, "rule")
    assert {"name", "field", "value", "rule"} <= set(findings.columns)
    # the sample's re-baseline without a decision and its corrected percent complete
    assert set(findings["rule"]) == {
        "baseline date changed without a recorded decision",
        "percent complete went down since the previous report",
    }
    uploads = _table(at, "file_name")
    assert len(uploads) == 26 and uploads["score"].between(0, 100).all()
    at.toggle(key="findings_latest").set_value(True).run()
    assert not at.exception
    assert not any("rule" in d.value.columns for d in at.dataframe)  # none in the last week


def test_quality_first_week(seeded_url):
    at = app_test().run()
    oldest = at.sidebar.selectbox(key="date").options[-1]
    at.sidebar.selectbox(key="date").set_value(oldest).run()
    at = _open(at)
    assert not at.exception
    assert len(_table(at, "file_name")) == 1  # only the first week's upload so far


def test_quality_empty_database(empty_url):
    at = _open(app_test().run())
    assert not at.exception
    assert at.button(key="load_sample")
