"""The exports of tools PMOs already use: MS Project XML, Jira CSV, Smartsheet and ServiceNow
Excel exports load as the canonical tables (real files from ../shared/real-sheets, and exports
written here with openpyxl); hostile XML is refused quickly and writes nothing."""

from __future__ import annotations

import csv
import io
import time
from datetime import date, datetime

import pandas as pd
import pytest

from data_loaders.jira import jira_date
from tests.conftest import REAL_SHEETS, require
from tests.ingest_helpers import db_hash, errors, load, parse, xlsx


def real(name: str) -> bytes:
    path = REAL_SHEETS / name
    if not path.exists():
        require(f"real sheet {path} not available")
    return path.read_bytes()


def notes(parsed) -> list[str]:
    return [p.message for p in parsed.report.all_problems if p.severity == "warning"]


# --- MS Project XML (MSPDI) ------------------------------------------------------------------


def test_mspdi_sample_loads_tasks_as_milestones_with_phases_and_text_outline_numbers():
    parsed = parse(real("mspdi_mpxj_sample.xml"), "mspdi_mpxj_sample.xml", new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    ms = parsed.frames["milestones"].set_index("milestone_id")
    # 19 tasks under the project task: 3 summary tasks are phases, 16 leaf tasks load
    assert len(ms) == 16 and ms.index.is_unique
    assert {"3.1", "3.10", "3.11", "3.12"} <= set(ms.index)  # 3.10 is not 3.1
    assert ms.loc["3.10", "name"] == "Task Relationships › Related Task 5b"
    assert ms.loc["1.2", "name"] == "First Task › Third task"  # the flagged milestone
    assert not ms["name"].isin(["First Task", "Recurring Task", "Task Relationships"]).any()
    assert ms.loc["3.12", "forecast_date"] == pd.Timestamp("2003-01-08")
    assert ms["baseline_date"].isna().all() if "baseline_date" in ms else True  # no baseline
    assert set(ms["report_date"]) == {pd.Timestamp("2003-02-19")}  # CurrentDate
    assert parsed.frames["projects"]["project_id"].tolist() == ["sample"]  # <Title>
    said = " ".join(notes(parsed))
    assert "report date 2003-02-19 from the file's CurrentDate" in said
    assert "3 summary task(s) are phases" in said


def test_mspdi_project_and_report_date_given_win_over_the_file():
    parsed = parse(real("mspdi_mpxj_sample.xml"), "plan.xml", known={"P1": "Plan"},
                   project_id="P1", report_date=date(2003, 3, 1))  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    ms = parsed.frames["milestones"]
    assert set(ms["project_id"]) == {"P1"}
    assert set(ms["report_date"]) == {pd.Timestamp("2003-03-01")}


def _mspdi(tasks: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Project xmlns="http://schemas.microsoft.com/project"><Name>Depot.xml</Name>'
        f"<StatusDate>2024-05-31T17:00:00</StatusDate>{extra}<Tasks>{tasks}</Tasks></Project>"
    ).encode()


def _task(uid, name, outline, level, summary=0, milestone=0, finish="", base=(), actual="",
          pct=0) -> str:  # fmt: skip
    baselines = "".join(
        f"<Baseline><Number>{n}</Number><Start>2024-01-01T08:00:00</Start>"
        f"<Finish>{f}T17:00:00</Finish></Baseline>"
        for n, f in base
    )
    return (
        f"<Task><UID>{uid}</UID><ID>{uid}</ID><Name>{name}</Name><OutlineNumber>{outline}"
        f"</OutlineNumber><OutlineLevel>{level}</OutlineLevel><Summary>{summary}</Summary>"
        f"<Milestone>{milestone}</Milestone><Start>2024-01-01T08:00:00</Start>"
        f"<Finish>{finish}T17:00:00</Finish><PercentComplete>{pct}</PercentComplete>"
        + (f"<ActualFinish>{actual}T17:00:00</ActualFinish>" if actual else "")
        + f"{baselines}</Task>"
    )


def test_mspdi_baseline_zero_actual_finish_and_status_date():
    tasks = "".join([
        _task(0, "Depot", "0", 0, summary=1, finish="2024-12-20"),
        _task(1, "Design", "1", 1, summary=1, finish="2024-03-29"),
        _task(2, "Survey", "1.1", 2, finish="2024-02-16", base=[(1, "2024-02-02"),
              (0, "2024-02-09")], actual="2024-02-16", pct=100),
        _task(3, "Design approved", "1.2", 2, milestone=1, finish="2024-03-29",
              base=[(0, "2024-03-15")]),
        _task(4, "Build", "2", 1, finish="2024-12-20", base=[(0, "2024-11-29")], pct=40),
    ])  # fmt: skip
    parsed = parse(_mspdi(tasks), "depot.xml", new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    ms = parsed.frames["milestones"].set_index("milestone_id")
    assert list(ms.index) == ["1.1", "1.2", "2"]
    assert ms.loc["1.1", "baseline_date"] == pd.Timestamp("2024-02-09")  # Baseline 0, not 1
    assert ms.loc["1.1", "actual_date"] == pd.Timestamp("2024-02-16")
    assert ms.loc["1.1", "status"] == "Complete"
    assert ms.loc["2", "status"] == "In progress (40%)"
    assert ms.loc["1.2", "name"] == "Design › Design approved"
    assert ms.loc["2", "name"] == "Build"  # a top-level leaf task has no phase
    assert set(ms["report_date"]) == {pd.Timestamp("2024-05-31")}  # StatusDate first
    assert parsed.frames["projects"]["project_id"].tolist() == ["Depot"]  # Name without .xml


def test_mspdi_without_report_date_asks_for_it():
    tasks = _task(1, "Only", "1", 1, finish="2024-02-02")
    data = _mspdi(tasks).replace(b"<StatusDate>2024-05-31T17:00:00</StatusDate>", b"")
    parsed = parse(data, "plan.xml", new_projects="create")
    assert parsed.report.status == "rejected"
    assert parsed.report.needs == ["report_date"]


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Project [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Project xmlns="http://schemas.microsoft.com/project"><Name>&secret;</Name><Tasks/></Project>"""
LAUGHS = (
    b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b']>\n<Project xmlns="http://schemas.microsoft.com/project"><Name>&lol9;</Name></Project>'
)
# the same in UTF-16, and a DOCTYPE spelled with odd case and spacing
XXE_UTF16 = "\ufeff".encode("utf-16-le") + XXE.decode().replace('<?xml version="1.0"?>', "").encode(
    "utf-16-le"
)
SPACED = XXE.replace(b"<!DOCTYPE", b"<! doctype")


@pytest.mark.parametrize(
    "data", [XXE, LAUGHS, XXE_UTF16, SPACED], ids=["xxe", "laughs", "xxe-utf16", "doctype-case"]
)
def test_hostile_xml_is_refused_quickly_and_writes_nothing(data, seeded_url):
    before = db_hash(seeded_url)
    started = time.perf_counter()
    report, parsed = load(seeded_url, data, "plan.xml", new_projects="create")
    assert time.perf_counter() - started < 2
    assert report.status == "rejected" and not parsed.frames
    assert "DOCTYPE or entities" in " ".join(errors(report))
    assert "root:" not in " ".join(p.message for p in report.all_problems)  # no file content
    assert db_hash(seeded_url) == before


def test_xml_that_is_not_ms_project_is_refused_with_its_root_named(seeded_url):
    data = b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>'
    before = db_hash(seeded_url)
    report, _ = load(seeded_url, data, "export.xml")
    assert report.status == "rejected"
    assert "not MS Project XML (MSPDI): its root element is <Workbook>" in errors(report)[0]
    broken, _ = load(seeded_url, b"<?xml version='1.0'?><Project><Tasks>", "cut.xml")
    assert broken.status == "rejected" and "cannot be read" in errors(broken)[0]
    assert db_hash(seeded_url) == before


def test_xml_meets_the_upload_size_limit():
    from config import Config, Ingest
    from data_loaders.ingest import Options, parse_file

    small = Config(ingest=Ingest(max_upload_mb=0.05))
    parsed = parse_file("plan.xml", real("mspdi_mpxj_sample.xml"), {}, small, Options())
    assert parsed.report.status == "rejected" and not parsed.frames
    assert errors(parsed.report) == ["file is 0.1 MB; the limit is 0.05 MB"]


# --- Jira CSV --------------------------------------------------------------------------------


def test_jira_dates_are_day_month_name_two_digit_year():
    assert jira_date("15/Feb/26 4:37 PM") == datetime(2026, 2, 15, 16, 37)
    assert jira_date("24/Mar/26 12:00 AM") == datetime(2026, 3, 24, 0, 0)
    assert jira_date("3/Jan/2025") == datetime(2025, 1, 3)
    assert jira_date("31/Feb/26 1:00 PM") is None and jira_date("tomorrow") is None


def test_jira_export_loads_issues_as_raid_items_of_the_project():
    parsed = parse(real("jira_export_shattered_crown.csv"), "jira.csv", new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    raid = parsed.frames["raid_items"].set_index("item_id")
    assert len(raid) == 68 and raid.index.is_unique
    assert set(raid["project_id"]) == {"CS4483"}
    assert parsed.frames["projects"]["name"].tolist() == ["CS4483-TeamWorkFlow"]
    row = raid.loc["CS4483-61"]
    assert row["description"] == "Evidence collection (screenshots + 1 short clip)"
    assert row["raised_date"] == pd.Timestamp("2026-02-15")  # 15/Feb/26 4:37 PM
    assert row["due_date"] == pd.Timestamp("2026-03-24")
    assert (row["status"], row["priority"], row["type"]) == ("To Do", "Medium", "action")
    assert raid["due_date"].notna().sum() == 38  # every filled Due date read
    assert raid["owner"].value_counts().to_dict() == {"Bella": 35, "Jack": 15}
    said = " ".join(notes(parsed))
    assert "33 Sub-task -> action" in said and "as of 2026-02-15" in said


def test_jira_project_given_wins_and_risk_and_bug_types_are_kept():
    header = ["Summary", "Issue key", "Issue id", "Issue Type", "Status", "Project key",
              "Project name", "Priority", "Assignee", "Created", "Updated", "Due date",
              "Labels", "Labels"]  # fmt: skip
    rows = [
        ["Supplier may fail", "OPS-1", "1", "Risk", "Open", "OPS", "Ops", "High", "Ann",
         "02/Jan/25 9:00 AM", "10/Jan/25 9:00 AM", "", "a", "b"],
        ["Login broken", "OPS-2", "2", "Bug", "In Progress", "OPS", "Ops", "Highest", "Bo",
         "03/Jan/25 9:00 AM", "11/Jan/25 3:15 PM", "20/Jan/25 12:00 AM", "", ""],
        ["Needs API from team X", "OPS-3", "3", "Dependency", "To Do", "OPS", "Ops", "Low",
         "", "04/Jan/25 9:00 AM", "04/Jan/25 9:00 AM", "", "", ""],
    ]  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    parsed = parse(buf.getvalue().encode(), "jira.csv", known={"P7": "Ops programme"},
                   project_id="P7")  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    raid = parsed.frames["raid_items"].set_index("item_id")
    assert raid["type"].to_dict() == {"OPS-1": "risk", "OPS-2": "issue", "OPS-3": "dependency"}
    assert set(raid["project_id"]) == {"P7"} and "projects" not in parsed.frames
    assert "as of 2025-01-11" in " ".join(notes(parsed))


# --- Smartsheet (Excel row grouping) ---------------------------------------------------------


def test_smartsheet_export_needs_project_and_report_date():
    parsed = parse(real("smartsheet_export_delivery_plan.xlsx"), "plan.xlsx")
    assert parsed.report.status == "rejected"
    assert parsed.report.needs == ["project", "report_date"]


def test_smartsheet_export_loads_tasks_with_top_groups_as_phases():
    parsed = parse(real("smartsheet_export_delivery_plan.xlsx"), "plan.xlsx",
                   known={"UKV": "UK View"}, project_id="UKV",
                   report_date=date(2022, 1, 10))  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    sheets = {s.sheet: s for s in parsed.report.sheets}
    assert sheets["Comments"].reason.startswith("empty sheet")
    ms = parsed.frames["milestones"].set_index("milestone_id")
    # 153 tasks: 26 with children are phases, 127 load
    assert len(ms) == 127 and ms.index.is_unique and sheets["UK-View-Delivery"].rows_loaded == 127
    assert ms.loc["ID-003", "name"] == "Agile Delivery › S10"  # a level-2 task, phase at level 0
    assert ms.loc["ID-079", "name"] == "Dependencies › Project Start Date"
    assert ms.loc["ID-079", "forecast_date"] == pd.Timestamp("2021-07-28")
    assert "ID-001" not in ms.index and "ID-078" not in ms.index  # phases are not rows
    # hidden rows are read: they hold tasks (without dates)
    assert ms.loc["ID-133", "name"].endswith("NI/Sheep Integration")
    assert pd.isna(ms.loc["ID-133", "forecast_date"])
    said = " ".join(notes(parsed))
    assert "outline levels 0-5" in said and "3 hidden row(s)" in said


def test_a_flat_task_list_is_left_to_the_sheet_parser():
    rows = [["Task Name", "Start", "Finish"], ["Design", date(2024, 1, 1), date(2024, 2, 1)]]
    from data_loaders.outline import to_milestones
    from data_loaders.read import RawSheet

    data = xlsx({"Plan": rows})
    assert to_milestones(RawSheet("Plan", rows), data, None, None) is None


# --- ServiceNow ------------------------------------------------------------------------------


def _servicenow_workbook() -> bytes:
    tasks = [
        ["Number", "Short description", "State", "Priority", "Assigned to", "Planned start date",
         "Planned end date", "Actual end date", "Percent complete", "Milestone", "WBS",
         "Project"],
        ["PRJTASK0010001", "Discovery", 2, "2 - High", "Ann", datetime(2024, 1, 8),
         datetime(2024, 3, 29), None, 60, "false", "1", "Depot upgrade"],
        ["PRJTASK0010002", "Site survey", 3, "3 - Moderate", "Bo", datetime(2024, 1, 8),
         datetime(2024, 2, 9), datetime(2024, 2, 16), 100, "false", "1.1", "Depot upgrade"],
        ["PRJTASK0010003", "Discovery sign-off", 1, "1 - Critical", "Ann", datetime(2024, 3, 29),
         datetime(2024, 3, 29), None, 0, "true", "1.2", "Depot upgrade"],
    ]  # fmt: skip
    risks = [
        ["number", "short_description", "description", "state", "probability", "impact",
         "assigned_to", "opened_at", "due_date", "u_project", "mitigation_plan"],
        ["RSK0001001", "Supplier insolvency", "Main contractor at risk", 1, "2 - High",
         "1 - Very High", "Ann", "2024-01-10 09:30:00", "2024-06-30", "Depot upgrade",
         "Second supplier"],
        ["RSK0001002", "Planning permission delay", "", 2, "Moderate", "3 - Moderate", "Bo",
         "2024-02-01 14:00:00", "", "Depot upgrade", ""],
    ]  # fmt: skip
    incidents = [
        ["number", "short_description", "state", "priority", "assigned_to", "opened_at",
         "project"],
        ["INC0010001", "Site access badge system down", 6, 1, "Cy", datetime(2024, 3, 1, 8, 5),
         "Depot upgrade"],
        ["INC0010002", "Survey data lost", 2, "4 - Low", "", datetime(2024, 3, 2, 9, 0),
         "Depot upgrade"],
    ]  # fmt: skip
    return xlsx({"Project tasks": tasks, "Risks": risks, "Incidents": incidents})


def test_servicenow_exports_load_by_record_type_with_their_enumerations():
    parsed = parse(_servicenow_workbook(), "servicenow.xlsx", new_projects="create",
                   report_date=date(2024, 3, 31))  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    kinds = {s.sheet: s.kind for s in parsed.report.sheets}
    assert kinds == {"Project tasks": "milestones", "Risks": "risks", "Incidents": "raid"}
    assert parsed.frames["projects"]["project_id"].tolist() == ["Depot upgrade"]

    ms = parsed.frames["milestones"].set_index("milestone_id")
    assert ms.loc["PRJTASK0010002", "name"] == "Discovery › Site survey"  # WBS 1.1 under 1
    assert ms.loc["PRJTASK0010002", "status"] == "Closed Complete"  # state 3
    assert ms.loc["PRJTASK0010002", "actual_date"] == pd.Timestamp("2024-02-16")
    assert ms.loc["PRJTASK0010003", "forecast_date"] == pd.Timestamp("2024-03-29")
    assert ms.loc["PRJTASK0010003", "status"] == "Open"  # state 1; a milestone flag row
    assert "PRJTASK0010001" not in ms.index  # the summary task is the phase

    risks = parsed.frames["risks"].set_index("risk_id")
    r1 = risks.loc["RSK0001001"]
    # "2 - High" is High (4) and "1 - Very High" is Very High (5): the word, not the number
    assert (r1["likelihood"], r1["impact"]) == (4, 5)
    assert (r1["title"], r1["owner"], r1["status"]) == ("Supplier insolvency", "Ann", "Open")
    assert r1["raised_date"] == pd.Timestamp("2024-01-10")
    assert risks.loc["RSK0001002", "likelihood"] == 3
    assert risks.loc["RSK0001002", "status"] == "Work in Progress"

    raid = parsed.frames["raid_items"].set_index("item_id")
    assert raid["type"].tolist() == ["issue", "issue"]
    assert raid.loc["INC0010001", "status"] == "Resolved"  # incident state 6
    assert raid.loc["INC0010001", "priority"] == "Critical"  # bare 1
    assert raid.loc["INC0010002", "priority"] == "Low"  # "4 - Low"


def test_servicenow_project_list_loads_as_projects():
    rows = [
        ["number", "short_description", "state", "priority", "project_manager",
         "start_date", "end_date"],
        ["PRJ0010001", "Depot upgrade", 2, "2 - High", "Ann", "2024-01-08", "2024-12-20"],
        ["PRJ0010002", "CRM replacement", 1, "3 - Moderate", "Bo", "2024-04-01", "2025-03-31"],
    ]  # fmt: skip
    parsed = parse(xlsx({"pm_project": rows}), "projects.xlsx", new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    projects = parsed.frames["projects"].set_index("project_id")
    assert projects["name"].to_dict() == {
        "PRJ0010001": "Depot upgrade", "PRJ0010002": "CRM replacement",
    }  # fmt: skip
    assert projects.loc["PRJ0010002", "manager"] == "Bo"
    assert projects.loc["PRJ0010001", "end_date"] == pd.Timestamp("2024-12-20")


def test_mspdi_inactive_tasks_are_left_out_and_a_huge_plan_is_refused():
    from config import Config, Ingest
    from data_loaders.ingest import Options, parse_file

    tasks = _task(1, "Kept", "1", 1, finish="2024-02-02") + _task(
        2, "Dropped", "2", 1, finish="2024-02-02"
    ).replace("</Task>", "<Active>0</Active></Task>")
    parsed = parse(_mspdi(tasks), "plan.xml", new_projects="create")
    assert parsed.frames["milestones"]["name"].tolist() == ["Kept"]
    assert "1 inactive task(s) left out" in " ".join(notes(parsed))
    many = "".join(_task(i, f"T{i}", str(i), 1, finish="2024-02-02") for i in range(1, 30))
    small = Config(ingest=Ingest(max_rows=20))
    refused = parse_file("plan.xml", _mspdi(many), {}, small, Options(new_projects="create"))
    assert refused.report.status == "rejected"
    assert "more than 20 tasks" in errors(refused.report)[0]


def test_jira_current_fields_export_without_issue_id_is_recognised():
    header = ["Issue Type", "Issue key", "Summary", "Assignee", "Status", "Created"]
    rows = [["Bug", "WEB-9", "Checkout fails on Safari", "Dee", "Open", "01/Dec/26 10:00 AM"]]
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    parsed = parse(buf.getvalue().encode(), "web.csv", known={"WEB": "Web shop"},
                   project_id="WEB")  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    item = parsed.frames["raid_items"].iloc[0]
    assert (item["item_id"], item["type"], item["raised_date"]) == (
        "WEB-9", "issue", pd.Timestamp("2026-12-01"),
    )  # fmt: skip


def test_ms_project_excel_export_with_an_outline_level_column():
    rows = [
        ["ID", "Name", "Duration", "Start_Date", "Finish_Date", "Outline_Level", "% Complete"],
        [1, "Phase A", "20 days", "2024-01-01", "2024-01-26", 1, "50%"],
        [2, "Task A1", "10 days", "2024-01-01", "2024-01-12", 2, "100%"],
        [3, "Gate A", "0 days", "2024-01-26", "2024-01-26", 2, "0%"],
        [4, "Handover", "5 days", "2024-01-29", "2024-02-02", 1, "0%"],
    ]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    parsed = parse(buf.getvalue().encode(), "msp.csv", known={"P1": "Plan"}, project_id="P1",
                   report_date=date(2024, 1, 15))  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    ms = parsed.frames["milestones"].set_index("milestone_id")
    assert ms["name"].to_dict() == {"2": "Phase A › Task A1", "3": "Phase A › Gate A",
                                    "4": "Handover"}  # fmt: skip
    assert ms.loc["2", "status"] == "Complete" and ms.loc["4", "status"] == "Not started"
    assert "1 flagged as milestone" in " ".join(notes(parsed))  # duration 0


def test_upload_page_previews_an_ms_project_xml(seeded_url):
    from tests.conftest import app_test

    data = real("mspdi_mpxj_sample.xml")
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("plan.xml", data, "text/xml")).run()
    assert not at.exception, at.exception
    titles = [e.label for e in at.expander]
    assert any("MS Project schedule" in t and "ilestone" in t for t in titles), titles


def test_the_real_exports_commit_to_the_database(seeded_url):
    import store

    loads = [
        ("mspdi_mpxj_sample.xml", {}, "milestones", 16),
        ("jira_export_shattered_crown.csv", {}, "raid_items", 68),
        ("smartsheet_export_delivery_plan.xlsx",
         {"project_id": "UKV", "report_date": date(2022, 1, 10)}, "milestones", 127),
    ]  # fmt: skip
    for name, options, table, n in loads:
        report, _ = load(seeded_url, real(name), name, new_projects="create", **options)
        assert report.status == "loaded", errors(report)
        assert report.totals[table] == n
    from sqlalchemy import text

    query = "SELECT name FROM milestones WHERE project_id = 'sample' AND milestone_id = '3.10'"
    with store.get_engine(seeded_url).connect() as conn:
        names = conn.execute(text(query)).scalars().all()
    assert names == ["Task Relationships › Related Task 5b"]


def test_row_outline_streamed_from_the_xml_matches_openpyxl():
    import openpyxl

    from data_loaders.outline import row_outline

    data = real("smartsheet_export_delivery_plan.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(data))["UK-View-Delivery"]
    expected = {
        r: (d.outline_level, bool(d.hidden))
        for r, d in ws.row_dimensions.items()
        if d.outline_level or d.hidden
    }
    got = row_outline(data, "UK-View-Delivery")
    assert got == expected and len(got) > 100
    assert sorted({level for level, _ in got.values()}) == [1, 2, 3, 4, 5]
    assert [r for r, (_, hidden) in got.items() if hidden] == [134, 135, 136]


def test_jira_risks_with_likelihood_and_impact_go_to_the_risk_register():
    header = ["Issue key", "Issue id", "Issue Type", "Summary", "Status", "Project key",
              "Project name", "Assignee", "Created", "Updated",
              "Custom field (Likelihood)", "Custom field (Impact)"]  # fmt: skip
    risk = ["Risk", "Open", "OPS", "Ops", "Ann", "02/Jan/25 9:00 AM", "10/Jan/25 9:00 AM"]
    rows = [
        ["OPS-1", "1", "Task", "Order parts", "To Do", "OPS", "Ops", "Bo",
         "02/Jan/25 9:00 AM", "03/Jan/25 9:00 AM", "", ""],
        *[[f"OPS-{i}", str(i), risk[0], f"Risk {i}", *risk[1:], "High", "Medium"]
          for i in (2, 3, 4, 5)],
        ["OPS-6", "6", "Risk", "Unscored risk", "Open", "OPS", "Ops", "", "02/Jan/25 9:00 AM",
         "12/Jan/25 9:00 AM", "", ""],
        ["OPS-7", "7", "Story", "After four risks", "To Do", "OPS", "Ops", "Bo",
         "02/Jan/25 9:00 AM", "04/Jan/25 9:00 AM", "", ""],
    ]  # fmt: skip
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    parsed = parse(buf.getvalue().encode(), "ops.csv", new_projects="create")
    assert parsed.report.status == "valid", errors(parsed.report)
    risks = parsed.frames["risks"].set_index("risk_id")
    assert list(risks.index) == ["OPS-2", "OPS-3", "OPS-4", "OPS-5"]
    assert (risks["likelihood"].tolist(), risks["impact"].tolist()) == ([4] * 4, [3] * 4)
    # the register's report date: the export's latest Updated, as stated in the report
    assert set(risks["report_date"]) == {pd.Timestamp("2025-01-12")}
    raid = parsed.frames["raid_items"].set_index("item_id")
    # four scored risks in a row do not end the RAID table: the story after them loads
    assert raid["type"].to_dict() == {"OPS-1": "action", "OPS-6": "risk", "OPS-7": "action"}
    given = parse(buf.getvalue().encode(), "ops.csv", new_projects="create",
                  report_date=date(2025, 1, 31))  # fmt: skip
    assert set(given.frames["risks"]["report_date"]) == {pd.Timestamp("2025-01-31")}


def test_many_skipped_tasks_in_a_row_do_not_end_the_plan():
    tasks = (
        _task(1, "First", "1", 1, finish="2024-02-02")
        + "".join(
            _task(i, f"Off {i}", str(i), 1, finish="2024-02-02").replace(
                "</Task>", "<Active>0</Active></Task>"
            )
            for i in range(2, 7)
        )
        + _task(7, "Last", "7", 1, finish="2024-03-01")
    )
    parsed = parse(_mspdi(tasks), "plan.xml", new_projects="create")
    assert parsed.frames["milestones"]["name"].tolist() == ["First", "Last"]
