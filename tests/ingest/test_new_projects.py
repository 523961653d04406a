"""New projects only when confirmed: listed with count and ids, created with the tick or
``--create-projects``, near-matches to existing projects suggested and accepted."""

from __future__ import annotations

from sqlalchemy import select

import models
import store
from data_loaders.cli import main
from data_loaders.projects_match import suggest
from tests.conftest import REAL_SHEETS, app_test, require
from tests.ingest_helpers import db_hash, parse, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KNOWN = {"PRJ-0001": "CRM Replacement Phase 1", "PRJ-0002": "Data Platform Phase 1",
         "PRJ-0010": "Payroll Phase 2", "311": "HCITS Transformation"}  # fmt: skip


def _ids(url: str) -> dict[str, str]:
    with store.get_engine(url).connect() as conn:
        rows = conn.execute(select(models.projects.c.project_id, models.projects.c.name))
        return dict(rows.all())


def _status(*rows) -> bytes:
    header = ["Project ID", "Project Name", "Report Date", "Overall RAG"]
    return xlsx({"Status": [header, *[list(r) for r in rows]]})


def test_weekly_status_list_refused_with_count_and_ids_unless_create_projects(seeded_url, capsys):
    path = REAL_SHEETS / "weekly_status_list.xlsx"
    if not path.exists():
        require(f"real sheet {path} not available")
    before = db_hash(seeded_url)
    assert main(["ingest", str(path), "--db", seeded_url]) == 1
    out = capsys.readouterr().out
    assert "41 new project(s) not in the database would be created" in out
    assert "Accessibility - TD Bank" in out and "--create-projects" in out
    assert db_hash(seeded_url) == before and len(_ids(seeded_url)) == 60
    assert main(["ingest", str(path), "--db", seeded_url, "--create-projects"]) == 0
    assert len(_ids(seeded_url)) == 101


def test_create_projects_lets_a_risk_register_start_a_new_project(seeded_url, tmp_path, capsys):
    path = tmp_path / "risks.xlsx"
    path.write_bytes(
        xlsx(
            {
                "Risks": [
                    ["Risk ID", "Risk Title", "Likelihood", "Impact", "Owner"],
                    ["R1", "Supplier late", 4, 3, "Ann"],
                    ["R2", "Key person leaves", 2, 4, "Bob"],
                ]
            }
        )
    )
    args = ["ingest", str(path), "--db", seeded_url, "--project", "NEW-1",
            "--report-date", "2026-11-27"]  # fmt: skip
    assert main(args) == 1
    assert "1 new project(s)" in capsys.readouterr().out and "NEW-1" not in _ids(seeded_url)
    assert main([*args, "--create-projects"]) == 0
    assert _ids(seeded_url)["NEW-1"] == "NEW-1"  # a minimal project: name = id
    with store.get_engine(seeded_url).connect() as conn:
        risks = conn.execute(
            select(models.risks.c.risk_id).where(models.risks.c.project_id == "NEW-1")
        ).scalars()
        assert sorted(risks) == ["R1", "R2"]


def test_near_matches_are_suggested_never_confused_with_other_ids():
    assert suggest("CRM Replacment ph1", None, KNOWN).text == (
        "'CRM Replacment ph1': did you mean PRJ-0001 CRM Replacement Phase 1?"
    )
    assert suggest("prj 0002", None, KNOWN).project_id == "PRJ-0002"  # case, space
    assert suggest("PRJ-002", None, KNOWN).project_id == "PRJ-0002"  # leading zeros
    assert suggest("data platform phase 1", None, KNOWN).project_id == "PRJ-0002"  # a name
    assert suggest("PRJ-0011", None, KNOWN) is None  # another number is another project
    assert suggest("Website Relaunch", None, KNOWN) is None
    # names that merely share words are other projects (seen in the real GMPP and US files)
    assert suggest("FE Capital Transformation", None, KNOWN) is None
    assert suggest("Scheduler Replacement Phase I", None, KNOWN) is None


def test_suggestion_listed_then_accepted_on_the_cli(seeded_url, tmp_path, capsys):
    path = tmp_path / "status.xlsx"
    path.write_bytes(xlsx({"Status": [
        ["Project", "Report Date", "Overall RAG", "Summary"],
        ["CRM Replacment ph1", "2026-11-27", "Red", "vendor late"],
        ["PRJ-0002", "2026-11-27", "Green", "fine"],
    ]}))  # fmt: skip
    assert main(["ingest", str(path), "--db", seeded_url]) == 1
    out = capsys.readouterr().out
    assert "'CRM Replacment ph1': did you mean PRJ-0001 CRM Replacement Phase 1?" in out
    assert "--map-project 'CRM Replacment ph1=PRJ-0001'" in out
    assert main(["ingest", str(path), "--db", seeded_url, "--accept-suggestions"]) == 0
    with store.get_engine(seeded_url).connect() as conn:
        rag = conn.execute(
            select(models.status_reports.c.overall_rag).where(
                (models.status_reports.c.project_id == "PRJ-0001")
                & (models.status_reports.c.report_date == "2026-11-27")
            )
        ).scalar()
    assert rag == "Red" and "CRM Replacment ph1" not in _ids(seeded_url)
    assert _ids(seeded_url)["PRJ-0001"] == "CRM Replacement Phase 1"  # name kept


def test_map_project_option_and_a_mapping_to_nothing_is_refused(seeded_url, tmp_path, capsys):
    path = tmp_path / "status.xlsx"
    path.write_bytes(_status(["crm-1", "CRM", "2026-11-27", "Amber"]))
    bad = ["ingest", str(path), "--db", seeded_url, "--map-project", "crm-1=NOPE-9"]
    assert main(bad) == 1
    assert "no such project" in capsys.readouterr().out
    assert main(["ingest", str(path), "--db", seeded_url, "--map-project", "crm-1=PRJ-0003"]) == 0
    assert "crm-1" not in _ids(seeded_url)


def test_parse_lists_the_new_projects_and_skips_their_rows_when_not_confirmed():
    data = _status(
        ["PRJ-0001", "CRM", "2026-11-27", "Green"],
        ["NEW-7", "Brand new", "2026-11-27", "Amber"],
    )
    refused = parse(data, known=KNOWN)
    assert refused.new_projects == {"NEW-7": "Brand new"}
    assert refused.report.status == "rejected"
    skipped = parse(data, known=KNOWN, new_projects="skip")
    assert not skipped.report.has_errors
    assert list(skipped.frames["status_reports"]["project_id"]) == ["PRJ-0001"]
    assert "projects" not in skipped.frames
    note = next(p for p in skipped.report.all_problems if "not loaded" in p.message)
    assert note.value == "NEW-7" and "1 new project(s)" in note.message
    only_new = parse(_status(["NEW-7", "Brand new", "2026-11-27", "Amber"]), new_projects="skip")
    assert only_new.report.status == "unsupported"
    assert "every row belongs to a new project" in only_new.report.sheets[0].reason
    assert only_new.report.problems[0].message.startswith(
        "nothing to load yet: 1 row waits for their new projects to be created"
    )


def test_upload_page_needs_the_tick_to_create_projects(seeded_url):
    data = _status(
        ["PRJ-0001", "CRM Replacement Phase 1", "2026-11-27", "Green"],
        ["NEW-7", "Brand new", "2026-11-27", "Amber"],
        ["NEW-8", "Also new", "2026-11-27", "Red"],
    )
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("status.xlsx", data, XLSX)).run()
    assert not at.exception, at.exception
    tick = at.checkbox(key="upload_create")
    assert tick.label == "Create 2 new projects" and not tick.value
    listed = next(d.value for d in at.dataframe if "project id" in d.value.columns)
    assert list(listed["project id"]) == ["NEW-7", "NEW-8"]
    assert any("will not be loaded" in i.value for i in at.info)
    tick.check().run()
    assert not at.exception, at.exception
    at.button(key="upload_commit").click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    assert {"NEW-7", "NEW-8"} <= set(_ids(seeded_url))


def test_upload_page_unticked_loads_only_known_projects(seeded_url):
    data = _status(
        ["PRJ-0001", "CRM Replacement Phase 1", "2026-11-27", "Green"],
        ["NEW-7", "Brand new", "2026-11-27", "Amber"],
    )
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("status.xlsx", data, XLSX)).run()
    at.button(key="upload_commit").click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    assert "NEW-7" not in _ids(seeded_url)


def test_upload_page_suggestion_can_be_accepted(seeded_url):
    data = xlsx({"Status": [
        ["Project", "Report Date", "Overall RAG"],
        ["CRM Replacment ph1", "2026-11-27", "Red"],
    ]})  # fmt: skip
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("status.xlsx", data, XLSX)).run()
    choice = at.checkbox(key="upload_map::CRM Replacment ph1::PRJ-0001")
    assert "did you mean PRJ-0001 CRM Replacement Phase 1?" in choice.label
    choice.check().run()
    assert not at.exception, at.exception
    assert not [c for c in at.checkbox if c.key == "upload_create"]  # nothing new any more
    at.button(key="upload_commit").click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    assert "CRM Replacment ph1" not in _ids(seeded_url)


def test_created_project_keeps_the_portfolio_list_details_whatever_the_sheet_order():
    """A status sheet or register names a new project by id and name only; those bare rows
    must not blank the details the file's portfolio list gives for the same project."""
    projects = [["Project ID", "Project Name", "Portfolio", "Sponsor", "Budget"],
                ["NEW-1", "New One", "Growth", "A. Sponsor", 1_000_000]]  # fmt: skip
    status = [["Project ID", "Project Name", "Report Date", "Overall RAG"],
              ["NEW-1", "New One", "2026-11-20", "Green"]]  # fmt: skip
    risks = [["Project ID", "Risk ID", "Risk", "Likelihood", "Impact", "Report Date"],
             ["NEW-1", "R1", "Supplier late", 3, 4, "2026-11-20"]]  # fmt: skip
    for order in (("Projects", "Status", "Risks"), ("Risks", "Status", "Projects")):
        sheets = {"Projects": projects, "Status": status, "Risks": risks}
        parsed = parse(xlsx({name: sheets[name] for name in order}), new_projects="create")
        row = parsed.frames["projects"].set_index("project_id").loc["NEW-1"]
        assert (row["name"], row["portfolio"], row["sponsor"]) == (
            "New One", "Growth", "A. Sponsor"), order  # fmt: skip
        assert row["budget"] == 1_000_000
