"""Column names in many languages load the same columns, however the sheet is laid out.

A test per naming rule (each language, accents or none, CamelCase and snake_case, bilingual
and padded headers), the real Croatian, Dutch and Spanish sheets, and a generated test: one
canonical status table whose headers are renamed at random into the twelve languages (seeded,
many seeds), with shuffled columns, a title block and a second header row, written as a real
.xlsx and as a ";" CSV with decimal commas, must load the same values every time."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from data_loaders.ingest import Options, parse_file
from tests.ingest_helpers import xlsx
from vocabulary.fields import fold, lookup
from vocabulary.languages import LANGUAGES, RAG_WORDS

REAL = Path(__file__).resolve().parents[3] / "shared" / "real-sheets"


def real(name: str) -> bytes:
    path = REAL / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared real sheets are not on this machine)")
    return path.read_bytes()


# --- one rule per test ---------------------------------------------------------------------

# field -> one header per language, as a PM of that country would type it
HEADERS = {
    "project_id": ["Projektnummer", "Numéro de projet", "Código del proyecto", "Código do projeto",
                   "Codice progetto", "Projectnummer", "Projektnummer", "Prosjektnummer",
                   "Projektnummer", "Numer projektu", "Šifra projekta"],
    "name": ["Projektname", "Nom du projet", "Nombre del proyecto", "Nome do projeto",
             "Nome progetto", "Projectnaam", "Projektnavn", "Prosjektnavn", "Projektnamn",
             "Nazwa projektu", "Naziv projekta"],
    "start_date": ["Startdatum", "Date de début", "Fecha de inicio", "Data de início",
                   "Data inizio", "Begindatum", "Startdato", "Startdato", "Startdatum",
                   "Data rozpoczęcia", "Datum početka"],
    "end_date": ["Enddatum", "Date de fin", "Fecha de fin", "Data de término", "Data fine",
                 "Einddatum", "Slutdato", "Sluttdato", "Slutdatum", "Data zakończenia",
                 "Datum završetka"],
    "budget": ["Gesamtbudget", "Budget total", "Presupuesto aprobado", "Orçamento total",
               "Costo totale", "Totaal budget", "Samlet budget", "Totalbudsjett", "Totalbudget",
               "Budżet całkowity", "Ukupni proračun"],
    "currency": ["Währung", "Devise", "Moneda", "Moeda", "Valuta", "Valuta", "Valuta", "Valuta",
                 "Valuta", "Waluta", "Valuta"],
    "manager": ["Projektleiter", "Chef de projet", "Jefe de proyecto", "Gerente do projeto",
                "Capo progetto", "Projectleider", "Projektleder", "Prosjektleder",
                "Projektledare", "Kierownik projektu", "Voditelj projekta"],
    "sponsor": ["Auftraggeber", "Commanditaire", "Patrocinador", "Patrocinador", "Committente",
                "Opdrachtgever", "Projektejer", "Prosjekteier", "Projektägare",
                "Właściciel projektu", "Naručitelj"],
    "department": ["Abteilung", "Direction", "Departamento", "Órgão", "Dipartimento", "Afdeling",
                   "Afdeling", "Avdeling", "Avdelning", "Wydział", "Odjel"],
    "rag_label": ["Ampel", "Météo", "Semáforo", "Farol", "Semaforo", "Stoplicht", "Trafiklys",
                  "Trafikklys", "Trafikljus", "Status projektu", "Status projekta"],
    "percent_complete": ["Fertigstellungsgrad", "Avancement", "Porcentaje de avance",
                         "Percentual concluído", "Avanzamento", "Voortgang", "Fremdrift",
                         "Fremdrift", "Färdigställandegrad", "Procent ukończenia",
                         "Postotak dovršenosti"],
    "report_date": ["Berichtsdatum", "Date du rapport", "Fecha del informe",
                    "Data do relatório", "Data del report", "Rapportagedatum", "Rapportdato",
                    "Rapportdato", "Rapportdatum", "Data raportu", "Datum izvješća"],
    "summary": ["Kommentar", "Commentaire", "Comentarios", "Observações", "Commenti",
                "Toelichting", "Bemærkninger", "Merknader", "Kommentarer", "Uwagi", "Napomena"],
}  # fmt: skip
RISK_HEADERS = {
    "risk_id": ["Risiko-ID", "ID risque", "ID riesgo", "ID risco", "ID rischio", "Risico ID",
                "Risiko ID", "Risikonummer", "Risk ID", "ID ryzyka", "ID rizika"],
    "description": ["Beschreibung", "Description", "Descripción", "Descrição", "Descrizione",
                    "Omschrijving", "Beskrivelse", "Beskrivelse", "Beskrivning", "Opis", "Opis"],
    "likelihood": ["Wahrscheinlichkeit", "Probabilité", "Probabilidad", "Probabilidade",
                   "Probabilità", "Kans", "Sandsynlighed", "Sannsynlighet", "Sannolikhet",
                   "Prawdopodobieństwo", "Vjerojatnost"],
    "impact": ["Auswirkung", "Impact", "Impacto", "Impacto", "Impatto", "Gevolg", "Konsekvens",
               "Konsekvens", "Konsekvens", "Wpływ", "Utjecaj"],
    "owner": ["Risikoverantwortlicher", "Propriétaire", "Responsable", "Responsável",
              "Responsabile", "Eigenaar", "Risikoejer", "Risikoeier", "Riskägare",
              "Właściciel", "Vlasnik rizika"],
    "due_date": ["Fälligkeitsdatum", "Échéance", "Fecha límite", "Prazo", "Scadenza",
                 "Streefdatum", "Frist", "Frist", "Deadline", "Termin", "Rok"],
    "response": ["Maßnahmen", "Atténuation", "Mitigación", "Mitigação", "Mitigazione",
                 "Beheersmaatregel", "Tiltag", "Tiltak", "Åtgärder", "Działania zaradcze",
                 "Mjere ublažavanja"],
}  # fmt: skip
MILESTONE_HEADERS = {
    "name": ["Meilenstein", "Jalon", "Hito", "Marco", "Traguardo", "Mijlpaal", "Milepæl",
             "Milepæl", "Milstolpe", "Kamień milowy", "Prekretnica"],
    "baseline_date": ["Basistermin", "Date de référence", "Línea base", "Linha de base",
                      "Data pianificata", "Basislijn", "Planlagt dato", "Grunnlinje", "Baslinje",
                      "Plan bazowy", "Planirani datum"],
    "forecast_date": ["Prognose", "Prévision", "Pronóstico", "Previsão", "Previsione",
                      "Prognose", "Prognose", "Prognose", "Prognos", "Prognoza", "Prognoza"],
    "actual_date": ["Isttermin", "Date réelle", "Fecha real", "Data real", "Data effettiva",
                    "Werkelijke datum", "Faktisk dato", "Faktisk dato", "Faktiskt datum",
                    "Data rzeczywista", "Stvarni datum"],
}  # fmt: skip
DECISION_HEADERS = {
    "decision": ["Entscheidung", "Décision", "Decisión", "Decisão", "Decisione", "Besluit",
                 "Beslutning", "Beslutning", "Beslut", "Decyzja", "Odluka"],
}  # fmt: skip
LANGS = ["German", "French", "Spanish", "Portuguese", "Italian", "Dutch", "Danish", "Norwegian",
         "Swedish", "Polish", "Croatian"]  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "table"),
    [("status", HEADERS), ("risks", RISK_HEADERS), ("milestones", MILESTONE_HEADERS),
     ("decisions", DECISION_HEADERS)],
)  # fmt: skip
def test_every_language_names_the_canonical_fields(kind, table):
    wrong = {
        (lang, header): lookup(kind, header)
        for field, headers in table.items()
        for lang, header in zip(LANGS, headers, strict=True)
        if lookup(kind, header) != field
    }
    assert not wrong


@pytest.mark.parametrize("field", sorted(HEADERS))
def test_headers_without_their_accents_upper_case_or_padded_mean_the_same(field):
    for header in HEADERS[field]:
        for variant in (fold(header), header.upper(), f"  {header}\u00a0 ", header.title()):
            assert lookup("status", variant) == field, (header, variant)


@pytest.mark.parametrize(
    ("header", "field"),
    [("PlannedCost", "budget"), ("project_start_date", "start_date"), ("ProjectName", "name"),
     ("RAGStatus", "rag_label"), ("percent_complete", "percent_complete"),
     ("PROJECT_ID", "project_id"), ("projektStartdatum", None)],
)  # fmt: skip
def test_camel_case_and_snake_case_headers_are_split_into_words(header, field):
    assert lookup("status", header) == field


@pytest.mark.parametrize(
    ("header", "field"),
    [("Budget / Budget", "budget"), ("Naziv projekta / Project name", "name"),
     ("Startdatum project           Project start date", "start_date"),
     ("Projektname | Project name", "name"), ("Naziv projekta\nProject name", "name"),
     ("Unbekannt / Project name", "name"),  # either half decides
     ("Startdatum / End date", None)],  # halves that disagree decide nothing
)  # fmt: skip
def test_bilingual_headers_either_half_decides(header, field):
    assert lookup("status", header) == field


def test_an_english_word_keeps_its_meaning_beside_other_languages():
    # "Status" is English before it is German; "Responsable" on a risk register is the owner
    assert lookup("status", "Status") == "rag_label"
    assert lookup("risks", "Responsable") == "owner"
    assert lookup("status", "Responsable") == "manager"
    assert lookup("risks", "Estado") == "status"
    assert lookup("risks", "Naziv projekta") == "_project_name"


# --- the real sheets -----------------------------------------------------------------------


@pytest.mark.slow
def test_the_croatian_list_reads_its_columns_dates_and_money():
    parsed = parse_file("eu_funds_croatia_hr.csv", real("eu_funds_croatia_hr.csv"), {})
    sheet = parsed.report.sheets[0]
    assert sheet.kind == "projects"
    mapped = {f for f in sheet.mapping.values() if f}
    assert {"name", "department", "end_date", "budget"} <= mapped
    assert "'Naziv projekta' read as name (Croatian)" in sheet.inferences
    said = "\n".join(sheet.inferences)
    assert "dates read day first" in said and "decimal comma" in said
    budgets = parsed.frames["projects"].set_index("name")["budget"]
    # 5.172.338,50 kn is five million, never 5.17 or 517,233,850
    assert budgets.max() > 1e6 and (budgets.dropna() > 1000).all()


def test_the_dutch_bilingual_list_loads():
    data, options = real("esf_publicatielijst_nl.csv"), Options(create_listed=True)
    parsed = parse_file("esf_publicatielijst_nl.csv", data, {}, options=options)
    assert parsed.ok, parsed.report.all_problems[:3]
    projects = parsed.frames["projects"]
    assert len(projects) == 70
    assert projects["start_date"].notna().all() and projects["budget"].notna().sum() >= 60
    assert projects["budget"].max() > 1e6  # € 8.239.560 is eight million
    assert any(
        "by its half 'Naam Project' (Dutch)" in s for s in parsed.report.sheets[0].inferences
    )


def test_the_spanish_risk_matrix_loads_its_words():
    data = real("risk_register_es_matriz_riesgos.xlsx")
    options = Options(project_id="P1", report_date=date(2024, 12, 31))
    parsed = parse_file("matriz.xlsx", data, {"P1": "Uno"}, options=options)
    assert parsed.ok, parsed.report.all_problems[:3]
    risks = parsed.frames["risks"]
    assert len(risks) == 21
    # Alta / Media / Baja, Alto / Medio: all read, none left empty
    assert risks["likelihood"].notna().all() and risks["impact"].notna().all()
    first = risks.set_index("risk_id").loc["R01"]
    assert (first["likelihood"], first["impact"]) == (4, 4)
    assert first["owner"] == "QA / Dev"


# --- the generated test --------------------------------------------------------------------

# The canonical table: what every renamed, shuffled copy must load.
ROWS = [
    # id, name, start, end, budget, RAG, % complete
    ("007", "Alpha", date(2024, 1, 15), date(2025, 6, 30), 1234567.5, "Green", 4.5),
    ("P-002", "Beta", date(2024, 2, 1), date(2026, 12, 31), 250000.0, "Amber", 50.0),
    ("3.10", "Gamma", date(2023, 11, 20), date(2024, 3, 5), 98765.25, "Red", 100.0),
    ("P-004", "Delta", date(2024, 4, 2), date(2025, 1, 13), 5000000.0, "Green", 12.75),
]
FIELDS = ["project_id", "name", "start_date", "end_date", "budget", "rag_label",
          "percent_complete"]  # fmt: skip
REPORT_DATE = date(2024, 5, 31)


def _words(field: str) -> list[tuple[str, str]]:
    """(language, header) for the field, from the word tables themselves."""
    return [(lang, w) for lang, table in LANGUAGES.items() for w in table.get(field, [])]


def _style(rng: random.Random, word: str) -> str:
    """One way a PM might type the word."""
    styles = [
        lambda w: w, lambda w: w.title(), lambda w: w.upper(), lambda w: fold(w),
        lambda w: "_".join(w.split()), lambda w: "".join(p.capitalize() for p in w.split()),
        lambda w: f"  {w}   ",
    ]  # fmt: skip
    return rng.choice(styles)(word)


def _headers(rng: random.Random) -> dict[str, str]:
    out = {}
    for field in FIELDS:
        # any word of any language's table for this field: none may mean another field
        choices = _words(field)
        lang, word = rng.choice(choices)
        header = _style(rng, word)
        if rng.random() < 0.2:  # a bilingual header
            header = f"{header} / {rng.choice(['Project', 'Code', 'Info'])} {field.split('_')[0]}"
        out[field] = header
    return out


def _rag_word(rng: random.Random, rag: str) -> str:
    return rng.choice([w for w in RAG_WORDS[rag] if len(w) > 1] + [rag])


def _table(seed: int):
    rng = random.Random(seed)
    headers = _headers(rng)
    order = FIELDS[:]
    rng.shuffle(order)
    rags = {rag: _rag_word(rng, rag) for rag in ("Green", "Amber", "Red")}
    title = [[f"Portfolio report {seed}"], [f"As of {REPORT_DATE:%d/%m/%Y}"], []]
    group = ["Overview"] + [""] * (len(order) - 1)  # a second header row above the names
    header = [headers[f] for f in order]
    return order, rags, title, group, header


def _cells(row, rags: dict[str, str], csv: bool) -> dict[str, object]:
    pid, name, start, end, budget, rag, pct = row
    if not csv:  # typed cells, as Excel stores them
        return {"project_id": pid, "name": name, "start_date": start, "end_date": end,
                "budget": budget, "rag_label": rags[rag], "percent_complete": pct}  # fmt: skip
    money = f"{budget:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return {"project_id": pid, "name": name, "start_date": f"{start:%d.%m.%Y}",
            "end_date": f"{end:%d.%m.%Y}", "budget": money, "rag_label": rags[rag],
            "percent_complete": f"{pct:g}".replace(".", ",")}  # fmt: skip


def _expected():
    return [(pid, name, start, end, budget, rag, pct)
            for pid, name, start, end, budget, rag, pct in ROWS]  # fmt: skip


def _loaded(parsed) -> list[tuple]:
    projects = parsed.frames["projects"].set_index("project_id")
    status = parsed.frames["status_reports"].set_index("project_id")
    out = []
    for pid, *_ in ROWS:
        p, s = projects.loc[pid], status.loc[pid]
        out.append((pid, p["name"], p["start_date"].date(), p["end_date"].date(),
                    p["budget"], s["overall_rag"], s["percent_complete"]))  # fmt: skip
    return out


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("form", ["xlsx", "csv"])
@pytest.mark.slow
def test_a_table_renamed_into_other_languages_loads_the_same_values(seed, form):
    order, rags, title, group, header = _table(seed)
    csv = form == "csv"
    body = [[_cells(row, rags, csv)[f] for f in order] for row in ROWS]
    if csv:
        lines = [*title, group, header, *body]
        text = "\n".join(";".join(str(c) for c in line) for line in lines) + "\n"
        data, name = text.encode(), f"portfolio_{seed}.csv"
    else:
        data, name = xlsx({"Portfolio": [*title, group, header, *body]}), f"portfolio_{seed}.xlsx"
    options = Options(report_date=REPORT_DATE)
    parsed = parse_file(name, data, {pid: n for pid, n, *_ in ROWS}, options=options)
    assert parsed.ok, (header, parsed.report.all_problems[:3])
    assert _loaded(parsed) == _expected(), header


@pytest.mark.parametrize(
    ("project_line", "date_line"),
    [("Projektname: Alpha", "Stichtag: 31.05.2024"),
     ("Nombre del proyecto: Alpha", "Fecha del informe: 31 de mayo de 2024"),
     ("Naziv projekta: Alpha", "Datum izvješća: 31.05.2024"),
     ("Nom du projet: Alpha", "Date du rapport: 31 mai 2024")],
)  # fmt: skip
def test_a_title_block_in_another_language_names_the_project_and_date(project_line, date_line):
    data = xlsx({"Risiken": [
        [project_line], [date_line], [],
        ["Risiko-ID", "Beschreibung", "Wahrscheinlichkeit", "Auswirkung", "Maßnahmen"],
        ["R1", "Lieferant fällt aus", "hoch", "mittel", "Zweitlieferant"],
    ]})  # fmt: skip
    parsed = parse_file("r.xlsx", data, {"P1": "Alpha"})
    assert parsed.ok, parsed.report.all_problems
    risk = parsed.frames["risks"].iloc[0]
    assert (risk["project_id"], risk["report_date"].date()) == ("P1", date(2024, 5, 31))
    assert (risk["likelihood"], risk["impact"]) == (4, 3)
