"""Source definition files: every mistake is refused with a message that says what to change."""

from __future__ import annotations

import pandas as pd
import pytest

from data_loaders.sql_source import SourceError, display_url, load_source, resolve_url

GOOD = """
[source]
name = "ppm"
url = "postgresql://reader:${PPM_PASSWORD}@db:5432/ppm"

[tables.projects]
table = "proj"
[tables.projects.columns]
project_id = "code"
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("[tables.projects]", "[tables.project]"), "'project' is not a canonical table"),
        (('table = "proj"', 'table = "proj"\nquery = "SELECT 1"'), "exactly one of table"),
        (("[source]", "[source]\nport = 1"), "unknown key 'port'"),
        (("${PPM_PASSWORD}", "s3cret"), "never put secrets in this file"),
        (('ppm"\n', 'ppm?password=s3cret"\n'), "never put secrets in this file"),
        (
            ('table = "proj"', 'table = "proj"\nscales = {impact = {1 = 2}}'),
            "'impact' is not a field of projects",
        ),
        (
            ('[tables.projects]', '[tables.risks.scales]\nimpact = {1 = 9}\n[tables.projects]'),
            "every value must be a whole number 1-5",
        ),
        (
            ("[tables.projects]", '[tables.status_reports.values.overall_rag]\nx = "Blue"\n[x]'),
            "'Blue' is not Green, Amber, Red or Grey",
        ),
    ],
)  # fmt: skip
def test_mistakes_are_refused(tmp_path, change, message):
    path = tmp_path / "ppm.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(SourceError, match=message.replace("?", r"\?")) as err:
        load_source(path)
    assert "s3cret" not in str(err.value)


def test_placeholders_are_filled_from_the_environment_and_hidden_for_display(tmp_path, monkeypatch):
    path = tmp_path / "ppm.toml"
    path.write_text(GOOD)
    src = load_source(path)
    monkeypatch.setenv("PPM_PASSWORD", "pw42")
    url = resolve_url(src)
    assert url == "postgresql://reader:pw42@db:5432/ppm"
    assert display_url(url) == "postgresql://reader:***@db:5432/ppm"


def test_a_project_register_without_dates_passes_the_schema():
    """A source that maps no start or end date (a plain project list) is not rejected with
    "end date before start date" for want of the columns."""
    from data_loaders.report import schema_problems

    frame = pd.DataFrame({"project_id": ["P1"], "name": ["One"]})
    assert schema_problems("projects", frame, "projects") == []
    dated = frame.assign(
        start_date=pd.to_datetime(["2026-03-01"]), end_date=pd.to_datetime(["2026-01-01"])
    )
    assert {p.message for p in schema_problems("projects", dated, "projects")} == {
        "end date before start date"
    }
