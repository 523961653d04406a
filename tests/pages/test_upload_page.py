"""Upload page (AppTest): template, preview per sheet, commit disabled on errors, commit writes."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

import models
import store
from data_loaders.ingest import Options, parse_file
from data_loaders.template import template_bytes
from sample_data.excel import write_pm_workbooks
from tests.conftest import app_test
from tests.ingest_helpers import xlsx
from ui.components import plain

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _page():
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    return at


def _uploads(url: str) -> int:
    with store.get_engine(url).connect() as conn:
        return conn.execute(select(func.count()).select_from(models.uploads)).scalar()


def test_template_round_trips_every_sheet_kind():
    parsed = parse_file("t.xlsx", template_bytes(), {}, options=Options(new_projects="create"))
    kinds = {s.sheet: s.kind for s in parsed.report.sheets}
    assert kinds == {
        "Instructions": "unsupported", "Status": "status", "Risks": "risks",
        "Milestones": "milestones", "Decisions": "decisions", "RAID": "raid",
    }  # fmt: skip
    assert not parsed.report.has_errors
    assert all(v for s in parsed.report.sheets for v in s.mapping.values())


@pytest.mark.slow
def test_upload_preview_then_commit_writes(seeded_url, tmp_path):
    path = write_pm_workbooks(tmp_path)[0]
    at = _page()
    assert not at.exception
    at.file_uploader(key="upload_file").set_value((path.name, path.read_bytes(), XLSX)).run()
    assert not at.exception, at.exception
    titles = [e.label for e in at.expander]
    assert any("Status: Status report" in t for t in titles)
    assert any("Risks: Risk register" in t for t in titles)
    button = at.button(key="upload_commit")
    assert not button.disabled
    before = _uploads(seeded_url)
    button.click().run()
    assert not at.exception
    assert any("Loaded as upload" in s.value for s in at.success)
    assert _uploads(seeded_url) == before + 1
    # The history says what the new upload wrote, and keeps its validation report.
    history = next(d.value for d in at.dataframe if "rows" in d.value.columns)
    newest = history.iloc[0]
    assert newest["file_name"] == path.name
    assert newest["rows"] == "nothing new"  # the sample's own latest week: every row matched
    at.selectbox(key="upload_history_pick").select(int(newest["upload_id"])).run()
    assert any(f"Validation report of upload {newest['upload_id']}" in c.value for c in at.caption)
    labels = [b.proto.label for b in at.get("download_button")]
    assert f"Download {plain(path.name)}" in labels  # the original file, for download


def test_errors_disable_commit_and_show_problem_table(seeded_url):
    rows = [["Project ID", "Report Date", "Overall RAG", "% Complete"],
            ["PRJ-0001", "2026-11-27", "Red", 250]]  # fmt: skip
    at = _page()
    at.file_uploader(key="upload_file").set_value(("bad.xlsx", xlsx({"Status": rows}), XLSX)).run()
    assert not at.exception
    assert at.button(key="upload_commit").disabled
    tables = [df.value for df in at.dataframe]
    problems = next(t for t in tables if "message" in t.columns)
    assert "percent_complete: value out of range (0, 100)" in set(problems["message"])
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Errors"] == "2" and tiles["Rows skipped"] == "1"  # the row, "nothing to load"
    assert at.button(key="upload_commit").label == "Nothing to load"


def test_script_in_text_is_shown_as_text(seeded_url):
    html = "<script>alert('x')</script>"
    rows = [["Project ID", "Report Date", "Overall RAG", "Summary"],
            ["PRJ-0001", "2026-11-27", "Red", html]]  # fmt: skip
    at = _page()
    at.file_uploader(key="upload_file").set_value(("s.xlsx", xlsx({"Status": rows}), XLSX)).run()
    assert not at.exception
    frames = [df.value for df in at.dataframe]
    assert any("summary" in f.columns and html in set(f["summary"]) for f in frames)
    assert not any(html in str(m.value) for m in at.markdown)


def test_empty_database_shows_the_page_without_error(empty_url):
    at = _page()
    assert not at.exception
    assert any("No uploads yet" in i.value for i in at.info)
    assert at.file_uploader(key="upload_file") is not None


def _texts(at) -> list[str]:
    """Every text a PM reads on the page: messages, captions, labels, buttons."""
    out = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success")
           for e in at.get(kind)]  # fmt: skip
    out += [w.label for kind in ("button", "selectbox", "date_input") for w in at.get(kind)]
    return [str(t) for t in out]


def test_preview_counts_rows_to_load_and_skip_and_the_button_says_it(seeded_url):
    rows = [["Project ID", "Report Date", "Overall RAG", "% Complete"],
            ["PRJ-0001", "2026-11-27", "Green", 40], ["PRJ-0002", "2026-11-27", "Red", 140],
            ["PRJ-0003", "2026-11-27", "In Progress", 30]]  # fmt: skip
    at = _page()
    at.file_uploader(key="upload_file").set_value(("w.xlsx", xlsx({"Status": rows}), XLSX)).run()
    assert not at.exception
    assert any(
        i.value == "2 rows will load, 1 will be skipped · 1 row has no RAG" for i in at.info
    ), [i.value for i in at.info]
    button = at.button(key="upload_commit")
    assert button.label == "Load 2 rows (skip 1)" and not button.disabled
    problems = next(d.value for d in at.dataframe if "outcome" in d.value.columns)
    assert set(problems["outcome"]) == {"row skipped", "loaded, check it"}
    button.click().run()
    assert not at.exception
    assert any("1 skipped rows are kept with the upload" in s.value for s in at.success)
    # Data quality lists the skipped row with its upload
    at.switch_page("pages/data/quality.py").run()
    assert not at.exception
    skipped = next(d.value for d in at.dataframe if "reason" in d.value.columns)
    row = skipped.iloc[0]
    assert (row["file_name"], row["sheet"], row["row"], row["column"]) == (
        "w.xlsx", "Status", 3, "% Complete"
    )  # fmt: skip
    assert row["reason"].startswith("percent_complete: value out of range")


def test_a_sheet_lacking_project_and_date_asks_for_both_on_the_page(seeded_url):
    rows = [["Risk ID", "Risk", "Likelihood", "Impact"], ["R1", "Supplier late", 3, 4]]
    at = _page()
    at.file_uploader(key="upload_file").set_value(("r.xlsx", xlsx({"Risks": rows}), XLSX)).run()
    assert not at.exception
    assert any(
        w.value == "To load this file, choose the project and the report date." for w in at.warning
    )
    assert at.button(key="upload_commit").disabled
    picker = at.date_input(key="upload_date")
    assert picker.value is None  # never today by default
    assert not any("--" in t or "pass " in t for t in _texts(at)), _texts(at)
    at.selectbox(key="upload_project").set_value("PRJ-0001").run()
    at.date_input(key="upload_date").set_value(date(2013, 5, 31)).run()  # an old, plausible date
    assert not at.exception
    assert not any("To load this file" in w.value for w in at.warning)
    button = at.button(key="upload_commit")
    assert button.label == "Load 1 row" and not button.disabled
    button.click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
