"""``python -m data_loaders ingest``: exit codes, JSON report, dry run, export, concurrency."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

import models
import store
from sample_data.excel import write_pm_workbooks
from tests.conftest import ROOT
from tests.ingest_helpers import db_hash, load, xlsx

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)


def cli(*args: str, url: str | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-m", "data_loaders", "ingest", *args]
    if url:
        cmd += ["--db", url]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)


def test_folder_of_sample_workbooks_loads_then_is_duplicate(seeded_url, tmp_path):
    folder = tmp_path / "returns" / "nested"
    paths = write_pm_workbooks(folder)
    first = cli(str(tmp_path / "returns"), "--json", "--uploaded-by", "pm1", url=seeded_url)
    assert first.returncode == 0, first.stdout + first.stderr
    report = json.loads(first.stdout)
    assert [f["status"] for f in report["files"]] == ["loaded"] * len(paths)
    sheet = report["files"][0]["sheets"][0]
    assert sheet["kind"] == "status" and sheet["header_row"] == 4
    assert sheet["mapping"]["Overall RAG"] == "rag_label"
    assert set(report["totals"]) >= {"status_reports", "risks", "milestones"}
    again = cli(str(paths[0]), "--json", url=seeded_url)
    assert again.returncode == 0
    assert json.loads(again.stdout)["files"][0]["status"] == "duplicate"


def test_dry_run_exports_canonical_csv_and_writes_nothing(seeded_url, tmp_path):
    path = write_pm_workbooks(tmp_path / "in")[0]
    before = db_hash(seeded_url)
    out = tmp_path / "out"
    run = cli(str(path), "--dry-run", "--export-dir", str(out), url=seeded_url)
    assert run.returncode == 0, run.stdout + run.stderr
    assert ": valid (" in run.stdout
    assert db_hash(seeded_url) == before
    status = pd.read_csv(out / "status_reports.csv", dtype=str)
    assert list(status.columns) == [c for c in models.FIELDS["status_reports"] if c in status]
    assert {"project_id", "report_date", "overall_rag", "rag_label"} <= set(status.columns)
    assert (out / "risks.csv").exists() and (out / "milestones.csv").exists()


def test_rejected_file_exits_1_with_problem_lines(seeded_url, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"%PDF-1.4 not a workbook")
    run = cli(str(bad), url=seeded_url)
    assert run.returncode == 1
    assert "rejected" in run.stdout and "PDF" in run.stdout


def test_usage_errors_exit_2(tmp_path):
    assert cli(str(tmp_path / "missing.xlsx")).returncode == 2
    assert cli(str(tmp_path), "--report-date", "31/12/2026").returncode == 2


def test_same_project_and_date_replaces_and_keeps_history(seeded_url):
    rows = [["Project ID", "Report Date", "Overall RAG", "Summary"]]
    first, _ = load(seeded_url, xlsx({"Status": [*rows, ["PRJ-0001", "2026-11-27", "Red", "a"]]}))
    second, _ = load(
        seeded_url, xlsx({"Status": [*rows, ["PRJ-0001", "2026-11-27", "Green", "b"]]})
    )
    assert first.status == second.status == "loaded"
    engine = store.get_engine(seeded_url)
    with engine.connect() as conn:
        sr = models.status_reports
        now = conn.execute(
            select(sr.c.overall_rag).where(
                sr.c.project_id == "PRJ-0001", sr.c.report_date == "2026-11-27"
            )
        ).scalar()
        history = conn.execute(
            select(func.count())
            .select_from(models.replaced_rows)
            .where(models.replaced_rows.c.replaced_by_upload == second.upload_id)
        ).scalar()
    assert now == "Green" and history == 1


def _upload(tmp_path: Path, n: int) -> Path:
    rows = [["Project ID", "Project Name", "Report Date", "Overall RAG"]]
    rows += [[f"C{n}-{i}", f"Concurrent {n}-{i}", "2026-11-27", "Amber"] for i in range(30)]
    path = tmp_path / f"upload{n}.xlsx"
    path.write_bytes(xlsx({"Status": rows}))
    return path


def test_two_processes_commit_at_the_same_moment_both_land(db_url, tmp_path):
    engine = store.get_engine(db_url)  # migrate first: the race under test is the commit
    paths = [_upload(tmp_path, n) for n in (1, 2)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "data_loaders",
                "ingest",
                str(p),
                "--db",
                db_url,
                "--json",
                "--create-projects",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for p in paths
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    with engine.connect() as conn:
        uploads = conn.execute(select(models.uploads.c.file_name)).scalars().all()
        ids = set(conn.execute(select(models.status_reports.c.project_id)).scalars())
        owners = dict(
            conn.execute(
                select(models.status_reports.c.project_id, models.status_reports.c.upload_id)
            ).all()
        )
    assert sorted(uploads) == ["upload1.xlsx", "upload2.xlsx"]
    assert ids == {f"C{n}-{i}" for n in (1, 2) for i in range(30)}
    # nothing mixed: each upload's rows carry that upload's id
    assert len({owners[f"C1-{i}"] for i in range(30)}) == 1
    assert {owners["C1-0"]} != {owners["C2-0"]}
    engine.dispose()


def test_confirmed_mapping_is_remembered_for_the_same_layout(seeded_url):
    from data_loaders.ingest import Options, commit, known_projects, parse_file, remembered_mappings

    rows = [
        ["Project ID", "Report Date", "Overall RAG", "Pulse"],
        ["PRJ-0001", "2026-11-27", "Red", "ok"],
    ]
    engine = store.get_engine(seeded_url)
    first = parse_file("a.xlsx", xlsx({"Status": rows}), known_projects(engine))
    key = first.sheets[0].layout_key
    edited = {key: {**first.sheets[0].report.mapping, "Pulse": "summary"}}
    parsed = parse_file(
        "a.xlsx", xlsx({"Status": rows}), known_projects(engine), options=Options(mappings=edited)
    )
    assert commit(engine, parsed, "pm").status == "loaded"
    remembered = remembered_mappings(engine)
    assert remembered[key]["Pulse"] == "summary"
    rows[1][1] = "2026-12-04"
    again = parse_file("b.xlsx", xlsx({"Status": rows}), known_projects(engine),
                       options=Options(mappings=remembered))  # fmt: skip
    assert again.frames["status_reports"]["summary"].iloc[0] == "ok"


def test_xlsm_is_read_as_values_only(seeded_url):
    rows = [["Project ID", "Report Date", "Overall RAG"], ["PRJ-0001", "2026-11-27", "Amber"]]
    report, parsed = load(seeded_url, xlsx({"Status": rows}), "macro.xlsm")
    assert report.status == "loaded"
    assert parsed.frames["status_reports"]["overall_rag"].iloc[0] == "Amber"


def _book_with_a_bad_row(tmp_path: Path) -> Path:
    rows = [["Project ID", "Report Date", "Overall RAG", "% Complete"],
            ["PRJ-0001", "2026-11-27", "Green", 40], ["PRJ-0002", "2026-11-27", "Red", 140],
            ["PRJ-0003", "2026-11-27", "Amber", 30]]  # fmt: skip
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "week.xlsx"
    path.write_bytes(xlsx({"Status": rows}))
    return path


def test_json_reports_rows_loaded_and_skipped_per_sheet_with_the_problems(seeded_url, tmp_path):
    run = cli(str(_book_with_a_bad_row(tmp_path)), "--json", url=seeded_url)
    assert run.returncode == 0, run.stdout + run.stderr
    (report,) = json.loads(run.stdout)["files"]
    assert report["status"] == "loaded"
    assert (report["rows_loaded"], report["rows_skipped"]) == (2, 1)
    (sheet,) = report["sheets"]
    assert (sheet["rows_loaded"], sheet["rows_skipped"]) == (2, 1)
    (problem,) = sheet["problems"]
    assert {k: problem[k] for k in ("sheet", "row", "column", "severity", "outcome")} == {
        "sheet": "Status", "row": 3, "column": "% Complete", "severity": "error",
        "outcome": "skipped",
    }  # fmt: skip
    plain = cli(str(_book_with_a_bad_row(tmp_path / "again")), "--dry-run", url=seeded_url)
    assert "2 rows will load, 1 will be skipped" in plain.stdout
    assert "error (row skipped): [Status] row 3 column '% Complete'" in plain.stdout


def test_strict_option_and_setting_refuse_the_whole_file(seeded_url, tmp_path):
    path = _book_with_a_bad_row(tmp_path)
    before = db_hash(seeded_url)
    run = cli(str(path), "--strict", url=seeded_url)
    assert run.returncode == 1 and ": rejected" in run.stdout
    assert "all-or-nothing (strict)" in run.stdout
    config = tmp_path / "strict.toml"
    config.write_text("[ingest]\nstrict = true\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PMO_CONFIG": str(config)}
    cmd = [sys.executable, "-m", "data_loaders", "ingest", str(path), "--db", seeded_url]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 1 and ": rejected" in run.stdout
    assert db_hash(seeded_url) == before


def test_what_a_sheet_lacks_is_named_with_the_options_to_pass(seeded_url, tmp_path):
    path = tmp_path / "risks.xlsx"
    path.write_bytes(xlsx({"Risks": [["Risk ID", "Risk", "Likelihood"], ["R1", "late", 3]]}))
    run = cli(str(path), "--dry-run", url=seeded_url)
    assert run.returncode == 1
    assert (
        "needs the project (--project ID), the report date (--report-date YYYY-MM-DD): "
        "pass --project ID --report-date YYYY-MM-DD" in run.stdout
    )
