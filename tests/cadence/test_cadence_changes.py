"""What an update changes: the Upload preview says how many cells changed on how many projects
since their last report, and flags narratives unchanged for weeks (analytics.report_changes)."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from openpyxl import load_workbook

import models
import store
from analytics import report_changes
from cadence import update_sheet
from config import get_config
from tests.conftest import app_test

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stored() -> pd.DataFrame:
    weeks = pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-16", "2026-01-23", "2026-01-30"])
    rows = [
        {"project_id": "P1", "report_date": d, "overall_rag": "Green", "percent_complete": 10.0 + i,
         "summary": "All fine"}
        for i, d in enumerate(weeks)
    ] + [
        {"project_id": "P2", "report_date": d, "overall_rag": "Amber", "percent_complete": 50.0,
         "summary": f"Week {i}"}
        for i, d in enumerate(weeks)
    ]  # fmt: skip
    out = models.conform("status_reports", pd.DataFrame(rows))
    # the store's frames hold categoricals
    return out.astype({"project_id": "category", "overall_rag": "category"})


def _new(changes: dict | None = None) -> pd.DataFrame:
    rows = pd.DataFrame([
        {"project_id": "P1", "report_date": pd.Timestamp("2026-02-06"), "overall_rag": "Green",
         "percent_complete": 14.0, "summary": "All fine"},
        {"project_id": "P2", "report_date": pd.Timestamp("2026-02-06"), "overall_rag": "Amber",
         "percent_complete": 50.0, "summary": "Week 4"},
        {"project_id": "P3", "report_date": pd.Timestamp("2026-02-06"), "overall_rag": "Red"},
    ])  # fmt: skip
    for (i, field), value in (changes or {}).items():
        rows.loc[i, field] = value
    return models.conform("status_reports", rows)


def test_nothing_changed():
    new, stored = _new(), _stored()
    changes = report_changes.changed_cells(new, stored)
    assert changes.empty
    text = report_changes.summary(changes, new, stored)
    assert text == "no value changed since the last report (2 projects); 1 first report"


def test_cells_changed_on_projects():
    new = _new({(0, "overall_rag"): "Red", (0, "percent_complete"): 20.0, (1, "summary"): "New"})
    stored = _stored()
    changes = report_changes.changed_cells(new, stored)
    assert sorted(zip(changes["project_id"], changes["field"], strict=True)) == [
        ("P1", "overall_rag"), ("P1", "percent_complete"), ("P2", "summary"),
    ]  # fmt: skip
    assert (changes["previous_date"] == pd.Timestamp("2026-01-30")).all()
    assert report_changes.summary(changes, new, stored) == (
        "3 cells changed on 2 projects since their last report; 1 first report"
    )


def test_a_replaced_report_is_compared_with_the_one_before():
    new = _new({(0, "report_date"): pd.Timestamp("2026-01-30")})  # replaces P1's last
    changes = report_changes.changed_cells(new.iloc[:1], _stored())
    assert list(changes["field"]) == ["percent_complete"]  # 13 (2026-01-23) -> 14
    assert changes["previous_date"].iloc[0] == pd.Timestamp("2026-01-23")


def test_unchanged_narratives():
    stale = report_changes.unchanged_narratives(_new(), _stored(), weeks=4)
    assert list(stale["project_id"]) == ["P1"]  # the same text since 2 January: 5 weeks
    assert stale["weeks"].iloc[0] == 5 and stale["since"].iloc[0] == pd.Timestamp("2026-01-02")
    assert report_changes.unchanged_narratives(_new(), _stored(), weeks=6).empty


def _sheet(url: str, edit: bool) -> bytes:
    frames = store.read_frames(store.get_engine(url))
    review = frames["status_reports"]["report_date"].max() + pd.Timedelta(days=7)
    sheet = update_sheet.by_manager(frames, review, get_config())[1]
    if not edit:
        return sheet.data
    wb = load_workbook(io.BytesIO(sheet.data))
    ws = wb["Status"]
    col = next(c.column for c in ws[4] if c.value == "% Complete")
    ws.cell(row=5, column=col).value = 99
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _preview(url: str, data: bytes):
    at = app_test().run().switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("update.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    return at


@pytest.mark.slow
def test_the_upload_preview_says_what_changed(seeded_url):
    at = _preview(seeded_url, _sheet(seeded_url, edit=False))
    infos = [i.value for i in at.info]
    assert any("What changed: no value changed since the last report" in i for i in infos)
    warnings = [w.value for w in at.warning]
    assert any("Narrative unchanged for 4 weeks or more" in w for w in warnings)

    at = _preview(seeded_url, _sheet(seeded_url, edit=True))
    infos = [i.value for i in at.info]
    assert any("1 cell changed on 1 project since their last report" in i for i in infos)
    table = next(d.value for d in at.dataframe if "before" in d.value.columns)
    assert list(table["field"]) == ["percent_complete"] and list(table["after"]) == ["99.0"]
