"""A report date far from the latest stored review (an old file, a cached =TODAY()) is a
warning in the preview, page and command line, with its count of rows; nearby dates are not."""

from __future__ import annotations

from dataclasses import replace

import store
from config import get_config
from data_loaders.cli import main
from data_loaders.ingest import known_projects, parse_file, preview
from tests.conftest import app_test
from tests.ingest_helpers import xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER = ["Project ID", "Report Date", "Overall RAG", "% Complete"]


def _status(day: str) -> bytes:
    return xlsx({"Status": [HEADER, ["PRJ-0001", day, "Green", 40],
                            ["PRJ-0002", day, "Amber", 50]]})  # fmt: skip


def _far(parsed) -> list[str]:
    return [p.message for p in parsed.report.problems if "latest review" in p.message]


def test_an_old_report_date_is_warned_with_its_count_of_rows(seeded_url):
    engine = store.get_engine(seeded_url)
    parsed = parse_file("old.xlsx", _status("2018-06-01"), known_projects(engine))
    preview(engine, parsed)
    assert _far(parsed) == [
        "2 row(s) dated 2018-06-01, 442 weeks before the latest review (2026-11-20): check the "
        "report date before loading"
    ]
    assert parsed.report.status == "valid"  # a warning, not a refusal


def test_next_week_is_no_warning_and_the_distance_is_a_setting(seeded_url):
    engine = store.get_engine(seeded_url)
    parsed = parse_file("next.xlsx", _status("2026-11-27"), known_projects(engine))
    preview(engine, parsed)
    assert _far(parsed) == []
    config = get_config()
    near = replace(config, ingest=replace(config.ingest, far_report_date_weeks=1))
    parsed = parse_file("later.xlsx", _status("2026-12-11"), known_projects(engine), near)
    preview(engine, parsed, near)
    assert _far(parsed) == [
        "2 row(s) dated 2026-12-11, 3 weeks after the latest review (2026-11-20): check the "
        "report date before loading"
    ]


def test_the_command_line_and_the_page_show_it(seeded_url, tmp_path, capsys):
    path = tmp_path / "old.xlsx"
    path.write_bytes(_status("2018-06-01"))
    assert main(["ingest", str(path), "--db", seeded_url, "--dry-run"]) == 0
    assert "2 row(s) dated 2018-06-01, 442 weeks before" in capsys.readouterr().out
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("old.xlsx", path.read_bytes(), XLSX)).run()
    assert not at.exception, at.exception
    assert any("442 weeks before the latest review" in w.value for w in at.warning)
