"""A table whose column names we do not know is still a table: its values suggest what it
holds (unique codes an id, unique text a name, a date pair a start and an end, the largest
amounts a budget, RAG words a status); the page offers the suggestion, the CLI prints the
flags that reproduce it and ``--accept-suggestions`` takes it."""

from __future__ import annotations

import csv
import io
import random
import shlex
from datetime import date, timedelta

import pytest

from config import get_config
from data_loaders import cli, suggest
from data_loaders.ingest import Options, parse_file
from tests.conftest import REAL_SHEETS as REAL
from tests.conftest import app_test
from tests.ingest_helpers import load

# Column names no word list holds (made up), over values of five recognisable kinds.
HEADER = ["Zorq", "Blem Vantu", "Kip", "Trask", "Oolu Mab", "Fenwe", "Gritch"]


def _rows(n: int = 12) -> list[list]:
    rnd = random.Random(7)
    rows = []
    for i in range(n):
        start = date(2024, 1, 1) + timedelta(days=rnd.randint(0, 300))
        rows.append([
            f"Region {i % 3}",  # repeats: not a name
            f"Upgrade of the {rnd.choice(['north', 'south', 'east'])} depot no. {i}",
            f"PX-{100 + i}",
            start.strftime("%d/%m/%Y"),
            (start + timedelta(days=rnd.randint(30, 900))).strftime("%d/%m/%Y"),
            f"{rnd.randint(20_000, 9_000_000)}",
            f"{rnd.randint(1, 99)}",
        ])  # fmt: skip
    return rows


def _csv(header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([header, *rows])
    return buf.getvalue().encode()


def test_values_suggest_an_id_a_name_dates_and_a_budget():
    sug = suggest.propose(HEADER, _rows(), [None] * len(HEADER), get_config())
    assert sug is not None and sug.kind == "projects"
    assert sug.mapping == {
        "Kip": "project_id", "Blem Vantu": "name", "Trask": "start_date",
        "Oolu Mab": "end_date", "Fenwe": "budget",
    }  # fmt: skip
    assert "unique short code" in sug.reasons["Kip"] and "PX-100" in sug.reasons["Kip"]
    assert "on or before 'Oolu Mab' in 12 of 12 rows" in sug.reasons["Trask"]
    assert "largest amounts" in sug.reasons["Fenwe"]
    assert shlex.split(sug.flags())[:2] == ["--kind", "projects"]


def test_a_rag_column_makes_it_a_status_report():
    rows = [[*r, rag] for r, rag in zip(_rows(), ["G", "Amber", "Red", "Green"] * 3, strict=True)]
    sug = suggest.propose([*HEADER, "Hue"], rows, [None] * (len(HEADER) + 1), get_config())
    assert sug.kind == "status" and sug.mapping["Hue"] == "overall_rag"


def test_no_id_and_no_name_suggests_nothing():
    rows = [[f"Region {i % 2}", str(i * 10)] for i in range(10)]
    assert suggest.propose(["A", "B"], rows, [None, None], get_config()) is None


@pytest.mark.parametrize("seed", range(25))
def test_a_rectangular_typed_block_is_never_called_not_a_table(seed):
    """Random made-up headers over typed rows (numbers, dates, text): whatever else is said,
    it is a table with columns we may not know yet."""
    rnd = random.Random(seed)
    width, n = rnd.randint(3, 9), rnd.randint(3, 40)
    header = [f"{rnd.choice(['Qa', 'Vex', 'Lum', 'Dro'])}{rnd.randint(0, 999)}_{i}"
              for i in range(width)]  # fmt: skip
    kinds = [rnd.choice(["int", "money", "date", "text"]) for _ in range(width)]
    kinds[0] = "int"  # at least one typed column
    cell = {
        "int": lambda: str(rnd.randint(0, 10**6)),
        "money": lambda: f"{rnd.uniform(0, 1e7):,.2f}",
        "date": lambda: (date(2020, 1, 1) + timedelta(days=rnd.randint(0, 2000))).isoformat(),
        "text": lambda: rnd.choice(["alpha", "beta gamma", "delta"]) + str(rnd.randint(0, 9)),
    }
    rows = [[cell[k]() for k in kinds] for _ in range(n)]
    title = [["Quarterly extract"], []] if seed % 2 else []
    parsed = parse_file("t.csv", _csv_with_title(title, header, rows), {}, options=Options())
    sheet = parsed.report.sheets[0]
    assert not (sheet.reason or "").startswith("not a table"), sheet.reason
    assert sheet.header_row == len(title) + 1


def _csv_with_title(title: list[list], header: list[str], rows: list[list]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows([*title, header, *rows])
    return buf.getvalue().encode()


def test_the_cli_prints_the_flags_and_accept_suggestions_loads(sqlite_url, tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(_csv(HEADER, _rows()))
    base = ["ingest", str(path), "--db", sqlite_url, "--report-date", "2026-11-30"]
    assert cli.main([*base, "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "Its values suggest a portfolio list" in out
    line = next(x for x in out.splitlines() if "pass --accept-suggestions, or --kind" in x)
    flags = shlex.split(line.split(" or ", 1)[1].removesuffix(" (change any --map)"))
    assert cli.main([*base, "--dry-run", "--create-projects", *flags]) == 0
    by_flags = capsys.readouterr().out
    assert cli.main([*base, "--create-projects", "--accept-suggestions"]) == 0
    accepted = capsys.readouterr().out
    assert "12 rows will load" in by_flags and "12 rows" in accepted


def test_the_page_offers_the_suggestion_and_loads_it(empty_url):
    data = _csv(HEADER, _rows())
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value(("list.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    assert any("Its values suggest" in i.value and "Blem Vantu" in i.value for i in at.info)
    at.button(key=next(b.key for b in at.button if b.key.startswith("suggest_"))).click().run()
    assert not at.exception, at.exception
    assert any("list.csv: Portfolio list" in e.label for e in at.expander)


@pytest.mark.skipif(not (REAL / "esf_publicatielijst_nl.csv").exists(), reason="no real sheets")
def test_the_dutch_operations_list_loads_as_its_values_suggest(sqlite_url):
    data = (REAL / "esf_publicatielijst_nl.csv").read_bytes()
    report, parsed = load(sqlite_url, data, "esf.csv", accept_suggestions=True,
                          report_date=date(2020, 12, 31), new_projects="create")  # fmt: skip
    assert report.status == "loaded", report.to_dict()
    sheet = parsed.sheets[0]
    assert sheet.report.rows_loaded == 70
    fields = set(sheet.report.mapping.values())
    assert {"project_id", "name", "start_date", "end_date"} <= fields
