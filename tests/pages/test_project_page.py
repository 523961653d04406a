"""AppTest: the Project detail page by URL, by selectbox, and for a project with nothing."""

import hashlib

import pandas as pd

import models
import store
from tests.conftest import app_test


def _open(**params):
    at = app_test()
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    return at.switch_page("pages/portfolio/project.py").run()


def test_project_by_url(seeded_url):
    at = _open(project="PRJ-0010")
    assert not at.exception
    assert at.header[0].value == "PRJ-0010 · GDPR Remediation Phase 1"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sponsor"] and metrics["Manager"] and metrics["Stage"]
    assert metrics["SPI (EV / PV)"] != "not computable"
    assert {"EAC typical (BAC / CPI)", "EAC atypical (AC + BAC − EV)"} <= set(metrics)
    assert len(at.get("plotly_chart")) == 3  # RAG strip, S-curve, milestone trend
    assert any("Behind plan" in t.value for t in at.text)  # narrative as plain text
    frames = {tuple(d.value.columns)[:2]: d.value for d in at.dataframe}
    lineage = next(d.value for d in at.dataframe if "file_name" in d.value.columns)
    assert lineage["uploaded_by"].eq("sample data generator").all()
    assert 1 in set(lineage["upload_id"])  # the register upload that created the project
    assert frames


def test_selectbox_changes_project_and_url(seeded_url):
    at = _open(project="PRJ-0010")
    at.selectbox(key="project_pick").select("PRJ-0010").run()
    assert at.header[0].value.startswith("PRJ-0010")
    assert at.query_params["project"] in ("PRJ-0010", ["PRJ-0010"])


def test_no_project_and_unknown_project(seeded_url):
    at = _open()
    assert not at.exception and "Choose a project" in at.info[0].value
    at = _open(project="PRJ-9999")
    assert not at.exception
    assert "no project 'PRJ-9999'" in at.error[0].value


def test_project_with_no_reports_risks_or_decisions(seeded_url):
    new = pd.DataFrame(
        [{"project_id": "NEW-001", "name": "Blank Slate", "stage": "Initiation",
          "budget": 500000.0, "start_date": pd.Timestamp("2026-06-01"),
          "end_date": pd.Timestamp("2027-06-01"), "sponsor": "Someone"}]
    )  # fmt: skip
    meta = store.UploadMeta(
        file_name="register.xlsx", sha256=hashlib.sha256(b"blank").hexdigest(), size_bytes=5,
        uploaded_by="tester", source="upload",
    )  # fmt: skip
    store.write_batch(
        store.get_engine(seeded_url), {"projects": models.conform("projects", new)}, meta
    )
    at = _open(project="NEW-001")
    assert not at.exception
    assert at.header[0].value == "NEW-001 · Blank Slate"
    infos = " | ".join(i.value for i in at.info)
    for text in ("No status reports", "No milestone plan", "No risk register",
                 "No assumptions, issues", "No gate or board decisions"):  # fmt: skip
        assert text in infos, text
    assert not at.get("plotly_chart")
    lineage = next(d.value for d in at.dataframe if "file_name" in d.value.columns)
    assert lineage["file_name"].tolist() == ["register.xlsx"]
    assert lineage["uploaded_by"].tolist() == ["tester"]


def test_a_project_an_upload_created_shows_n_a_not_nan(empty_url):
    """A status sheet that creates a project gives it no sponsor, manager or stage: the page
    says n/a, never "nan"."""
    from datetime import date

    from tests.ingest_helpers import load, xlsx

    sheet = xlsx({"Status": [["Project ID", "Project Name", "Report Date", "Overall RAG"],
                             ["N-1", "New one", date(2026, 11, 27), "Green"]]})  # fmt: skip
    report, _ = load(empty_url, sheet, "new.xlsx", new_projects="create")
    assert report.status == "loaded"
    at = _open(project="N-1")
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sponsor"] == metrics["Manager"] == metrics["Stage"] == "n/a"
    shown = " ".join([*(m.value for m in at.metric), *(c.value for c in at.caption)])
    assert "nan" not in shown.lower().split()
