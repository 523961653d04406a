"""Money units and currency: stored in currency units, with the project's currency; totals
never add two currencies. Real workbooks written with openpyxl and the real sheets."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlalchemy import select

import models
import store
from data_loaders.cli import main
from data_loaders.units import unit_in_text
from tests.conftest import REAL_SHEETS, app_test, require
from tests.ingest_helpers import errors, parse, xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _real(name: str):
    path = REAL_SHEETS / name
    if not path.exists():
        require(f"real sheet {path} not available")
    return path


def _projects(url: str) -> pd.DataFrame:
    with store.get_engine(url).connect() as conn:
        return pd.read_sql(select(models.projects), conn).set_index("project_id")


@pytest.mark.parametrize(
    ("header", "factor"),
    [
        ("TOTAL Baseline Benefits (£m)", 1e6),
        ("Budget £000", 1e3),
        ("Budget (£'000)", 1e3),
        ("Cost ($ millions)", 1e6),
        ("Amounts in thousands", 1e3),
        ("Contingency £k", 1e3),
        ("Budget (m)", 1e6),
        ("Total cost ($M)", 1e6),
        ("EAC (USD m)", 1e6),
        ("Whole life cost (£bn)", 1e9),
        ("Budget", None),
        ("PM", None),
        ("Budget (£)", None),
    ],
)
def test_unit_read_from_header_words(header, factor):
    assert unit_in_text(header) == factor


@pytest.mark.slow
def test_gmpp_budget_in_pounds_with_gbp():
    parsed = parse(
        _real("uk_gmpp_2023.csv").read_bytes(),
        "uk_gmpp_2023.csv",
        report_date=date(2023, 3, 31),
        new_projects="create",
    )
    projects = parsed.frames["projects"].set_index("project_id")
    first = projects.loc["CO_0024_2021-Q2"]
    # the whole-life cost (wlc_baseline_incl_NCG, "34") is the budget at completion, not the
    # total_baseline of 7.9; both in £m, the unit of the sheet's benefits header
    assert first["budget"] == pytest.approx(34e6)
    assert set(projects["currency"]) == {"GBP"}
    benefits = projects["benefits_planned"].dropna()
    assert benefits.median() > 1e6  # "TOTAL Baseline Benefits (£m)" in pounds
    units = parsed.report.sheets[0].units
    assert units["TOTAL Baseline Benefits (£m)"].startswith("millions from header")
    assert units["wlc_baseline_incl_NCG"].startswith("millions from column")


def test_header_and_title_units_on_a_written_workbook():
    data = xlsx(
        {
            "Portfolio": [
                ["Quarterly return"],
                ["All figures in £ thousands"],
                [],
                ["Project ID", "Project Name", "Budget", "Contingency (£m)", "Benefits"],
                ["N-1", "One", 1200, 0.5, "2,000"],
                ["N-2", "Two", 800, 0.25, "1,500"],
            ]
        }
    )
    parsed = parse(data, new_projects="create")
    assert not errors(parsed.report)
    p = parsed.frames["projects"].set_index("project_id")
    assert p.loc["N-1", "budget"] == 1.2e6  # £ thousands from the title line
    assert p.loc["N-1", "contingency"] == 0.5e6  # its own header says £m
    assert p.loc["N-2", "benefits_planned"] == 1.5e6
    assert set(p["currency"]) == {"GBP"}


def _us_cli(url: str, *extra: str) -> int:
    return main(["ingest", str(_real("us_it_dashboard_2013.csv")), "--db", url,
                 "--report-date", "2013-06-30", "--create-projects", *extra])  # fmt: skip


@pytest.mark.slow
def test_us_it_dashboard_warns_about_the_unit_and_loads_dollars_with_unit(
    seeded_url, capsys, tmp_path
):
    dry = _us_cli(seeded_url, "--dry-run")
    out = capsys.readouterr().out
    assert dry == 0
    assert "unit: column 'PlannedCost' states no unit" in out
    assert "--unit 'PlannedCost=m'" in out
    assert _us_cli(seeded_url, "--unit", "PlannedCost=m", "--currency", "USD") == 0
    projects = _projects(seeded_url)
    first = projects.loc["657"]
    assert first["budget"] == pytest.approx(179_000.0) and first["currency"] == "USD"
    assert projects.loc["PRJ-0001", "currency"] == "GBP"  # the sample stays in pounds
    us = projects[projects["currency"] == "USD"]
    assert len(us) == 1547
    assert us["budget"].sum() == pytest.approx(19_650.668072e6)


def test_unit_question_on_the_cli_and_unit_option(seeded_url, tmp_path, capsys):
    path = tmp_path / "portfolio.xlsx"
    rows = [["Project ID", "Project Name", "Budget"]]
    rows += [[f"PRJ-000{i}", f"Sample {i}", b] for i, b in ((1, 7.9), (2, 3.2), (3, 12.5))]
    path.write_bytes(xlsx({"Projects": rows}))
    assert main(["ingest", str(path), "--db", seeded_url, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "[Projects] column 'Budget'" in out and "unit not stated" in out
    assert main(["ingest", str(path), "--db", seeded_url, "--unit", "budget=m"]) == 0
    assert _projects(seeded_url).loc["PRJ-0001", "budget"] == 7.9e6
    assert main(["ingest", str(path), "--db", seeded_url, "--unit", "Budget=q"]) == 2


def _upload_page(path_name: str, data: bytes):
    at = app_test().run()
    at.switch_page("pages/data/upload.py").run()
    at.file_uploader(key="upload_file").set_value((path_name, data, XLSX)).run()
    assert not at.exception, at.exception
    return at


def test_upload_page_asks_for_the_unit_per_column(seeded_url):
    rows = [["Project ID", "Project Name", "Budget", "Contingency"]]
    rows += [[f"PRJ-000{i}", f"Sample {i}", b, 0.4] for i, b in ((1, 7.9), (2, 3.2), (3, 12.5))]
    at = _upload_page("portfolio.xlsx", xlsx({"Projects": rows}))
    assert any("state no unit" in w.value for w in at.warning)
    question = at.selectbox(key="upload_unit::Budget")
    assert question.value is None
    question.set_value("m").run()
    assert not at.exception, at.exception
    preview = next(d.value for d in at.dataframe if "budget" in d.value.columns)
    assert list(preview["budget"]) == [7.9e6, 3.2e6, 12.5e6]
    assert list(preview["contingency"]) == [0.4e6] * 3  # same sheet, no unit of its own
    at.button(key="upload_commit").click().run()
    assert _projects(seeded_url).loc["PRJ-0002", "budget"] == 3.2e6


def test_migration_0003_fills_in_the_portfolio_currency(db_url):
    """A database at revision 0001 with a project stored without currency: upgrading fills it."""
    from datetime import UTC, datetime

    from sqlalchemy import insert, text

    from tests.migrations_helpers import at_revision

    with at_revision(db_url, "0001") as conn:
        conn.execute(insert(models.uploads).values(
            upload_id=1, file_name="old.xlsx", sha256="0" * 64, size_bytes=1, uploaded_by="t",
            uploaded_at=datetime.now(UTC), source="upload"))  # fmt: skip
        conn.execute(insert(models.projects).values(project_id="OLD-1", name="Old", upload_id=1))
        conn.execute(insert(models.projects).values(
            project_id="EUR-1", name="Euro", currency="EUR", upload_id=1))  # fmt: skip
    store.migrate(store.get_engine(db_url))
    with store.get_engine(db_url).connect() as conn:
        rows = dict(conn.execute(text("select project_id, currency from projects")).all())
    assert rows == {"OLD-1": "GBP", "EUR-1": "EUR"}


def test_any_known_currency_code_or_symbol_in_a_money_cell_reads_as_a_number():
    """The number rule strips every code of the one currency table, not only GBP, USD, EUR;
    the project's currency is the one the cells state (here CHF), never a hard-coded GBP."""
    book = xlsx(
        {
            "Projects": [
                ["Project ID", "Project Name", "Budget", "Start Date", "End Date"],
                ["C1", "Alps", "CHF 12.5m", date(2026, 1, 5), date(2026, 12, 18)],
                ["C2", "Lake", "CHF 3,400,000", date(2026, 2, 2), date(2026, 9, 30)],
            ]
        }
    )
    parsed = parse(book, new_projects="create")
    assert errors(parsed.report) == []
    projects = parsed.frames["projects"].set_index("project_id")
    assert list(projects["budget"]) == [12_500_000.0, 3_400_000.0]
    assert set(projects["currency"]) == {"CHF"}
