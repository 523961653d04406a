"""Column choice: two columns for one field, multi-line title cells, tables with unfamiliar
headers (recognised by shape, mapped with --kind / --map and remembered), user synonyms."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

import config
import models
import store
from data_loaders.ingest import Options, parse_file
from tests.conftest import app_test
from tests.ingest.test_ingest_cli import cli
from tests.ingest_helpers import errors, load, parse, xlsx

KNOWN = {"PRJ-0001": "CRM Replacement Phase 1"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIKELY = "Possible - could occur in the next year"


def test_of_two_likelihood_columns_the_one_whose_values_read_is_taken_and_named():
    rows = [
        ["Risk ID", "Risk", "Likelihood", "Likelihood Score", "Impact", "Impact (1-5)"],
        ["R1", "Supplier late", LIKELY, 3, "Major delay to go-live of the CRM", 4],
        ["R2", "Key people leave", "Almost certain - already happening", 5, "Serious", 5],
        ["R3", "Data migration fails", "Unlikely - tested twice", 2, "Moderate rework", 3],
    ]
    parsed = parse(xlsx({"Risks": rows}), known=KNOWN, project_id="PRJ-0001",
                   report_date=date(2026, 11, 20))  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    risks = parsed.frames["risks"]
    assert list(risks["likelihood"]) == [3, 5, 2]
    assert list(risks["impact"]) == [4, 5, 3]
    sheet = parsed.report.sheets[0]
    assert (sheet.rows_loaded, sheet.rows_skipped) == (3, 0)
    # nothing was read from the text columns as a rating, so no cell was left empty
    assert not [p for p in sheet.problems if p.outcome == "blanked"]
    said = [p.message for p in sheet.problems if "both match" in p.message]
    assert any(
        "'Likelihood' (column C)" in m and "'Likelihood Score' (column D)" in m
        and "values come from 'Likelihood Score' (column D)" in m
        for m in said
    ), said  # fmt: skip
    # the descriptive text is kept in a free text field (description), or listed as unmapped
    assert sheet.mapping["Likelihood"] == "description"
    assert sheet.mapping["Impact"] == ""
    assert list(risks["description"])[0] == LIKELY


def test_a_multi_line_title_cell_gives_project_and_report_date():
    title = "Project Name: Harbour Wall\nProject ID: HW-01\nReport date: 2026-11-20"
    rows = [
        [title],
        [],
        ["Risk ID", "Title", "Likelihood", "Impact"],
        ["R1", "Storm surge", 3, 4],
        ["R2", "Steel price", 2, 3],
    ]
    parsed = parse(xlsx({"Risks": rows}), new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    risks = parsed.frames["risks"]
    assert set(risks["project_id"]) == {"HW-01"}
    assert set(risks["report_date"]) == {pd.Timestamp("2026-11-20")}
    assert list(parsed.frames["projects"]["name"]) == ["Harbour Wall"]


def unfamiliar(rows: list[list]) -> bytes:
    return xlsx({"Sheet1": [["Ref.No", "Desc", "Prob.", "Sev.", "Resp.", "Raised on"], *rows]})


FIRST = [
    ["A-1", "Vendor insolvency", 3, 4, "Jo Bloggs", date(2026, 10, 1)],
    ["A-2", "Scope creep", 4, 3, "Sam Lee", date(2026, 10, 8)],
    ["A-3", "Test environment late", 2, 5, "Ann Cole", date(2026, 10, 15)],
]


def test_a_table_with_unfamiliar_headers_is_recognised_by_shape_and_lists_its_columns():
    parsed = parse(unfamiliar(FIRST), known=KNOWN, project_id="PRJ-0001")
    sheet = parsed.report.sheets[0]
    assert sheet.kind == "unsupported" and sheet.header_row == 1
    assert "column names we do not know" in sheet.reason
    assert list(sheet.mapping) == ["Ref.No", "Desc", "Prob.", "Sev.", "Resp.", "Raised on"]
    assert set(sheet.mapping.values()) == {""}  # every column listed as unmapped
    assert parsed.report.status == "unsupported" and not parsed.frames
    # the shape needs typed values: a list of words (a scale's explanation) is not a table
    words = [["Rating", "Explanation", "Range"], ["Rare", "Hardly ever", "0-10%"],
             ["Likely", "Expected", "60-80%"], ["Possible", "May occur", "40-60%"]]  # fmt: skip
    sheet = parse(xlsx({"Risk Likelihood": words})).report.sheets[0]
    assert sheet.kind == "unsupported" and sheet.reason.startswith("not a table")


@pytest.mark.slow
def test_cli_kind_and_map_load_an_unfamiliar_table_and_the_mapping_is_remembered(
    seeded_url, tmp_path
):
    first = tmp_path / "risks_a.xlsx"
    first.write_bytes(unfamiliar(FIRST))
    hint = cli(str(first), "--project", "PRJ-0001", "--report-date", "2026-11-20", url=seeded_url)
    assert hint.returncode == 1
    assert "--kind KIND" in hint.stdout and "--map" in hint.stdout
    pairs = ["Ref.No=risk_id", "Desc=title", "Prob.=likelihood", "sev=impact", "Resp.=owner",
             "Raised on=raised_date"]  # fmt: skip
    maps = [arg for pair in pairs for arg in ("--map", pair)]
    run = cli(str(first), "--kind", "risks", *maps, "--project", "PRJ-0001",
              "--report-date", "2026-11-20", "--json", url=seeded_url)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    sheet = json.loads(run.stdout)["files"][0]["sheets"][0]
    assert sheet["kind"] == "risks" and sheet["rows_loaded"] == 3
    assert sheet["mapping"]["Sev."] == "impact"
    engine = store.get_engine(seeded_url)
    with engine.connect() as conn:
        got = conn.execute(
            select(models.risks.c.risk_id, models.risks.c.likelihood, models.risks.c.owner)
            .where(models.risks.c.risk_id.like("A-%"))
            .order_by(models.risks.c.risk_id)
        ).all()
        stored = [json.loads(m) for m in conn.scalars(select(models.column_mappings.c.mapping))]
    assert [tuple(r) for r in got] == [("A-1", 3, "Jo Bloggs"), ("A-2", 4, "Sam Lee"),
                                       ("A-3", 2, "Ann Cole")]  # fmt: skip
    assert {"": "risks", "Ref.No": "risk_id", "Prob.": "likelihood"}.items() <= next(
        m for m in stored if "Ref.No" in m
    ).items()
    # the next file with the same columns loads without the options
    second = tmp_path / "risks_b.xlsx"
    second.write_bytes(unfamiliar([["A-4", "Budget cut", 2, 2, "Jo Bloggs", date(2026, 11, 2)]]))
    again = cli(str(second), "--project", "PRJ-0001", "--report-date", "2026-11-27", "--json",
                url=seeded_url)  # fmt: skip
    assert again.returncode == 0, again.stdout + again.stderr
    sheet = json.loads(again.stdout)["files"][0]["sheets"][0]
    assert sheet["kind"] == "risks" and sheet["rows_loaded"] == 1
    assert sheet["mapping"]["Desc"] == "title"


def test_cli_map_refuses_a_field_that_does_not_exist(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(unfamiliar(FIRST))
    run = cli(str(path), "--map", "Desc=titel", "--dry-run")
    assert run.returncode == 2 and "Header=field" in run.stderr


def test_a_user_synonym_in_the_config_loads_a_column(tmp_path, monkeypatch):
    rows = [
        ["Project ID", "Project Name", "Start date", "End date", "Approved envelope"],
        ["NEW-1", "Harbour Wall", date(2026, 1, 5), date(2027, 3, 31), 1_250_000],
    ]
    data = xlsx({"Portfolio": rows})
    plain = parse(data, known=KNOWN, new_projects="create")
    assert plain.report.sheets[0].mapping["Approved envelope"] == ""
    path = tmp_path / "pmo_lens.toml"
    path.write_text('[synonyms]\nbudget = ["Approved envelope", "Funding pot"]\n')
    monkeypatch.setenv("PMO_CONFIG", str(path))
    custom = config.get_config()
    assert custom.synonyms == {"budget": ("Approved envelope", "Funding pot")}
    parsed = parse_file(
        "s.xlsx", data, KNOWN, config=custom, options=Options(new_projects="create")
    )
    assert parsed.report.sheets[0].mapping["Approved envelope"] == "budget"
    assert parsed.frames["projects"]["budget"].iloc[0] == 1_250_000


def test_a_synonym_for_no_field_is_refused():
    with pytest.raises(ValueError, match="synonyms: unknown field"):
        config.parse_config({"synonyms": {"budgett": ["Envelope"]}})


def test_portfolio_office_words_map(seeded_url):
    rows = [
        ["Project ID", "Report date", "DCA rating", "Senior Responsible Officer", "Stage gate",
         "Approved funding", "Forecast completion date", "DCA commentary"],
        ["PRJ-0001", date(2026, 11, 20), "Amber/Green", "A. Minister", "Gate 3", 2_000_000,
         date(2027, 6, 30), "Holding"],
    ]  # fmt: skip
    report, parsed = load(seeded_url, xlsx({"Status": rows}))
    assert report.status == "loaded", errors(report)
    assert report.sheets[0].mapping == {
        "Project ID": "project_id", "Report date": "report_date", "DCA rating": "rag_label",
        "Senior Responsible Officer": "sponsor", "Stage gate": "stage",
        "Approved funding": "budget", "Forecast completion date": "forecast_end_date",
        "DCA commentary": "summary",
    }  # fmt: skip
    assert parsed.frames["status_reports"]["overall_rag"].iloc[0] == "Amber"


def test_the_upload_page_asks_what_an_unfamiliar_table_holds_then_maps_it(seeded_url):
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    data = unfamiliar(FIRST)
    at.file_uploader(key="upload_file").set_value(("u.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    assert at.button(key="upload_commit").disabled
    assert any("column names we do not know" in c.value for c in at.caption)
    key = parse(data).sheets[0].layout_key
    at.selectbox(key=f"kind_{key}").set_value("risks").run()
    assert not at.exception, at.exception
    assert any("Sheet1: Risk register" in e.label for e in at.expander)
    at.selectbox(key="upload_project").set_value("PRJ-0001").run()
    at.date_input(key="upload_date").set_value(date(2026, 11, 20)).run()
    assert not at.exception, at.exception
    assert at.selectbox(key=f"kind_{key}").value == "risks"  # the choice stays
