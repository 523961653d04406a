"""The command line loads our own canonical CSVs: what ``--export-dir`` writes loads back
unchanged into an empty database, whatever the order of the files and folders given; a project
list creates its projects; the command line has its own, larger size limit."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select

import models
import store
from data_loaders.cli import main
from data_loaders.ingest import export_frames, parse_file
from sample_data import generate
from tests.ingest_helpers import db_hash

TABLES = list(models.FACT_TABLES)
STATUS = (
    "Project ID,Report Date,Overall RAG,Summary\n{},2026-11-27,Red,late\n{},2026-11-27,Green,ok\n"
)


def _sample() -> dict[str, pd.DataFrame]:
    """A small sample portfolio with text a spreadsheet would run as a formula."""
    tables = generate(n_projects=12).tables()
    sr = tables["status_reports"]
    sr.loc[0, "summary"] = "=SUM(A1:A9) is wrong in the plan"
    sr.loc[1, "summary"] = "- supplier late\n- test rig down"
    tables["projects"].loc[0, "name"] = "+Plus programme"
    return tables


def _canonical(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[models.FIELDS[table]].sort_values(models.KEYS[table], ignore_index=True)
    for c in models.DATE_FIELDS[table]:
        out[c] = out[c].astype("datetime64[ns]")
    return out


def _stored(url: str) -> dict[str, pd.DataFrame]:
    """Every stored column (the app's frames leave out text it does not show)."""
    with store.get_engine(url).connect() as conn:
        return {t: _canonical(t, pd.read_sql(models.FACT_TABLES[t].select(), conn)) for t in TABLES}


def test_export_dir_loads_back_unchanged_in_any_order(db_url, tmp_path, capsys):
    sample = _sample()
    first = tmp_path / "first"
    export_frames(sample, first)
    # children before their projects, a folder and a file in it given twice
    args = [str(first / "risks.csv"), str(first / "status_reports.csv"), str(first)]
    again = tmp_path / "again"
    assert main(["ingest", *args, "--db", db_url, "--export-dir", str(again)]) == 0
    out = capsys.readouterr().out
    assert "unknown project" not in out and "duplicate" not in out
    assert out.index("projects.csv: loaded") < out.index("risks.csv: loaded")
    for table in TABLES:  # byte for byte: the second export is the first
        assert (again / f"{table}.csv").read_bytes() == (first / f"{table}.csv").read_bytes()
    stored = _stored(db_url)
    for table in TABLES:
        want = _canonical(table, models.conform(table, sample[table]))
        pd.testing.assert_frame_equal(stored[table], want, check_dtype=False, obj=table)
    sr = stored["status_reports"].set_index(["project_id", "report_date"])
    row = sample["status_reports"].iloc[0]
    assert sr.loc[(row["project_id"], row["report_date"]), "summary"].startswith("=SUM")
    assert stored["projects"].loc[0, "name"] == "+Plus programme"


def test_dry_run_of_a_canonical_folder_checks_every_file_and_writes_nothing(
    empty_url, tmp_path, capsys
):
    export_frames(_sample(), tmp_path / "csv")
    engine = store.get_engine(empty_url)
    before = db_hash(empty_url)
    assert main(["ingest", str(tmp_path / "csv"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.count(": valid (") == len(TABLES)
    assert db_hash(empty_url) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(models.projects)).scalar() == 0


def test_project_list_with_forecast_end_is_no_status_report():
    text = (
        "project_id,name,budget,start_date,end_date,forecast_end_date\n"
        "P1,Payroll,100000,2026-01-05,2026-12-18,2027-02-26\n"
    )
    parsed = parse_file("projects.csv", text.encode(), {})
    assert not parsed.report.needs and "status_reports" not in parsed.frames
    row = parsed.frames["projects"].iloc[0]
    assert (row["name"], str(row["forecast_end_date"].date())) == ("Payroll", "2027-02-26")


def test_a_project_list_creates_its_projects_a_status_sheet_still_asks(
    seeded_url, tmp_path, capsys
):
    listed = tmp_path / "portfolio.csv"
    listed.write_text("Project ID,Project Name,Budget,Sponsor\nNEW-1,Brand new,5000,Ann\n")
    status = tmp_path / "weekly.csv"
    status.write_text(STATUS.format("NEW-2", "PRJ-0002"))
    near = tmp_path / "register.csv"  # PRJ-001 is probably PRJ-0001: not created unasked
    near.write_text("Project ID,Project Name,Budget,Sponsor\nPRJ-001,CRM,5000,Ann\n")
    assert main(["ingest", str(listed), "--db", seeded_url]) == 0
    assert main(["ingest", str(status), "--db", seeded_url]) == 1
    assert main(["ingest", str(near), "--db", seeded_url]) == 1
    out = capsys.readouterr().out
    assert "NEW-2" in out and "did you mean PRJ-0001" in out
    ids = store.known_project_ids(store.get_engine(seeded_url))
    assert "NEW-1" in ids and not {"NEW-2", "PRJ-001"} & ids


def test_a_status_file_named_before_its_project_list_waits_for_it(empty_url, tmp_path, capsys):
    """Names that do not say what a file holds: the refused file is read again at the end."""
    (tmp_path / "a.csv").write_text(STATUS.format("P1", "P2"))
    (tmp_path / "b.csv").write_text(
        "Project ID,Project Name,Sponsor,Budget\nP1,One,Ann,9\nP2,Two,Bo,8\n"
    )
    assert main(["ingest", str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]) == 0
    out = capsys.readouterr().out
    assert "rejected" not in out and out.index("b.csv: loaded") < out.index("a.csv: loaded")


def test_command_line_size_limit_is_its_own(empty_url, tmp_path, monkeypatch, capsys):
    toml = tmp_path / "limits.toml"
    toml.write_text("[ingest]\nmax_upload_mb = 0.01\ncli_max_file_mb = 1\n")
    monkeypatch.setenv("PMO_CONFIG", str(toml))
    path = tmp_path / "projects.csv"
    rows = [f"P{i},Project {i},{1000 + i}" for i in range(1000)]
    path.write_text("project_id,name,budget\n" + "\n".join(rows) + "\n")  # about 25 KB
    refused = parse_file(path.name, path.read_bytes()).report  # the browser's limit
    assert "the limit is 0.01 MB" in refused.problems[0].message
    assert main(["ingest", str(path)]) == 0
    assert "projects 1000" in capsys.readouterr().out
    smaller = tmp_path / "smaller.toml"  # (the configuration is cached per file)
    smaller.write_text("[ingest]\ncli_max_file_mb = 0.01\n")
    monkeypatch.setenv("PMO_CONFIG", str(smaller))
    again = tmp_path / "more_projects.csv"
    again.write_text(path.read_text().replace("Project ", "Other "))
    assert main(["ingest", str(again)]) == 1
    assert "the limit is 0.01 MB" in capsys.readouterr().out


def test_export_of_two_files_with_other_columns_keeps_each_row_whole(tmp_path):
    one = pd.DataFrame({"project_id": ["P1"], "name": ["One"], "budget": [5.0]})
    two = pd.DataFrame({"project_id": ["P2"], "name": ["Two"], "sponsor": ["Ann"]})
    export_frames({"projects": one}, tmp_path)
    export_frames({"projects": two}, tmp_path)
    back = pd.read_csv(tmp_path / "projects.csv", dtype=str, keep_default_na=False)
    assert list(back.columns) == ["project_id", "name", "sponsor", "budget"]
    assert back.to_dict("records") == [
        {"project_id": "P1", "name": "One", "sponsor": "", "budget": "5.0"},
        {"project_id": "P2", "name": "Two", "sponsor": "Ann", "budget": ""},
    ]
