"""Fix in the preview: a corrected cell is parsed like a typed one, the file stays as uploaded,
and the correction (cell, original, new value, who) is recorded with the upload."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from sqlalchemy import select

import models
import store
from data_loaders.ingest import Options, commit, known_projects
from data_loaders.sandbox import parse_isolated
from tests.conftest import app_test
from tests.ingest.test_ingest_cli import cli
from tests.ingest_helpers import parse, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS = [
    ["Project ID", "Report Date", "Overall RAG", "% Complete"],
    ["PRJ-0001", "2026-11-27", "Green", 40],
    ["PRJ-0002", "2026-11-27", "Red", 140],  # row 3: % complete over 100, the row is skipped
    ["PRJ-0003", "2026-11-27", "Amber", 30],
]
CELL = ("Status", 3, "% Complete")
KNOWN = {"PRJ-0001": "One", "PRJ-0002": "Two", "PRJ-0003": "Three"}


def test_a_correction_loads_the_skipped_row_and_is_recorded_with_the_upload(db_url):
    data = xlsx({"Status": ROWS})
    engine = store.get_engine(db_url)
    # parsed in the child process: the corrections travel with the pickled options
    options = Options(new_projects="create", corrections={CELL: "40"})
    parsed = parse_isolated("w.xlsx", data, known_projects(engine), options=options)
    report = parsed.report
    assert (report.rows_loaded, report.rows_skipped) == (3, 0)
    assert not [p for p in report.all_problems if p.severity == "error"]
    result = commit(engine, parsed, "Alice Smith", source="upload")
    assert result.status == "loaded"
    with engine.connect() as conn:
        done = conn.execute(
            select(models.status_reports.c.percent_complete).where(
                models.status_reports.c.project_id == "PRJ-0002"
            )
        ).scalar_one()
        sha = conn.execute(select(models.uploads.c.sha256)).scalar_one()
    assert done == 40
    stored = store.upload_report(engine, result.upload_id)
    assert stored["corrections"] == [
        {"sheet": "Status", "row": 3, "column": "% Complete", "original": "140", "value": "40",
         "by": "Alice Smith"}
    ]  # fmt: skip
    # the original file is kept byte for byte, under the hash of those bytes
    assert store.upload_content(engine, result.upload_id)[1] == data
    assert sha == hashlib.sha256(data).hexdigest()


def test_a_correction_that_is_still_bad_stays_skipped_naming_the_corrected_value():
    parsed = parse(xlsx({"Status": ROWS}), known=KNOWN, corrections={CELL: "150"})
    report = parsed.report
    assert (report.rows_loaded, report.rows_skipped) == (2, 1)
    [problem] = [p for p in report.all_problems if p.row == 3]
    assert (problem.value, problem.outcome) == ("150", "skipped")
    assert "corrected value; the file has '140'" in problem.message
    assert report.corrections[0]["value"] == "150"


def test_a_correction_goes_through_the_same_parsing_as_a_typed_cell():
    # a placeholder typed as the correction of an optional field blanks the cell, as in a file
    parsed = parse(xlsx({"Status": ROWS}), known=KNOWN, corrections={CELL: "TBC"})
    assert (parsed.report.rows_loaded, parsed.report.rows_skipped) == (3, 0)
    status = parsed.frames["status_reports"].set_index("project_id")
    assert pd.isna(status.loc["PRJ-0002", "percent_complete"])
    assert any(p.row == 3 and p.outcome == "blanked" for p in parsed.report.all_problems)


def test_a_correction_that_names_no_cell_refuses_the_file():
    fixes = {("Status", 3, "% Done"): "40", ("Risks", 2, "Impact"): "3"}
    parsed = parse(xlsx({"Status": ROWS}), known=KNOWN, corrections=fixes)
    assert parsed.report.status == "rejected"
    messages = [p.message for p in parsed.report.problems]
    assert any("no column '% Done'" in m for m in messages)
    assert any("sheet Risks" in m and "no such sheet" in m for m in messages)


def test_the_same_file_with_new_corrections_is_already_loaded(sqlite_url):
    data = xlsx({"Status": ROWS})
    engine = store.get_engine(sqlite_url)
    first = parse(data, new_projects="create")
    assert commit(engine, first, "pm").status == "loaded"
    fixes = {CELL: "40"}
    again = parse(data, known=known_projects(engine), new_projects="create", corrections=fixes)
    assert again.report.rows_skipped == 0
    result = commit(engine, again, "pm")
    # the upload is the file: other corrections do not make it a new one (README, Upload)
    assert result.status == "duplicate"
    assert store.upload_reports(engine)[result.upload_id]["corrections"] == []


@pytest.mark.slow
def test_cli_fix_corrects_a_cell_and_records_who(sqlite_url, tmp_path):
    path = tmp_path / "w.xlsx"
    path.write_bytes(xlsx({"Status": ROWS}))
    fix = "Status!3:% Complete=40"
    out = cli(str(path), "--json", "--create-projects", "--fix", fix, "--uploaded-by", "bob",
              url=sqlite_url)  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    report = json.loads(out.stdout)["files"][0]
    assert (report["rows_loaded"], report["rows_skipped"]) == (3, 0)
    assert report["corrections"][0] | {} == {
        "sheet": "Status", "row": 3, "column": "% Complete", "original": "140", "value": "40",
        "by": "bob"
    }  # fmt: skip
    bad = cli(str(path), "--fix", "Status 3 = 40", url=sqlite_url)
    assert bad.returncode == 2 and "SHEET!ROW:COLUMN=VALUE" in bad.stderr


def test_upload_page_fix_a_cell_revalidate_commit_and_see_it_recorded(seeded_url):
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.text_input(key="upload_who").set_value("Priya Patel")
    at.file_uploader(key="upload_file").set_value(("w.xlsx", xlsx({"Status": ROWS}), XLSX)).run()
    assert not at.exception, at.exception
    assert at.button(key="upload_commit").label == "Load 2 rows (skip 1)"
    grid = next(d for d in at.data_editor if d.key == "upload_fix_grid").value
    assert list(grid[["sheet", "row", "column", "in the file"]].iloc[0]) == [
        "Status", 3, "% Complete", "140"
    ]  # fmt: skip
    # the column to type in comes before the long problem text, so it is on screen
    assert list(grid.columns)[-2:] == ["corrected value", "problem"]
    # the PM types 40 in the "corrected value" column and presses Revalidate
    at.session_state["upload_fix_grid"] = {
        "edited_rows": {0: {"corrected value": "40"}}, "added_rows": [], "deleted_rows": [],
    }  # fmt: skip
    at.button(key="upload_revalidate").click().run()
    assert not at.exception, at.exception
    tiles = {m.label: m.value for m in at.metric}
    assert (tiles["Rows to load"], tiles["Rows skipped"]) == ("3", "0")
    button = at.button(key="upload_commit")
    assert button.label == "Load 3 rows" and not button.disabled
    button.click().run()
    assert not at.exception, at.exception
    assert any("1 corrected cell recorded with it" in s.value for s in at.success)
    # upload history: the newest upload's corrections, with who made them
    history = next(d.value for d in at.dataframe if "rows" in d.value.columns)
    at.selectbox(key="upload_history_pick").select(int(history.iloc[0]["upload_id"])).run()
    assert any("Cells corrected in the preview of upload" in c.value for c in at.caption)
    fixes = next(d.value for d in at.dataframe if "original" in d.value.columns)
    assert list(fixes[["sheet", "row", "column", "original", "value", "by"]].iloc[0]) == [
        "Status", 3, "% Complete", "140", "40", "Priya Patel"
    ]  # fmt: skip
    at.switch_page("pages/data/quality.py").run()
    assert not at.exception, at.exception
    fixed = next(d.value for d in at.dataframe if "original" in d.value.columns)
    row = fixed.iloc[0]
    assert (row["file_name"], row["original"], row["value"], row["by"]) == (
        "w.xlsx", "140", "40", "Priya Patel"
    )  # fmt: skip
    assert not any("reason" in d.value.columns for d in at.dataframe)  # nothing was skipped
