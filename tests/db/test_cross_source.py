"""The same values through every source give the same canonical rows.

One set of cells (booleans, dates, money, RAG words, likelihood and impact words, placeholders)
goes in four ways: a real .xlsx written with openpyxl and CSV files, both through the upload
parse (``ingest.parse_file``, a dry run), and a real SQLite file and a real PostgreSQL table,
both through ``sync.read_source``. Each source writes the cells the way it naturally holds them:
an .xlsx has bool, number and date cells; a CSV only text; SQLite keeps each value's own type
(1 as an integer, 'yes' as text, a date as ISO text); PostgreSQL has typed columns (DATE,
TIMESTAMP, NUMERIC, BOOLEAN) beside text ones. Every source must give identical rows, because
one step (``data_loaders.normalise``) reads them all.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    MetaData,
    Numeric,
    Table,
    Text,
    create_engine,
)
from sqlalchemy.types import NullType

from data_loaders.ingest import Options, parse_file
from data_loaders.sql_source import load_source
from data_loaders.sync import read_source
from tests.ingest_helpers import xlsx
from tests.sources_helpers import reader

KNOWN = {"P1": "Alpha", "P2": "Beta"}
D = date(2026, 3, 2)
MIDNIGHT = datetime(2026, 3, 2, 0, 0)
REPORT = date(2026, 5, 8)

# --- the values: (what the sheet cell holds, what SQLite holds, what PostgreSQL holds) ---------
# Booleans: every spelling of yes and no the one vocabulary reads.
GATES = [
    ("t", "t", "t"),
    ("f", "f", "f"),
    ("yes", "yes", "yes"),
    ("no", "no", "no"),
    ("Y", "Y", "Y"),
    ("N", "N", "N"),
    (1, 1, "1"),
    (0, 0, "0"),
    ("TRUE", "TRUE", "TRUE"),
    ("FALSE", "FALSE", "FALSE"),
    (True, True, "true"),
    (False, False, "false"),
]
# Dates: an Excel date cell / a SQL DATE, a datetime at midnight, ISO text, a placeholder.
BASELINES = [D, MIDNIGHT, "2026-03-02", D, MIDNIGHT, "2026-03-02"] * 2
FORECASTS = ["2026-04-01", "tbc", "n/a", "2026-04-01", "", "2026-04-01"] * 2

# Risks: likelihood and impact as numbers and words; money as numbers and "£1.2m" text.
LIKELIHOOD = ["likely", "Almost certain", "rare", 3, "Possible"]
IMPACT = ["High", "low", 5, "medium", "Very high"]
COST = [1200000, "£1.2m", "250,000", "£250k", "tbc"]
COST_PG = [Decimal("1200000"), Decimal("1200000"), Decimal("250000"), Decimal("250000"), None]

# Status: RAG words of config.rag_labels, percent complete, a placeholder in free text.
RAG = ["On track", "amber", "R", "At risk", "Green"]
PERCENT = [40, "45%", 50, 55, "60%"]
SUMMARY = ["Fine", "tbc", "Slipping", "n/a", "Help"]


def _milestones(which: int) -> list[tuple]:
    return [
        ("P1", f"M{i:02}", f"Milestone {i}", BASELINES[i], FORECASTS[i], g[which], REPORT)
        for i, g in enumerate(GATES)
    ]


def _risks(which: int) -> list[tuple]:
    cost = COST_PG if which == 2 else COST
    return [
        ("P1", f"R{i}", f"Risk {i}", LIKELIHOOD[i], IMPACT[i], cost[i], REPORT)
        for i in range(len(LIKELIHOOD))
    ]


def _status() -> list[tuple]:
    return [
        (p, date(2026, 5, 1 + 7 * (i // 2)), RAG[i], PERCENT[i], SUMMARY[i])
        for i, p in enumerate(["P1", "P2", "P1", "P2", "P1"])
    ]


SHEETS = {
    "Milestones": (
        ["Project ID", "Milestone ID", "Milestone", "Baseline Date", "Forecast Date", "Gate",
         "Report Date"],
        lambda: _milestones(0),
    ),
    "Risks": (
        ["Project ID", "Risk ID", "Title", "Likelihood", "Impact", "Cost Impact", "Report Date"],
        lambda: _risks(0),
    ),
    "Status": (
        ["Project ID", "Report Date", "Overall RAG", "% Complete", "Summary"],
        _status,
    ),
}  # fmt: skip
FIELDS = {
    "milestones": ["project_id", "milestone_id", "name", "baseline_date", "forecast_date",
                   "is_gate", "report_date"],
    "risks": ["project_id", "risk_id", "title", "likelihood", "impact", "cost_impact",
              "report_date"],
    "status_reports": ["project_id", "report_date", "overall_rag", "percent_complete", "summary"],
}  # fmt: skip


def _canonical(frames: dict[str, pd.DataFrame]) -> dict[str, list[dict]]:
    """The compared tables as plain rows, sorted by key: dtype-free, so a difference is a value."""
    out = {}
    for table, fields in FIELDS.items():
        df = frames[table][fields].sort_values(fields[:2]).reset_index(drop=True)
        rows = []
        for rec in df.astype(object).where(df.notna(), None).to_dict("records"):
            rows.append(
                {k: (v.date() if isinstance(v, pd.Timestamp) else v) for k, v in rec.items()}
            )
        out[table] = rows
    return out


def _sheet_rows() -> dict[str, list[dict]]:
    data = xlsx({name: [header, *rows()] for name, (header, rows) in SHEETS.items()})
    parsed = parse_file("book.xlsx", data, dict(KNOWN), options=Options())
    assert not parsed.report.has_errors, parsed.report.all_problems
    return _canonical(parsed.frames)


def _csv_rows() -> dict[str, list[dict]]:
    frames: dict[str, pd.DataFrame] = {}
    for name, (header, rows) in SHEETS.items():
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        for row in rows():  # a CSV holds text: dates as ISO, True as TRUE, as Excel saves them
            writer.writerow([_as_csv_text(v) for v in row])
        parsed = parse_file(f"{name}.csv", buf.getvalue().encode(), dict(KNOWN), options=Options())
        assert not parsed.report.has_errors, parsed.report.all_problems
        frames.update(parsed.frames)
    return _canonical(frames)


def _as_csv_text(v: object) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


SOURCE_TOML = """
[source]
name = "cross"
url = "${CROSS_DB_URL}"

[tables.milestones]
table = "{p}milestones"

[tables.risks]
table = "{p}risks"

[tables.status_reports]
table = "{p}status"
"""


def _tables(prefix: str, typed: bool) -> tuple[MetaData, dict[str, Table]]:
    """The source tables, columns named as the canonical fields. ``typed``: PostgreSQL's DATE,
    TIMESTAMP and NUMERIC columns; otherwise SQLite columns without a type, which keep each
    value's own type."""
    md = MetaData()

    def col(name: str, kind):
        return Column(name, kind if typed else NullType())

    tables = {
        "milestones": Table(
            f"{prefix}milestones", md,
            col("project_id", Text), col("milestone_id", Text), col("name", Text),
            col("baseline_date", Text), col("forecast_date", Text), col("is_gate", Text),
            col("report_date", DateTime),
        ),
        "risks": Table(
            f"{prefix}risks", md,
            col("project_id", Text), col("risk_id", Text), col("title", Text),
            col("likelihood", Text), col("impact", Text), col("cost_impact", Numeric(14, 2)),
            col("report_date", Date),
        ),
        "status": Table(
            f"{prefix}status", md,
            col("project_id", Text), col("report_date", Date), col("overall_rag", Text),
            col("percent_complete", Text), col("summary", Text),
        ),
    }  # fmt: skip
    return md, tables


def _fill(url: str, prefix: str, which: int) -> list[str]:
    typed = which == 2
    md, t = _tables(prefix, typed)
    engine = create_engine(url)
    if typed:
        md.create_all(engine)
    else:  # columns without a declared type: SQLite keeps 1 an integer and 'yes' text
        with engine.begin() as conn:
            for table in t.values():
                conn.exec_driver_sql(
                    f"CREATE TABLE {table.name} ({', '.join(table.columns.keys())})"
                )

    def cell(v: object, kind) -> object:
        if not typed:  # SQLite: dates as the ISO text Python's sqlite3 writes, the rest as is
            return v.isoformat(" ") if isinstance(v, datetime) else _as_sqlite(v)
        if v is None or not isinstance(kind, Text):
            return v  # a DATE, TIMESTAMP or NUMERIC column gets the typed value
        return v.isoformat(" ") if isinstance(v, datetime) else str(v)

    def rows(table: Table, values: list[tuple]) -> list[dict]:
        cols = list(table.columns)
        return [{c.name: cell(v, c.type) for c, v in zip(cols, r, strict=True)} for r in values]

    status = _status()
    with engine.begin() as conn:
        conn.execute(t["milestones"].insert(), rows(t["milestones"], _milestones(which)))
        conn.execute(t["risks"].insert(), rows(t["risks"], _risks(which)))
        conn.execute(t["status"].insert(), rows(t["status"], status))
    engine.dispose()
    return [table.name for table in t.values()]


def _as_sqlite(v: object) -> object:
    return v.isoformat() if isinstance(v, date) else v


def _sql_rows(url: str, prefix: str, tmp_path, monkeypatch) -> dict[str, list[dict]]:
    monkeypatch.setenv("CROSS_DB_URL", url)
    path = tmp_path / f"cross_{prefix}.toml"
    path.write_text(SOURCE_TOML.replace("{p}", prefix))
    frames, report = read_source(load_source(path))
    refused = [(p.column, p.value, p.message) for p in report.all_problems if p.severity == "error"]
    assert refused == [], "values the sheet reads and the SQL source refused"
    return _canonical(frames)


def _differences(expected: dict, got: dict) -> list[str]:
    out = []
    for table, rows in expected.items():
        for want, have in zip(rows, got[table], strict=True):
            out += [
                f"{table} {want[FIELDS[table][1]]} {k}: {want[k]!r} != {have[k]!r}"
                for k in want
                if want[k] != have[k]
            ]
    return out


EXPECTED_GATES = [True, False] * 6
EXPECTED_FORECAST = [date(2026, 4, 1), None, None, date(2026, 4, 1), None, date(2026, 4, 1)] * 2


def test_a_sheet_reads_the_values_as_the_one_vocabulary_says():
    rows = _sheet_rows()
    assert [r["is_gate"] for r in rows["milestones"]] == EXPECTED_GATES
    assert {r["baseline_date"] for r in rows["milestones"]} == {D}
    assert [r["forecast_date"] for r in rows["milestones"]] == EXPECTED_FORECAST
    risks = rows["risks"]
    assert [(r["likelihood"], r["impact"]) for r in risks] == [
        (4, 4), (5, 2), (1, 5), (3, 3), (3, 5)
    ]  # fmt: skip
    assert [r["cost_impact"] for r in risks] == [1.2e6, 1.2e6, 2.5e5, 2.5e5, None]
    status = rows["status_reports"]
    assert [r["overall_rag"] for r in status] == ["Green", "Red", "Green", "Amber", "Amber"]
    assert [r["summary"] for r in status] == ["Fine", "Slipping", "Help", None, None]


def test_csv_gives_the_rows_of_the_xlsx():
    assert _differences(_sheet_rows(), _csv_rows()) == []


def test_sqlite_gives_the_rows_of_the_sheet(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cross.db'}"
    _fill(url, "x_", 1)
    assert _differences(_sheet_rows(), _sql_rows(url, "x_", tmp_path, monkeypatch)) == []


def test_postgres_gives_the_rows_of_the_sheet(pg_url, tmp_path, monkeypatch):
    prefix = f"c{uuid.uuid4().hex[:8]}_"
    names = _fill(pg_url, prefix, 2)
    md, _ = _tables(prefix, True)
    try:
        with reader("postgres", pg_url, names) as reader_url:
            got = _sql_rows(reader_url, prefix, tmp_path, monkeypatch)
        assert _differences(_sheet_rows(), got) == []
    finally:
        engine = create_engine(pg_url)
        md.drop_all(engine)
        engine.dispose()


GATE_TOML = """
[source]
name = "gates"
url = "${CROSS_DB_URL}"

[tables.milestones]
table = "gates"
"""


def test_one_boolean_vocabulary_for_a_sheet_and_sqlite(tmp_path, monkeypatch):
    """The bug that started it: ``t`` in a gate column was False from Excel, True from SQL.
    Only booleans here, so nothing else can hide a disagreement."""
    header = ["Project ID", "Milestone ID", "Milestone", "Gate", "Report Date"]
    rows = [("P1", f"M{i:02}", f"Milestone {i}", g[0], REPORT) for i, g in enumerate(GATES)]
    parsed = parse_file("gates.xlsx", xlsx({"Milestones": [header, *rows]}), dict(KNOWN))
    assert not parsed.report.has_errors, parsed.report.all_problems
    sheet = dict(zip(parsed.frames["milestones"]["milestone_id"],
                     parsed.frames["milestones"]["is_gate"], strict=True))  # fmt: skip
    url = f"sqlite:///{tmp_path / 'gates.db'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE gates (project_id, milestone_id, name, is_gate, report_date)"
        )
        conn.exec_driver_sql(
            "INSERT INTO gates VALUES (?, ?, ?, ?, ?)",
            [
                (p, m, n, g[1], REPORT.isoformat())
                for (p, m, n, _, _), g in zip(rows, GATES, strict=True)
            ],
        )
    engine.dispose()
    monkeypatch.setenv("CROSS_DB_URL", url)
    path = tmp_path / "gates.toml"
    path.write_text(GATE_TOML)
    frames, report = read_source(load_source(path))
    assert not report.has_errors, report.all_problems
    sql = dict(zip(frames["milestones"]["milestone_id"], frames["milestones"]["is_gate"],
                   strict=True))  # fmt: skip
    read = {
        repr(g[0]): (bool(sheet[f"M{i:02}"]), bool(sql[f"M{i:02}"])) for i, g in enumerate(GATES)
    }
    disagree = {word: pair for word, pair in read.items() if pair[0] != pair[1]}
    assert disagree == {}, "(sheet, sql) per word"
    assert [pair[0] for pair in read.values()] == EXPECTED_GATES
