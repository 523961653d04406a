"""Each column is typed from its own values, and each decision is a sentence the report shows.

A rule per test: dates (ISO, serials, day or month first from a value above 12, two-digit
years, dd.mm.yyyy, month names in many languages, quarters, stray spaces); numbers (separators
decided per column, currency marks before or after, brackets, percentages, exponents); ids keep
their text; a money band is never a figure; units from headers and title lines in many
languages."""

from __future__ import annotations

from datetime import date

import pytest

from config import Config, get_config
from data_loaders import normalise, units
from data_loaders import values as V
from data_loaders.ingest import Options, parse_file
from tests.ingest_helpers import xlsx

CFG = Config()


def _said(notes) -> list[str]:
    return [n[2] for n in notes if n[3] == V.INFERENCE]


def _problems(notes) -> list:
    return [n for n in notes if n[3] != V.INFERENCE]


# --- dates ---------------------------------------------------------------------------------


def test_day_first_decided_by_a_day_above_12_and_said():
    out, notes = V.dates(["04/03/2024", "19/04/2024", "1/2/2024"], CFG)
    assert out == [date(2024, 3, 4), date(2024, 4, 19), date(2024, 2, 1)]
    assert _said(notes) == ["dates read day first: '19/04/2024' exists"]
    assert not _problems(notes)


def test_month_first_decided_by_a_day_above_12_even_when_the_default_is_day_first():
    out, notes = V.dates(["4/19/2024", "1/2/2024", "12/1/2026"], CFG)
    assert out == [date(2024, 4, 19), date(2024, 1, 2), date(2026, 12, 1)]
    assert _said(notes) == ["dates read month first: '4/19/2024' exists"]


def test_a_wholly_ambiguous_column_is_read_by_the_setting_with_a_warning():
    out, notes = V.dates(["04/03/2024", "05/06/2024"], CFG)
    assert out == [date(2024, 3, 4), date(2024, 6, 5)]
    assert [n[3] for n in notes] == ["warning"] and "ingest.date_order" in notes[0][2]


def test_two_digit_years_and_stray_spaces():
    out, notes = V.dates(["02/5/16 ", " 31/12/18", "20/03/15"], CFG)
    assert out == [date(2016, 5, 2), date(2018, 12, 31), date(2015, 3, 20)]
    assert any("two-digit years" in s and "2016-05-02" in s for s in _said(notes))


def test_dotted_iso_and_serial_dates():
    out, notes = V.dates(["27.11.2026", "2026-11-28", 46083, "46084"], CFG)
    assert out == [date(2026, 11, 27), date(2026, 11, 28), date(2026, 3, 2), date(2026, 3, 3)]
    assert any(s.startswith("numbers read as Excel date serials") for s in _said(notes))


@pytest.mark.parametrize(
    "text",
    [
        "20 Feb 2024", "20 February 2024", "Feb 20, 2024", "20-Feb-2024", "20/Feb/24",
        "20/Feb/24 4:37 PM", "20. Februar 2024", "20 février 2024", "20 de febrero de 2024",
        "20 de fevereiro de 2024", "20 febbraio 2024", "20 februari 2024", "20. februar 2024",
        "20 lutego 2024", "20. veljače 2024", "20. veljace 2024", "2024 Feb 20",
    ],
)  # fmt: skip
def test_month_names_in_many_languages(text):
    out, notes = V.dates([text], CFG)
    assert out == [date(2024, 2, 20)], notes
    assert not _problems(notes)


def test_a_month_word_that_means_two_months_is_not_guessed():
    # "listopad" is November in Polish and October in Croatian: reported, never guessed
    out, notes = V.dates(["5 listopada 2024"], CFG)
    assert out == [None] and notes[0][2] == "not a date"


def test_quarters_start_on_their_first_day_and_end_on_their_last():
    out, notes = V.dates(["Q3 2024", "2024 Q4", "Q1/25", "T2 2024", "K2 2024"], CFG)
    assert out == [date(2024, 9, 30), date(2024, 12, 31), date(2025, 3, 31), date(2024, 6, 30),
                   date(2024, 6, 30)]  # fmt: skip
    assert any("quarters read" in s for s in _said(notes))
    start, _ = normalise.parse("start_date", ["Q3 2024"], CFG)
    end, _ = normalise.parse("end_date", ["Q3 2024"], CFG)
    assert start["start_date"] == [date(2024, 7, 1)] and end["end_date"] == [date(2024, 9, 30)]


# --- numbers -------------------------------------------------------------------------------


def test_decimal_comma_decided_per_column_in_a_comma_csv_column():
    out, notes = V.number(["5.172.338,50 kn", "1.234", "12,5", "950"])
    assert out == [5172338.5, 1234.0, 12.5, 950.0]
    assert _said(notes) == [
        "numbers read with a decimal comma and '.' between thousands: '5.172.338,50 kn' exists"
    ]


def test_decimal_point_decided_per_column():
    out, notes = V.number(["1,234,567.50", "1,234", "4.5"])
    assert out == [1234567.5, 1234.0, 4.5]
    assert "decimal point" in _said(notes)[0]


def test_a_column_mixing_both_separators_reads_each_as_written_and_warns():
    out, notes = V.number(["1.234.567,50", "1,234,567.50"])
    assert out == [1234567.5, 1234567.5]
    assert [n[3] for n in notes] == ["warning"] and "decimal comma and with a decimal point" in (
        notes[0][2]
    )


def test_decimal_comma_in_a_semicolon_csv_is_four_and_a_half_never_45():
    text = "Project ID;Project name;Report date;% Complete;RAG\nP1;One;27.11.2026;4,5;Green\n"
    parsed = parse_file("s.csv", text.encode(), {"P1": "One"})
    assert parsed.frames["status_reports"]["percent_complete"].tolist() == [4.5]


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("£ 1,200", 1200.0), ("$1,200", 1200.0), ("€ 2.034.550", 2034550.0),
        ("5.172.338,50 kn", 5172338.5), ("R$ 1.200,50", 1200.5), ("kr 450", 450.0),
        ("450 kr.", 450.0), ("1 200 DKK", 1200.0), ("CAD 1,200", 1200.0),
        ("1.013.778,44 €", 1013778.44),
        ("(1,200)", -1200.0), ("-1,200", -1200.0), ("1.337E+11", 1.337e11), ("2.5m", 2.5e6),
    ],
)  # fmt: skip
def test_currency_marks_before_or_after_brackets_and_exponents(cell, value):
    out, notes = V.number([cell])
    assert out == [pytest.approx(value)], notes
    assert not _problems(notes)


def test_exponent_notation_is_said_in_full():
    out, notes = V.number(["1.337E+11", "NULL"])
    assert out == [1.337e11, None]
    assert "'1.337E+11' is 133,700,000,000" in _said(notes)[0]


@pytest.mark.parametrize("band", ["£10m-£50m", "<5m", "10-50", "up to £2bn", "£5m to £10m"])
def test_a_money_band_is_never_a_figure(band):
    out, notes = V.number([band])
    assert out == [None]
    assert notes[0][3] == "warning" and "a band of values, not a figure" in notes[0][2]


def test_two_currencies_in_one_column_are_said_and_not_converted():
    out, notes = V.number(["1.013.778,44 €", "5.172.338,50 kn"])
    assert out == [1013778.44, 5172338.5]
    warned = [n for n in notes if n[3] == "warning"]
    assert len(warned) == 1 and "EUR" in warned[0][2] and "HRK" in warned[0][2]


def test_percentages_with_a_decimal_comma():
    out, _ = V.percent(["4,5 %", "12,75%", "50"])
    assert out == [4.5, 12.75, 50.0]


def test_ids_keep_leading_zeros_and_trailing_zeros():
    parsed, _ = normalise.parse("project_id", ["007", "3.10", "005-000001723"], CFG)
    assert parsed["project_id"] == ["007", "3.10", "005-000001723"]


# --- scales and RAG --------------------------------------------------------------------------


def test_likelihood_and_impact_words_in_many_languages():
    words = ["Alta", "Media", "Baja", "Medio", "Alto ", "hoch", "mittel", "niedrig", "élevé",
             "moyen", "faible", "hoog", "laag", "Wysokie", "Średnie", "Visoka", "niska",
             "muito alta", "sehr gering"]  # fmt: skip
    out, notes = V.scale(words, normalise.scale_words(CFG))
    assert out == [4, 3, 2, 3, 4, 4, 3, 2, 4, 3, 2, 4, 2, 4, 3, 4, 2, 5, 1]
    assert not notes


def test_a_numbered_scale_where_1_is_the_worst_is_read_by_its_words():
    out, notes = V.scale(["1 - High", "3 - Low", "2 - Medium", "1"])
    assert out == [4, 2, 3, 4]  # the bare "1" follows the column's own numbering
    assert _said(notes) == ["numbered values read by their words: '1 - High'; 1 is the worst"]


def test_a_numbered_scale_in_our_direction_needs_no_remapping():
    out, notes = V.scale(["1 - Very low", "5 - Very high", "3"])
    assert out == [1, 5, 3] and not notes


@pytest.mark.parametrize(
    ("words", "rags"),
    [
        (["G", "A", "R"], ["Green", "Amber", "Red"]),
        (["G", "Y", "R"], ["Green", "Amber", "Red"]),
        (["Verde", "Amarillo", "Rojo"], ["Green", "Amber", "Red"]),
        (["grün", "gelb", "rot"], ["Green", "Amber", "Red"]),
        (["Grun", "Gelb", "Rot"], ["Green", "Amber", "Red"]),
        (["vert", "orange", "rouge"], ["Green", "Amber", "Red"]),
        (["groen", "oranje", "rood"], ["Green", "Amber", "Red"]),
        (["grøn", "gul", "rød"], ["Green", "Amber", "Red"]),
        (["zielony", "żółty", "czerwony"], ["Green", "Amber", "Red"]),
        (["zelena", "žuta", "crvena"], ["Green", "Amber", "Red"]),
        (["1 - Red", "2 - Amber", "3 - Green"], ["Red", "Amber", "Green"]),
    ],
)
def test_rag_words_in_many_languages_and_single_letters(words, rags):
    out, labels, notes = V.rag(words, get_config())
    assert out == rags and labels == words and not notes


# --- units -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "factor", "currency"),
    [
        ("Budget £m", 1e6, "GBP"), ("Cost ($M)", 1e6, "USD"), ("Kosten in Mio. €", 1e6, "EUR"),
        ("Iznos (mil. kn)", 1e6, "HRK"), ("All figures in thousands", 1e3, None),
        ("Budget x1000", 1e3, None), ("Budget k€", 1e3, "EUR"), ("Budget TEUR", 1e3, "EUR"),
        ("Kosten (Tsd. €)", 1e3, "EUR"), ("Valor (R$ mil)", 1e3, "BRL"),
        ("Kwota (tys. zł)", 1e3, "PLN"), ("Total (mln zł)", 1e6, "PLN"),
        ("Kostnad (MSEK)", 1e6, "SEK"), ("Coût (milliers d'euros)", 1e3, "EUR"),
        ("Presupuesto (miles de euros)", 1e3, "EUR"), ("Budsjett (mill. kr)", 1e6, None),
        ("Bedrag x 1.000", 1e3, None), ("Budget", None, None), ("Milestone", None, None),
    ],
)  # fmt: skip
def test_units_and_currencies_in_headers_in_many_languages(text, factor, currency):
    assert units.unit_in_text(text) == factor
    assert units.currency_in_text(text) == currency


def test_a_unit_in_a_german_header_scales_the_money_and_is_said():
    data = xlsx({"Projekte": [
        ["Projekt-ID", "Projektname", "Budget in Mio. €", "Beginn", "Ende", "Stichtag", "Ampel"],
        ["P1", "Eins", 7.5, "1. März 2024", "20.12.2025", date(2024, 3, 31), "grün"],
        ["P2", "Zwei", 0.25, "15. Januar 2024", "31.01.2026", date(2024, 3, 31), "rot"],
    ]})  # fmt: skip
    parsed = parse_file("p.xlsx", data, {"P1": "Eins", "P2": "Zwei"})
    assert parsed.ok, parsed.report.all_problems
    assert parsed.frames["projects"]["budget"].tolist() == [7.5e6, 0.25e6]
    assert parsed.frames["status_reports"]["overall_rag"].tolist() == ["Green", "Red"]
    starts = parsed.frames["projects"]["start_date"].dt.date.tolist()
    assert starts == [date(2024, 3, 1), date(2024, 1, 15)]
    sheet = parsed.report.sheets[0]
    assert sheet.units["Budget in Mio. €"].startswith("millions from header")
    assert "'Projektname' read as name (German)" in sheet.inferences


def test_a_unit_in_the_title_block_applies_to_unlabelled_money():
    data = xlsx({"Sheet": [
        ["Portefeuille 2024 — montants en milliers d'euros"],
        [],
        ["ID projet", "Nom du projet", "Budget total", "Début", "Fin", "Date du rapport", "Statut"],
        ["P1", "Un", 1500, "T1 2024", "Q4 2025", date(2024, 3, 31), "vert"],
    ]})  # fmt: skip
    parsed = parse_file("p.xlsx", data, {"P1": "Un"})
    assert parsed.ok, parsed.report.all_problems
    assert parsed.frames["projects"]["budget"].tolist() == [1.5e6]
    project = parsed.frames["projects"].iloc[0]
    assert (project["start_date"].date(), project["end_date"].date()) == (
        date(2024, 1, 1), date(2025, 12, 31)
    )  # fmt: skip


def test_a_decimal_point_beside_decimal_commas_is_not_read_as_thousands():
    # "12.5" in a column that also writes "4,5" is twelve and a half, never 125
    out, notes = V.number(["4,5", "12.5"])
    assert out == [4.5, 12.5] and notes[0][3] == "warning"


def test_a_list_in_two_currencies_keeps_each_rows_own():
    text = (
        "Naziv projekta,Korisnik,Datum početka,Zaključni datum provedbe aktivnosti,"
        "Ukupno prihvatljivi troškovi\n"
        'Jedan,Grad,01.02.2019,17.06.2020,"5.172.338,50 kn"\n'
        'Dva,Grad,01.03.2023,30.06.2024,"1.013.778,44 €"\n'
        'Tri,Grad,15.03.2023,30.06.2025,"250.000,00 €"\n'
    )
    parsed = parse_file("hr.csv", text.encode(), {}, options=Options(create_listed=True))
    assert parsed.ok, parsed.report.all_problems
    projects = parsed.frames["projects"].set_index("name")
    assert projects["currency"].to_dict() == {"Jedan": "HRK", "Dva": "EUR", "Tri": "EUR"}
    assert projects["budget"].to_dict() == {"Jedan": 5172338.5, "Dva": 1013778.44, "Tri": 250000.0}
    problems = parsed.report.all_problems
    warned = [p.message for p in problems if "more than one currency" in p.message]
    assert len(warned) == 1 and "none is converted" in warned[0]


def test_a_header_that_numbers_its_scale_decides_the_bare_numbers():
    header = "Impact (1 = High, 3 = Low)"
    out, notes = V.scale(["1", "2", "3"], None, header)
    assert out == [4, 3, 2]
    assert _said(notes) == [f"numbered values read by their words: '{header}'; 1 is the worst"]
    out, _ = V.scale(["1", "5"], None, "Wahrscheinlichkeit (1 = sehr hoch, 5 = sehr gering)")
    assert out == [5, 1]
    assert V.scale(["1", "5"], None, "Impact")[0] == [1, 5]  # no header numbering: ours


def test_a_risk_register_whose_header_says_1_is_the_worst():
    data = xlsx({"Risks": [
        ["Risk ID", "Description", "Likelihood (1 = High, 3 = Low)", "Impact", "Owner"],
        ["R1", "Supplier fails", 1, "Alta", "Ana"],
        ["R2", "Late permit", 3, "Baja", "Ben"],
        ["R3", "Scope creep", 2, "Media", "Eva"],
    ]})  # fmt: skip
    options = Options(project_id="P1", report_date=date(2024, 5, 31))
    parsed = parse_file("r.xlsx", data, {"P1": "One"}, options=options)
    assert parsed.ok, parsed.report.all_problems
    risks = parsed.frames["risks"].set_index("risk_id")
    assert risks["likelihood"].to_dict() == {"R1": 4, "R2": 2, "R3": 3}
    assert risks["impact"].to_dict() == {"R1": 4, "R2": 2, "R3": 3}
    said = parsed.report.sheets[0].inferences
    assert any(s.startswith("'Likelihood (1 = High, 3 = Low)': numbered values") for s in said)
