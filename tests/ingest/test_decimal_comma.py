"""A CSV separated by ";" writes decimals with a comma: 4,5 is 4.5 (it used to load as 45 with
no warning) and 1.234.567,50 is 1234567.5. A number that reads either way follows the file's
other numbers, and is reported when they do not decide. Dates and text keep their text."""

from __future__ import annotations

from data_loaders.ingest import parse_file

KNOWN = {"P1": "One", "P2": "Two"}
HEADER = "Project ID;Report Date;Overall RAG;% Complete;Planned value;Actual cost;Summary"
COLUMNS = ["percent_complete", "planned_value", "actual_cost", "summary"]


def _parse(text: str, name: str = "status.csv"):
    parsed = parse_file(name, text.encode(), KNOWN)
    assert parsed.ok, parsed.report.all_problems
    frame = parsed.frames["status_reports"]
    return frame[COLUMNS].values.tolist(), parsed.report.all_problems


def test_decimal_comma_in_a_semicolon_csv():
    rows, problems = _parse(
        f"{HEADER}\n"
        "P1;27.11.2026;Green;4,5;1.234.567,50;1.234;version 4,5 shipped\n"
        "P2;27.11.2026;Amber;12,75 %;€ 2.000,00;950,5;\n"
    )
    assert rows[0] == [4.5, 1234567.5, 1234.0, "version 4,5 shipped"]
    assert rows[1][:3] == [12.75, 2000.0, 950.5]
    assert not problems  # the file's own decimal commas decide 1.234: a thousand, no doubt


def test_a_number_that_reads_either_way_is_reported():
    rows, problems = _parse(f"{HEADER}\nP1;27.11.2026;Green;50;1,234;1.234;\n")
    assert rows[0][:3] == [50.0, 1.234, 1234.0]
    warned = {(p.row, p.value): p.message for p in problems}
    assert set(warned) == {(2, "1,234"), (2, "1.234")}
    assert "read as 1.234" in warned[(2, "1,234")] and "could mean 1234" in warned[(2, "1,234")]
    assert "read as 1234" in warned[(2, "1.234")] and "could mean 1.234" in warned[(2, "1.234")]


def test_decimal_points_are_kept_in_a_semicolon_csv_that_uses_them():
    rows, problems = _parse(f"{HEADER}\nP1;2026-11-27;Green;4.5;1,234.50;1,234;\n")
    assert rows[0][:3] == [4.5, 1234.5, 1234.0] and not problems


def test_a_comma_separated_csv_is_unchanged():
    header = HEADER.replace(";", ",")
    rows, _ = _parse(f'{header}\nP1,2026-11-27,Green,4.5,"1,234.50","1,234",\n')
    assert rows[0][:3] == [4.5, 1234.5, 1234.0]
