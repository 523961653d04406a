"""The pre-filled update sheet: every PM's sheet of the sample loads back through the normal
upload path with the values it was filled with; an unchanged sheet changes nothing; ids are
locked, word lists are dropdowns, formula-like text stays text."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import models
import store
from cadence import update_sheet
from config import get_config
from data_loaders import ingest

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

ROOT = Path(__file__).resolve().parents[2]
STATUS_VALUES = [
    f for f in models.FIELDS["status_reports"] if f not in ("project_id", "report_date")
]


def _review(frames) -> pd.Timestamp:
    return frames["status_reports"]["report_date"].max() + pd.Timedelta(days=7)


def _same(a, b) -> bool:
    if pd.isna(a) and pd.isna(b):
        return True
    if isinstance(a, float | int) and isinstance(b, float | int):
        return abs(float(a) - float(b)) < 1e-6
    if isinstance(a, pd.Timestamp) or isinstance(b, pd.Timestamp):
        return pd.Timestamp(a) == pd.Timestamp(b)
    return a == b


def _differences(new: pd.DataFrame, old: pd.DataFrame, key: list[str], fields: list[str]):
    """(key, field, old, new) for every value that differs between two frames on ``key``."""
    old = old.set_index(key)
    out = []
    for _, row in new.iterrows():
        k = tuple(row[c] for c in key)
        k = k[0] if len(k) == 1 else k
        assert k in old.index, f"{k} was not in the sheet's source"
        for f in fields:
            before = old.at[k, f] if f in old.columns else None
            after = row[f] if f in row.index else None
            if not _same(before, after):
                out.append((k, f, before, after))
    return out


@pytest.fixture(scope="module")
def sheets(frames):
    return update_sheet.by_manager(frames, _review(frames), get_config())


def test_every_managers_sheet_loads_back_with_the_values_it_was_filled_with(frames, sheets):
    config = get_config()
    review = _review(frames)
    assert len(sheets) == frames["projects"]["manager"].nunique() == 16
    assert sum(len(s.project_ids) for s in sheets) == len(frames["projects"])
    known = dict(zip(frames["projects"]["project_id"], frames["projects"]["name"], strict=True))
    for sheet in sheets:
        parsed = ingest.parse_file(sheet.file_name, sheet.data, known_projects=known)
        assert parsed.ok and not parsed.report.has_errors, (sheet.manager, parsed.report)
        expected = update_sheet.latest_values(frames, sheet.project_ids, review, config)
        status = parsed.frames["status_reports"]
        assert sorted(status["project_id"]) == sorted(expected["Status"]["project_id"])
        assert set(expected["Status"]["project_id"]) | set(
            expected["Unreported"]["project_id"]
        ) == set(sheet.project_ids)
        assert (status["report_date"] == review).all()  # the report date in the title block
        reported = expected["Status"].dropna(subset=["rag_label"])  # the ones that reported
        fields = [f for f in STATUS_VALUES if f not in ("overall_rag", "upload_id")]
        diffs = _differences(
            status[status["project_id"].isin(reported["project_id"])], reported,
            ["project_id"], fields,
        )  # fmt: skip
        assert diffs == [], (sheet.manager, diffs[:5])
        risk_fields = [f for f, _ in update_sheet.RISKS[2:]]
        assert _differences(
            parsed.frames.get("risks", pd.DataFrame(columns=["project_id", "risk_id"])),
            expected["Risks"], ["project_id", "risk_id"], risk_fields,
        ) == []  # fmt: skip
        ms_fields = [f for f, _ in update_sheet.MILESTONES[2:]]
        assert _differences(
            parsed.frames["milestones"], expected["Milestones"], ["project_id", "milestone_id"],
            ms_fields,
        ) == []  # fmt: skip
        assert len(parsed.frames.get("risks", [])) == len(expected["Risks"])
        assert len(parsed.frames["milestones"]) == len(expected["Milestones"])


def test_an_unchanged_sheet_uploaded_changes_nothing(seeded_url, sheets):
    """Uploaded as it is, the sheet records this week's reports with last week's values: no
    status value differs, no risk or milestone moves, and the same file twice is refused."""
    engine = store.get_engine(seeded_url)
    before = store.read_frames(engine)
    review = _review(before)
    sheet = sheets[1]
    parsed = ingest.parse_file(sheet.file_name, sheet.data, ingest.known_projects(engine))
    ingest.commit(engine, parsed, uploaded_by="pm")
    after = store.read_frames(engine)
    new = after["status_reports"][after["status_reports"]["report_date"] == review]
    assert sorted(new["project_id"]) == sorted(sheet.project_ids)
    old = before["status_reports"].sort_values("report_date").groupby("project_id").tail(1)
    old = old[old["project_id"].isin(sheet.project_ids)]
    fields = [f for f in STATUS_VALUES if f != "upload_id"]
    assert _differences(new, old, ["project_id"], fields) == []
    # the projects themselves were not touched
    cols = [c for c in models.FIELDS["projects"]]
    mine = before["projects"]["project_id"].isin(sheet.project_ids)
    pd.testing.assert_frame_equal(
        before["projects"].loc[mine, cols].reset_index(drop=True),
        after["projects"]
        .loc[after["projects"]["project_id"].isin(sheet.project_ids), cols]
        .reset_index(drop=True),
    )
    again = ingest.parse_file(sheet.file_name, sheet.data, ingest.known_projects(engine))
    report = ingest.commit(engine, again, uploaded_by="pm")
    assert report.status != "loaded"
    assert len(store.read_frames(engine)["uploads"]) == len(after["uploads"])


def test_the_sheet_loads_through_the_command_line(seeded_url, sheets, tmp_path):
    path = tmp_path / sheets[0].file_name
    path.write_bytes(sheets[0].data)
    done = subprocess.run(
        [sys.executable, "-m", "data_loaders", "ingest", str(path), "--db", seeded_url],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr + done.stdout
    frames = store.read_frames(store.get_engine(seeded_url))
    latest = frames["status_reports"]["report_date"].max()
    assert set(frames["status_reports"].loc[
        frames["status_reports"]["report_date"] == latest, "project_id"
    ]) == set(sheets[0].project_ids)  # fmt: skip


def test_form_ids_locked_lists_instructions_first(sheets):
    wb = load_workbook(io.BytesIO(sheets[1].data))
    assert wb.sheetnames == ["Instructions", "Status", "Risks", "Milestones"]
    assert "update sheet" in wb["Instructions"]["A1"].value
    ws = wb["Status"]
    assert ws.protection.sheet and not ws.protection.password
    headers = {c.value: c.column_letter for c in ws[4]}
    assert ws[f"{headers['Project ID']}5"].protection.locked
    assert not ws[f"{headers['Summary']}5"].protection.locked
    assert not ws["B2"].protection.locked and ws["A2"].value == "Report date:"
    lists = {
        str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation
    }
    for name in ("Overall RAG", "Schedule", "Cost", "Scope", "Resources"):
        assert "Amber/Red" in lists[headers[name]]
    risks = wb["Risks"]
    rh = {c.value: c.column_letter for c in risks[4]}
    risk_lists = {str(dv.sqref)[0]: dv.formula1 for dv in risks.data_validations.dataValidation}
    assert "Almost certain" in risk_lists[rh["Likelihood"]]
    assert "Almost certain" in risk_lists[rh["Impact"]]
    # rows for new risks stay open, their id cells too
    first_blank = 5 + sum(1 for r in risks.iter_rows(min_row=5) if r[0].value)
    assert not risks[f"{rh['Risk ID']}{first_blank}"].protection.locked


def _tiny_frames(summary: str, title: str, percent: float) -> dict[str, pd.DataFrame]:
    day = pd.Timestamp("2026-03-06")
    projects = models.conform("projects", pd.DataFrame({
        "project_id": ["P1"], "name": ["Alpha"], "manager": ["Ann Lee"],
        "manager_email": ["ann@example.org"], "currency": ["GBP"],
    }))  # fmt: skip
    reports = models.conform("status_reports", pd.DataFrame({
        "project_id": ["P1"], "report_date": [day], "overall_rag": ["Amber"],
        "rag_label": ["Amber"], "percent_complete": [percent], "planned_value": [1000.0],
        "summary": [summary], "next_steps": ["-2 days buffer left"],
    }))  # fmt: skip
    risks = models.conform("risks", pd.DataFrame({
        "project_id": ["P1"], "risk_id": ["R1"], "report_date": [day], "title": [title],
        "status": ["Open"], "likelihood": [3], "impact": [4],
    }))  # fmt: skip
    ms = models.conform("milestones", pd.DataFrame(columns=["project_id", "milestone_id"]))
    return {"projects": projects, "status_reports": reports, "risks": risks, "milestones": ms}


def test_formula_like_text_is_stored_as_text_and_reads_back_as_written():
    summary = '=HYPERLINK("http://evil.example","click")'
    frames = _tiny_frames(summary, "+cmd|' /C calc'!A0", 0.5)
    data = update_sheet.build(frames, ["P1"], "2026-03-13", get_config(), manager="Ann Lee")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in xml and "<f " not in xml  # no formula anywhere
    ws = load_workbook(io.BytesIO(data))["Status"]
    cell = next(c for c in ws[5] if c.value == summary)
    assert cell.data_type == "s" and cell.quotePrefix
    parsed = ingest.parse_file("u.xlsx", data, known_projects={"P1": "Alpha"})
    assert parsed.ok, parsed.report
    status = parsed.frames["status_reports"].iloc[0]
    assert status["summary"] == summary
    assert status["next_steps"] == "-2 days buffer left"
    assert parsed.frames["risks"].iloc[0]["title"] == "+cmd|' /C calc'!A0"
    # 0.5 % complete alone in its column would read as a fraction (50 %): it is written as text
    assert status["percent_complete"] == pytest.approx(0.5)


def test_a_project_that_never_reported_gets_no_empty_report():
    """Uploaded as it is, a Status row of id and name alone would record an empty report and
    make the project look reported: such a project is named in the instructions instead."""
    frames = _tiny_frames("Fine", "Risk", 40.0)
    extra = models.conform(
        "projects",
        pd.DataFrame({"project_id": ["P2"], "name": ["Beta"], "manager": ["Ann Lee"]}),
    )
    frames["projects"] = pd.concat([frames["projects"], extra], ignore_index=True)
    data = update_sheet.build(frames, ["P1", "P2"], "2026-03-13", get_config())
    parsed = ingest.parse_file("u.xlsx", data, known_projects={"P1": "Alpha", "P2": "Beta"})
    assert parsed.ok, parsed.report
    assert list(parsed.frames["status_reports"]["project_id"]) == ["P1"]
    lines = [c.value for c in load_workbook(io.BytesIO(data))["Instructions"]["A"]]
    assert any(line and "P2 Beta" in line and "Not reported yet" in line for line in lines)


def test_the_upload_page_offers_the_pmo_every_managers_sheet(seeded_url):
    from tests.conftest import app_test

    at = app_test().run().switch_page("pages/data/upload.py").run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Download every manager's update sheet (.zip)" in labels  # local mode: the admin
    assert "Download my update sheet" not in labels


def test_a_pms_sheet_and_the_pmos_zip(frames):
    from access.roles import Identity
    from ui.update_sheets import _all_sheets, my_projects

    ann = frames["projects"].iloc[0]
    me = Identity(email=ann["manager_email"].upper(), roles=frozenset({"pm"}),
                  projects=frozenset({"PRJ-0060"}))  # fmt: skip
    mine = my_projects(frames, me)
    own = frames["projects"].loc[
        frames["projects"]["manager_email"] == ann["manager_email"], "project_id"
    ]
    assert set(mine) == set(own) | {"PRJ-0060"}
    with zipfile.ZipFile(io.BytesIO(_all_sheets(frames, get_config(), _review(frames)))) as z:
        names = z.namelist()
        assert len(names) == 16 and all(n.endswith(".xlsx") for n in names)
        known = dict(zip(frames["projects"]["project_id"], frames["projects"]["name"], strict=True))
        parsed = ingest.parse_file(names[0], z.read(names[0]), known_projects=known)
    assert parsed.ok, parsed.report
