"""The Upload page has a way forward from every question: a register can start a new project,
a table taken for a status report without a project column shows its mapping editor, and rows
waiting for the create-projects tick say so instead of "every row was skipped"."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import models
import store
from tests.conftest import app_test
from tests.ingest_helpers import xlsx
from ui.upload_choices import NEW_PROJECT
from ui.upload_sheets import field_label

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _upload(name: str, data: bytes):
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value((name, data, XLSX)).run()
    assert not at.exception, at.exception
    return at


def test_a_register_starts_a_new_project_from_the_page(empty_url):
    register = xlsx({"Risks": [
        ["Risk ID", "Title", "Likelihood", "Impact", "Report Date"],
        ["R1", "Supplier late", 3, 4, date(2026, 11, 27)],
    ]})  # fmt: skip
    at = _upload("risks.xlsx", register)
    picker = at.selectbox(key="upload_project")
    assert NEW_PROJECT in picker.options
    picker.select(NEW_PROJECT).run()
    at.text_input(key="upload_new_project").input("NEW-1").run()
    at.checkbox(key="upload_create").check().run()
    assert not at.exception, at.exception
    button = at.button(key="upload_commit")
    assert not button.disabled, [e.value for e in at.error]
    button.click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    with store.get_engine(empty_url).connect() as conn:
        assert conn.execute(select(models.risks.c.project_id)).scalars().all() == ["NEW-1"]


def test_rows_waiting_for_the_tick_say_so(empty_url):
    sheet = xlsx({"Status": [["Project ID", "Project Name", "Report Date", "Overall RAG"],
                             ["N-1", "New", date(2026, 11, 27), "Green"]]})  # fmt: skip
    at = _upload("status.xlsx", sheet)
    said = " ".join(e.value for e in at.error)
    assert "1 row waits for their new projects to be created" in said
    assert "every row was skipped" not in said


def test_a_status_sheet_without_a_project_column_shows_its_mapping_editor(empty_url):
    sheet = xlsx({"Status": [["Ref", "Report Date", "Overall RAG", "% Complete"],
                             ["A", date(2026, 11, 27), "Green", 10],
                             ["B", date(2026, 11, 27), "Red", 20]]})  # fmt: skip
    at = _upload("status.xlsx", sheet)
    editors = [d for d in at.dataframe if (d.key or "").startswith("map_")]
    assert editors, "no mapping editor"
    assert list(editors[0].value["column"]) == ["Ref", "Report Date", "Overall RAG", "% Complete"]
    assert (
        at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("kind_"))).value
        == "status"
    )
    assert field_label("cost_rag") == "Cost RAG (cost_rag)"


def _title_dated(day: date) -> bytes:
    return xlsx({"Status": [
        ["Report date:", day], [],
        ["Project ID", "Overall RAG", "% Complete"], ["PRJ-0001", "Green", 40],
    ]})  # fmt: skip


def test_a_far_off_report_date_can_be_replaced_on_the_page(seeded_url):
    at = _upload("status.xlsx", _title_dated(date(2018, 11, 19)))  # a cached =TODAY()
    assert any("check the report date" in w.value for w in at.warning)
    at.date_input(key="upload_date_replace").set_value(date(2026, 11, 27)).run()
    assert not at.exception, at.exception
    assert not any("check the report date" in w.value for w in at.warning)
    status = next(d.value for d in at.dataframe if "overall_rag" in d.value.columns)
    assert [str(d)[:10] for d in status["report_date"]] == ["2026-11-27"]


def test_the_command_line_replaces_a_report_date_only_when_asked(seeded_url, tmp_path, capsys):
    from data_loaders import cli

    path = tmp_path / "old.xlsx"
    path.write_bytes(_title_dated(date(2018, 11, 19)))
    base = ["ingest", str(path), "--db", seeded_url, "--dry-run", "--json"]
    assert cli.main([*base, "--report-date", "2026-11-27"]) == 0
    assert "2018-11-19" in capsys.readouterr().out  # only fills a missing date
    assert cli.main([*base, "--report-date", "2026-11-27", "--replace-report-date"]) == 0
    out = capsys.readouterr().out
    assert "replaced by 2026-11-27" in out and "weeks before the latest review" not in out
