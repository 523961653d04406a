"""Project details are the latest report's: a file dated before the project's latest stored
report never overwrites them (it only fills what is empty), and a blank or placeholder cell
never erases a stored value. Both show in the preview before anything is written."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import store
from data_loaders.ingest import Options, known_projects, parse_file, preview_overwrites
from tests.ingest_helpers import load, xlsx

HEADER = ["Project ID", "Project Name", "Sponsor", "Baseline End", "Budget", "Report Date",
          "Overall RAG"]  # fmt: skip


def _sheet(sponsor, end, budget, report_date, rag="Green"):
    return xlsx({"Portfolio": [HEADER, ["P-1", "Alpha", sponsor, end, budget, report_date, rag]]})


def _project(url: str) -> dict:
    with store.get_engine(url).connect() as conn:
        row = conn.execute(store.select(store.models.projects)).mappings().one()
    return dict(row)


def _report_dates(url: str) -> list[date]:
    with store.get_engine(url).connect() as conn:
        rows = conn.execute(store.select(store.models.status_reports.c.report_date)).scalars()
        return sorted(pd.Timestamp(d).date() for d in rows)


@pytest.fixture
def loaded_2023(sqlite_url):
    report, _ = load(
        sqlite_url, _sheet("Ann", date(2025, 6, 30), 100, date(2023, 3, 31)), "2023.xlsx",
        new_projects="create",
    )  # fmt: skip
    assert report.status == "loaded", report.to_dict()
    return sqlite_url


def test_an_older_file_keeps_the_newer_project_details_and_adds_its_report(loaded_2023):
    url = loaded_2023
    old_file = _sheet("Bob", "TBC", 50, date(2014, 3, 31), "Red")
    report, _ = load(url, old_file, "2014.xlsx")
    assert report.status == "loaded", report.to_dict()
    project = _project(url)
    assert project["sponsor"] == "Ann"
    assert pd.Timestamp(project["end_date"]).date() == date(2025, 6, 30)
    assert project["budget"] == 100
    assert _report_dates(url) == [date(2014, 3, 31), date(2023, 3, 31)]  # history kept


def test_the_preview_says_which_values_are_kept_before_anything_is_written(loaded_2023):
    url = loaded_2023
    engine = store.get_engine(url)
    parsed = parse_file("2014.xlsx", _sheet("Bob", "TBC", 50, date(2014, 3, 31)),
                        known_projects(engine), options=Options())  # fmt: skip
    preview_overwrites(engine, parsed)
    kept = parsed.kept_values
    assert set(kept["field"]) == {"sponsor", "end_date", "budget"}
    row = kept.set_index("field").loc["sponsor"]
    assert (row["project_id"], row["stored"], row["file"]) == ("P-1", "Ann", "Bob")
    assert "2023-03-31" in row["reason"] and "2014-03-31" in row["reason"]
    end = kept.set_index("field").loc["end_date"]
    assert end["file"] is None and "empty" in end["reason"]
    assert _project(url)["sponsor"] == "Ann"  # the preview wrote nothing


def test_a_newer_file_updates_the_details_but_a_placeholder_never_blanks_one(loaded_2023):
    url = loaded_2023
    report, _ = load(url, _sheet("Cleo", "TBC", 120, date(2024, 3, 31)), "2024.xlsx")
    assert report.status == "loaded", report.to_dict()
    project = _project(url)
    assert (project["sponsor"], project["budget"]) == ("Cleo", 120)
    assert pd.Timestamp(project["end_date"]).date() == date(2025, 6, 30)


def test_the_command_line_prints_each_kept_value(loaded_2023, tmp_path, capsys):
    from data_loaders import cli

    path = tmp_path / "2014.xlsx"
    path.write_bytes(_sheet("Bob", "TBC", 50, date(2014, 3, 31)))
    assert cli.main(["ingest", str(path), "--db", loaded_2023, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "kept: P-1 sponsor stays Ann (file: Bob)" in out
    assert "kept: P-1 end_date stays 2025-06-30 (file: None): the file's cell is empty" in out
