"""What "tolerant" means: each real-world sheet quirk loads to the right canonical values."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest

from config import Config, Ingest
from data_loaders import values as V
from data_loaders.ingest import parse_file
from tests.ingest_helpers import errors, parse, xlsx

KNOWN = {"P1": "Alpha", "P2": "Beta", "P3": "Gamma"}


def status(parsed) -> pd.DataFrame:
    return parsed.frames["status_reports"].set_index("project_id")


def test_header_row_anywhere_in_first_30_rows_and_title_block_context():
    rows = [
        ["Weekly return"],
        [],
        ["Project Name:", "", "Alpha"],
        ["Last Update:", date(2026, 3, 6)],
    ]
    rows += [[] for _ in range(20)]
    rows += [["Risk ID", "Risk", "Likelihood", "Impact"], ["R1", "Supplier late", "Likely", "High"]]
    parsed = parse(xlsx({"Risks": rows}), known=KNOWN)
    sheet = parsed.report.sheets[0]
    assert sheet.kind == "risks" and sheet.header_row == 25
    risks = parsed.frames["risks"]
    assert list(risks["project_id"]) == ["P1"]  # "Alpha" resolved to its id
    assert risks["report_date"].iloc[0] == pd.Timestamp("2026-03-06")
    assert (risks["likelihood"].iloc[0], risks["impact"].iloc[0]) == (4, 4)


def test_header_beyond_row_30_is_not_found():
    rows = [[] for _ in range(31)] + [["Project ID", "Overall RAG", "Summary"], ["P1", "Red", "x"]]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN, report_date=date(2026, 1, 2))
    assert parsed.report.status == "unsupported"
    assert "first 30 rows" in parsed.report.sheets[0].reason


def test_merged_title_and_two_row_header_with_residual_fragment():
    rows = [
        ["Risk register", None, None, None, None, None],
        ["Risk ID", "Risk", "Inherent", None, "Residual", None],
        [None, None, "Likelihood", "Impact", "Likelihood", "Impact"],
        ["R1", "Cyber attack", 5, 4, 2, 3],
    ]
    data = xlsx({"Risks": rows}, merges={"Risks": ["A1:F1", "C2:D2", "E2:F2"]})
    parsed = parse(data, known=KNOWN, project_id="P1", report_date=date(2026, 1, 9))
    assert not errors(parsed.report), errors(parsed.report)
    r = parsed.frames["risks"].iloc[0]
    assert (r.likelihood, r.impact, r.residual_likelihood, r.residual_impact) == (5, 4, 2, 3)


def test_repeated_header_names_second_set_is_residual():
    rows = [
        ["Risk ID", "Description", "Likelihood", "Impact", "Response", "Likelihood", "Impact"],
        ["R1", "Key staff leave", "Almost certain", "Major", "Backfill", "Unlikely", "Minor"],
    ]
    parsed = parse(
        xlsx({"Risks": rows}), project_id="P1", report_date=date(2026, 1, 9), known=KNOWN
    )
    r = parsed.frames["risks"].iloc[0]
    assert (r.likelihood, r.impact, r.residual_likelihood, r.residual_impact) == (5, 4, 2, 2)


def test_transposed_table_one_project_per_column():
    rows = [
        ["Project Name", "Alpha", "Beta"],
        ["Project ID", "P1", "P2"],
        ["Department", "DfT", "HMRC"],
        ["Delivery Confidence", "Amber/Green", "Red"],
        ["Snapshot Date", "2026-03-31", "2026-03-31"],
        ["Budget", "£1,200", "£3,400"],
        ["Start Date", "01/04/2024", "01/05/2024"],
    ]
    parsed = parse(xlsx({"Master": rows}), known=KNOWN)
    assert parsed.report.sheets[0].kind == "projects"
    s = status(parsed)
    assert s.loc["P1", "overall_rag"] == "Amber" and s.loc["P1", "rag_label"] == "Amber/Green"
    p = parsed.frames["projects"].set_index("project_id")
    assert p.loc["P2", "budget"] == 3400.0 and p.loc["P2", "department"] == "HMRC"


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", "\t"), ("cp1252", "|")],
)
def test_csv_any_delimiter_and_encoding(encoding, delimiter):
    lines = [
        ["Project ID", "Report Date", "Overall RAG", "Budget", "Summary"],
        ["P1", "2026-03-06", "Green", "£1,500", "Café opening"],
        ["P2", "2026-03-06", "Red", "£2,000", "Naïve plan"],
    ]
    import csv
    import io

    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter).writerows(lines)
    text = buf.getvalue()
    parsed = parse_file("s.csv", text.encode(encoding), KNOWN)
    assert not errors(parsed.report), errors(parsed.report)
    s = status(parsed)
    assert s.loc["P1", "summary"] == "Café opening"
    assert list(s["overall_rag"]) == ["Green", "Red"]


def test_csv_keeps_leading_zero_ids():
    text = "Project ID,Project Name,Department,Start Date\n"
    text += "005-000001723,Virtualization,DoA,2011-10-01\n"
    parsed = parse_file("p.csv", text.encode(), {})
    assert list(parsed.frames["projects"]["project_id"]) == ["005-000001723"]


def test_dates_serials_iso_and_order_from_column_evidence():
    cfg = Config()
    out, notes = V.dates([46089, "2026-03-06", datetime(2026, 3, 6, 0, 0)], cfg)
    assert out == [date(2026, 3, 8), date(2026, 3, 6), date(2026, 3, 6)]
    # 25/03 proves day-first, so 04/03 is 4 March
    out, notes = V.dates(["04/03/2026", "25/03/2026"], cfg)
    assert out == [date(2026, 3, 4), date(2026, 3, 25)]
    # no problem, only the sentence that says how the column was read
    assert notes == [(-1, None, "dates read day first: '25/03/2026' exists", V.INFERENCE)]
    # 03/25 proves month-first
    out, _ = V.dates(["04/03/2026", "03/25/2026"], cfg)
    assert out == [date(2026, 4, 3), date(2026, 3, 25)]


def test_ambiguous_dates_warn_with_interpretation_and_configurable_default():
    out, notes = V.dates(["04/03/2026", "05/06/2026"], Config())
    assert out[0] == date(2026, 3, 4)
    assert any("day/month/year" in n[2] and n[3] == "warning" for n in notes)
    monthfirst = Config(ingest=Ingest(date_order="monthfirst"))
    out, notes = V.dates(["04/03/2026"], monthfirst)
    assert out == [date(2026, 4, 3)] and "month/day/year" in notes[0][2]


def test_two_digit_years_and_dotted_dates():
    out, _ = V.dates(["20.05.20", "31.12.99", "1 Apr 2024"], Config())
    assert out == [date(2020, 5, 20), date(1999, 12, 31), date(2024, 4, 1)]


def test_money_with_currency_signs_and_separators():
    out, notes = V.number(["£1,234.50", "$2,000", "€ 3.000", "(500)", "1.5m", 42])
    assert out[:2] == [1234.5, 2000.0] and out[3] == -500.0 and out[4] == 1.5e6 and out[5] == 42
    # three currencies in one column are loaded as written, and said (never converted)
    assert [n[3] for n in notes] == [V.INFERENCE, "warning"] and "GBP" in notes[1][2]


def test_percentages_as_percent_fraction_or_number():
    assert V.percent(["45%", "50%"])[0] == [45.0, 50.0]
    assert V.percent([0.45, 0.5])[0] == [45.0, 50.0]
    assert V.percent([45, 100])[0] == [45.0, 100.0]


def test_rag_words_letters_five_point_status_words_and_typos():
    vals, labels, notes = V.rag(
        ["G", "amber/green", "Amber / Red", "On track", "Ambr", "On Hold", "In Progress"], Config()
    )
    assert vals == ["Green", "Amber", "Red", "Green", "Amber", "Grey", None]
    assert labels[2] == "Amber / Red" and labels[6] == "In Progress"
    assert any(n[1] == "Ambr" and n[3] == "warning" for n in notes)


def test_likelihood_as_numbers_words_and_x_in_five_columns():
    assert V.scale([3, "4", "Almost certain", "HIgh", "Med", "Rare"])[0] == [3, 4, 5, 4, 3, 1]
    rows = [
        ["Risk ID", "Risk", "Likelihood", None, None, None, None],
        [None, None, "1", "2", "3", "4", "5"],
        ["R1", "Outage", None, None, "X", None, None],
        ["R2", "Fraud", None, None, None, None, "x"],
    ]
    data = xlsx({"Risks": rows}, merges={"Risks": ["C1:G1"]})
    parsed = parse(data, project_id="P1", report_date=date(2026, 1, 9), known=KNOWN)
    assert list(parsed.frames["risks"]["likelihood"]) == [3, 5]


def test_formula_cells_read_from_cached_values(tmp_path):
    # openpyxl writes no cached values, so write the cache into the XML as Excel does.
    import zipfile

    data = xlsx({"Status": [STATUS := ["Project ID", "Report Date", "Overall RAG", "PV", "EV"],
                            ["P1", "2026-03-06", "Red", 100, "=D2*0.5"]]})  # fmt: skip
    src = zipfile.ZipFile(__import__("io").BytesIO(data))
    out = __import__("io").BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            body = src.read(item.filename)
            if item.filename.endswith("sheet1.xml"):
                body = body.replace(b"<f>D2*0.5</f><v></v>", b"<f>D2*0.5</f><v>50</v>")
                assert b"<v>50</v>" in body
            dst.writestr(item, body)
    parsed = parse(out.getvalue(), known=KNOWN)
    assert len(STATUS) == 5
    assert status(parsed).loc["P1", "earned_value"] == 50.0


def test_totals_summary_blank_rows_and_footer_skipped():
    rows = [
        ["Project ID", "Report Date", "Overall RAG", "Budget"],
        ["P1", "2026-03-06", "Green", 100],
        [],
        ["P2", "2026-03-06", "Amber", 200],
        ["Total", None, None, 300],
        [None, None, None, 300],
        [], [], [], [],
        ["Prepared by the PMO, confidential"],
    ]  # fmt: skip
    parsed = parse(xlsx({"Status": rows}), known=KNOWN)
    assert not errors(parsed.report), errors(parsed.report)
    assert list(status(parsed).index) == ["P1", "P2"]
    assert parsed.report.sheets[0].rows_ignored == 3
    assert parsed.report.sheets[0].rows_skipped == 0


def test_repeated_header_rows_inside_the_table_are_skipped():
    header = ["Project ID", "Report Date", "Overall RAG"]
    rows = [header, ["P1", "2026-03-06", "Green"], header, ["P2", "2026-03-06", "Red"]]
    parsed = parse(xlsx({"Status": rows}), known=KNOWN)
    assert list(status(parsed).index) == ["P1", "P2"]


def test_dropdown_lists_inside_data_columns_and_list_sheets_ignored():
    rows = [
        ["Project ID", "Report Date", "Overall RAG"],
        ["P1", "2026-03-06", "Green"],
        [], [], [],
        [None, None, "Green"], [None, None, "Amber"], [None, None, "Red"],
    ]  # fmt: skip
    lists = [["RAG", "Stage", "Project"], ["Green", "Define", "x"], ["Red", "Deliver", "y"]]
    parsed = parse(xlsx({"Status": rows, "Dropdown lists": lists}), known=KNOWN)
    assert list(status(parsed).index) == ["P1"]
    assert parsed.report.sheets[1].kind == "unsupported"
    assert "dropdown" in parsed.report.sheets[1].reason


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([["Project name:", None], ["Sponsor:", None], ["Budget:", None], ["RAG:", None]], "form"),
        (
            [
                [None, "Rare", "Unlikely", "Possible"],
                ["Major", "Low", "Med", "High"],
                ["Minor", "Low", "Low", "Med"],
            ],
            "not a table",
        ),  # fmt: skip
        ([["Project ID", "Report Date", "Overall RAG", "Summary"]], "headers only"),
        ([], "empty"),
    ],
)
def test_not_tables_and_unfilled_templates_are_unsupported(rows, reason):
    parsed = parse(xlsx({"Sheet": rows}), known=KNOWN)
    assert parsed.report.status == "unsupported"
    assert reason in parsed.report.sheets[0].reason
    assert not parsed.frames


def test_status_only_as_fill_colour_is_unsupported():
    from openpyxl.styles import PatternFill

    wb_bytes = xlsx(
        {"Status": [["Project ID", "Report Date", "Schedule", "Cost"], ["P1", "2026-03-06"]]}
    )
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(wb_bytes))
    wb["Status"]["C2"].fill = PatternFill("solid", fgColor="FF0000")
    wb["Status"]["D2"].fill = PatternFill("solid", fgColor="00FF00")
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse(buf.getvalue(), known=KNOWN)
    # Colour is not data: the rating columns are empty, so nothing is loaded and the PM is told.
    assert parsed.report.status == "unsupported" and not parsed.frames
    assert "fill colour" in parsed.report.sheets[0].reason


def test_remembered_mapping_maps_an_unknown_column():
    rows = [
        ["Project ID", "Report Date", "Overall RAG", "Pulse"],
        ["P1", "2026-03-06", "Red", "ok"],
    ]
    first = parse(xlsx({"Status": rows}), known=KNOWN)
    sheet = first.sheets[0]
    assert sheet.report.mapping["Pulse"] == ""
    mappings = {sheet.layout_key: {**sheet.report.mapping, "Pulse": "summary"}}
    again = parse(xlsx({"Status": rows}), known=KNOWN, mappings=mappings)
    assert status(again).loc["P1", "summary"] == "ok"


def test_formula_text_stored_as_text_and_neutralised_in_export(tmp_path):
    from data_loaders.ingest import export_frames

    text = (
        "Project ID,Report Date,Overall RAG,Summary\n"
        'P1,2026-03-06,Red,"=HYPERLINK(""http://x"")"\n'
        "P2,2026-03-06,Red,<script>alert(1)</script>\n"
        "P3,2026-03-06,Red,@SUM(A1)\n"
    )
    parsed = parse_file("s.csv", text.encode(), KNOWN)
    s = status(parsed)
    assert s.loc["P1", "summary"] == '=HYPERLINK("http://x")'
    assert s.loc["P2", "summary"] == "<script>alert(1)</script>"
    export_frames(parsed.frames, tmp_path)
    exported = pd.read_csv(tmp_path / "status_reports.csv", dtype=str)
    assert exported.loc[0, "summary"].startswith("'=")
    assert exported.loc[2, "summary"] == "'@SUM(A1)"
