"""Registers without ids, likelihood marks and half points, opportunities (issue 26, parts 6 and
"Risk registers"): real workbooks written with openpyxl, loaded into a real SQLite database."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

import models
import store
from analytics import risk
from config import get_config
from data_loaders import registers
from tests.conftest import REAL_SHEETS
from tests.ingest_helpers import errors, load, parse, xlsx

REPORT = date(2026, 11, 20)
NEXT = date(2026, 11, 27)
KNOWN = {"P1": "Alpha"}
RISK_HEADER = ["Project ID", "Risk", "Owner", "Likelihood", "Impact", "Status"]
RISKS = [
    ["P1", "Supplier delivers late", "Ann", 4, 3, "Open"],
    ["P1", "Key engineer leaves", "Bob", 2, 5, "Open"],
]


def _warnings(report) -> list[str]:
    return [p.message for p in report.all_problems if p.severity == "warning"]


# --- generated ids ------------------------------------------------------------------------------


def test_normal_title_ignores_case_spaces_and_punctuation():
    assert registers.normal_title("  Supplier   delivers LATE!! ") == "supplier delivers late"
    assert registers.normal_title("Café – délai") == "café délai"
    same = registers.generated_id("risks", "P1", "Supplier delivers late")
    assert same == registers.generated_id("risks", "P1", "supplier delivers, late.")
    assert same != registers.generated_id("risks", "P2", "Supplier delivers late")
    assert same.startswith("R-") and len(same) == 10
    assert registers.generated_id("risks", "P1", "  ") is None


def test_a_risk_register_without_ids_loads_with_generated_ids():
    parsed = parse(xlsx({"Risks": [RISK_HEADER, *RISKS]}), known=KNOWN, report_date=REPORT)
    assert parsed.report.status == "valid", errors(parsed.report)
    ids = list(parsed.frames["risks"]["risk_id"])
    assert ids == [
        registers.generated_id("risks", "P1", "Supplier delivers late"),
        registers.generated_id("risks", "P1", "Key engineer leaves"),
    ]
    said = [w for w in _warnings(parsed.report) if w.startswith("no id column")]
    assert said and "R- and 8 characters of a hash" in said[0]


def test_next_weeks_upload_of_the_same_register_updates_instead_of_duplicating(sqlite_url):
    engine = store.get_engine(sqlite_url)
    first = xlsx({"Risks": [RISK_HEADER, *RISKS]})
    result, _ = load(sqlite_url, first, report_date=REPORT, new_projects="create")
    assert result.status == "loaded"
    # a week later: retyped titles (case, spaces, punctuation) and one new risk
    week2 = [
        ["P1", "supplier  delivers late.", "Ann", 3, 3, "Open"],
        ["P1", "KEY ENGINEER LEAVES", "Bob", 2, 5, "Closed"],
        ["P1", "Budget cut", "Cy", 2, 2, "Open"],
    ]
    result, _ = load(sqlite_url, xlsx({"Risks": [RISK_HEADER, *week2]}), report_date=NEXT)
    assert result.status == "loaded"
    frames = store.read_frames(engine)
    reg = frames["risks"]
    assert reg.groupby("risk_id", observed=True).size().to_dict() == {
        registers.generated_id("risks", "P1", "Supplier delivers late"): 2,
        registers.generated_id("risks", "P1", "Key engineer leaves"): 2,
        registers.generated_id("risks", "P1", "Budget cut"): 1,
    }
    # what changed between the two weeks: one new risk, not three
    moves = risk.new_and_closed(reg, REPORT, NEXT, get_config().risk, "low")
    assert list(moves["change"]).count("new") == 1, moves
    assert set(moves[moves["change"] == "new"]["risk_id"]) == {
        registers.generated_id("risks", "P1", "Budget cut")
    }


def test_two_rows_with_the_same_title_are_a_duplicate():
    rows = [*RISKS, ["P1", "Supplier delivers LATE", "Cy", 1, 1, "Open"]]
    parsed = parse(xlsx({"Risks": [RISK_HEADER, *rows]}), known=KNOWN, report_date=REPORT)
    dup = [p for p in parsed.report.all_problems if p.message.startswith("duplicate key")]
    assert {p.row for p in dup} == {2, 4}
    assert all("same title" in p.message for p in dup)
    assert list(parsed.frames["risks"]["title"]) == ["Key engineer leaves"]


@pytest.mark.parametrize(
    ("sheet", "header", "row", "table", "prefix"),
    [
        ("RAID", ["Project ID", "Type", "Description", "Owner"],
         ["P1", "Issue", "Test rig broken", "Ann"], "raid_items", "RAID-"),
        ("Decision log", ["Project ID", "Decision", "Decision Date", "Rationale"],
         ["P1", "Go", REPORT, "Business case approved"], "decisions", "DEC-"),
        ("Milestones", ["Project ID", "Milestone", "Baseline", "Forecast"],
         ["P1", "Design complete", REPORT, NEXT], "milestones", "MS-"),
        ("Benefits", ["Project ID", "Benefit", "Measure", "Baseline", "Target"],
         ["P1", "Fewer calls", "calls/week", 900, 600], "benefits", "B-"),
    ],
)  # fmt: skip
def test_every_register_kind_gets_stable_ids(sheet, header, row, table, prefix):
    data = xlsx({sheet: [header, row]})
    first = parse(data, known=KNOWN, report_date=REPORT)
    assert first.report.status == "valid", errors(first.report)
    ids = list(first.frames[table].iloc[:, 1])
    id_col = registers.ID_FIELD[table]
    ids = list(first.frames[table][id_col])
    assert ids[0].startswith(prefix)
    # the same row two rows lower (a row added above it) keeps its id
    again = parse(xlsx({sheet: [header, [None] * len(header), row]}), known=KNOWN,
                  report_date=REPORT)  # fmt: skip
    assert list(again.frames[table][id_col]) == ids


def test_a_register_with_ids_keeps_them():
    header = ["Risk ID", *RISK_HEADER]
    rows = [["R7", *RISKS[0]], ["R9", *RISKS[1]]]
    parsed = parse(xlsx({"Risks": [header, *rows]}), known=KNOWN, report_date=REPORT)
    assert list(parsed.frames["risks"]["risk_id"]) == ["R7", "R9"]
    assert not [w for w in _warnings(parsed.report) if w.startswith("no id column")]


# --- likelihood and impact ----------------------------------------------------------------------


def test_half_point_likelihoods_load_as_written_and_sit_in_the_rounded_cell(sqlite_url):
    rows = [["P1", "A", "Ann", 1.5, 2, "Open"], ["P1", "B", "Bob", 2.5, 4.5, "Open"]]
    parsed = parse(xlsx({"Risks": [RISK_HEADER, *rows]}), known=KNOWN, report_date=REPORT)
    assert parsed.report.status == "valid", errors(parsed.report)
    assert list(parsed.frames["risks"]["likelihood"]) == [1.5, 2.5]
    result, _ = load(sqlite_url, xlsx({"Risks": [RISK_HEADER, *rows]}), report_date=REPORT,
                     new_projects="create")  # fmt: skip
    assert result.status == "loaded"
    reg = risk.with_scores(store.read_frames(store.get_engine(sqlite_url))["risks"],
                           get_config().risk)  # fmt: skip
    assert sorted(reg["likelihood"]) == [1.5, 2.5] and sorted(reg["score"]) == [3.0, 11.25]
    cells = risk.matrix_cells(reg, get_config().risk).set_index(["likelihood", "impact"])
    assert cells.loc[(2, 2), "risks"] == 1 and cells.loc[(3, 5), "risks"] == 1  # half up
    assert list(risk.cell_risks(reg, 3, 5)["title"]) == ["B"]
    # a probability between the configured points of 2 and 3
    prob = {int(k): v for k, v in get_config().risk.probability.items()}
    b = reg.set_index("title").loc["B", "probability"]
    assert b == pytest.approx((prob[2] + prob[3]) / 2)


def test_likelihood_out_of_range_still_skips_its_row():
    rows = [*RISKS, ["P1", "C", "Cy", 7, 2, "Open"]]
    parsed = parse(xlsx({"Risks": [RISK_HEADER, *rows]}), known=KNOWN, report_date=REPORT)
    assert parsed.report.rows_skipped == 1 and len(parsed.frames["risks"]) == 2


def _marked_register(points: list, marks: list[tuple[str, int, int]], merged: bool = True):
    """A register whose likelihood and impact are marked by an X under five point columns."""
    top = ["ID", "Risk", "Likelihood", None, None, None, None, "Impact", None, None, None, None,
           "Owner"]  # fmt: skip
    second = [None, None, *points, *points, None]
    rows = [top, second]
    for i, (title, lik, imp) in enumerate(marks, 1):
        cells = [None] * 10
        cells[lik - 1] = "X"
        cells[5 + imp - 1] = "x" if i % 2 else "✓"
        rows.append([f"K{i}", title, *cells, "Ann"])
    return xlsx({"Risk matrix": rows}, {"Risk matrix": ["C1:G1", "H1:L1"]} if merged else None)


@pytest.mark.parametrize(
    "points",
    [
        [1, 2, 3, 4, 5],
        ["1", "2", "3", "4", "5"],
        ["Very low", "Low", "Medium", "High", "Very high"],
        ["Rare", "Unlikely", "Possible", "Likely", "Almost certain"],
    ],
)
def test_likelihood_and_impact_marked_by_an_x_in_five_columns(points):
    marks = [("Supplier late", 4, 3), ("Engineer leaves", 2, 5), ("Budget cut", 1, 1)]
    parsed = parse(_marked_register(points, marks), project_id="P1", known=KNOWN,
                   report_date=REPORT)  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    sheet = parsed.report.sheets[0]
    assert sheet.kind == "risks"  # an X-matrix register is a risk register, not issues
    reg = parsed.frames["risks"].set_index("title")
    assert reg.loc["Supplier late", ["likelihood", "impact"]].tolist() == [4, 3]
    assert reg.loc["Engineer leaves", ["likelihood", "impact"]].tolist() == [2, 5]
    assert reg.loc["Budget cut", ["likelihood", "impact"]].tolist() == [1, 1]
    assert "raid_items" not in parsed.frames


def test_an_x_matrix_with_a_type_column_loads_risks_not_issues():
    top = ["Ref", "Description", "Type", "Probability", None, None, None, None, "Impact", None,
           None, None, None, "Action owner"]  # fmt: skip
    second = [None, None, None, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, None]
    row = ["1", "Server room floods", "Threat", None, "X", None, None, None, None, None, None,
           "X", None, "Ops"]  # fmt: skip
    data = xlsx({"Issues and risks": [top, second, row]},
                {"Issues and risks": ["D1:H1", "I1:M1"]})  # fmt: skip
    parsed = parse(data, project_id="P1", known=KNOWN, report_date=REPORT)
    assert parsed.report.sheets[0].kind == "risks", parsed.report.sheets[0].reason
    got = parsed.frames["risks"].iloc[0]
    assert (got.likelihood, got.impact, bool(got.opportunity)) == (2, 4, False)


def test_an_x_matrix_log_with_word_points_loads_risks_not_issues():
    """The walkthrough's register: headings over a row of labels whose point columns are words,
    in a sheet called "Log" with ID, Description and Type (a RAID log's words): it loaded as
    three issues with no scores."""
    top = [None, None, None, "Likelihood", None, None, None, None, "Impact", None, None, None,
           None, None]  # fmt: skip
    labels = ["ID", "Description", "Type", "Rare", "Unlikely", "Possible", "Likely",
              "Almost certain", "Insignificant", "Minor", "Moderate", "Major", "Catastrophic",
              "Owner"]  # fmt: skip

    def marks(lik: int, imp: int) -> list:
        return ["X" if p == lik else None for p in range(1, 6)] + [
            "X" if p == imp else None for p in range(1, 6)
        ]

    rows = [
        ["1", "Server room floods", "Threat", *marks(2, 4), "Ops"],
        ["2", "Supplier insolvent", "Threat", *marks(4, 5), "Buyer"],
        ["3", "Reuse of platform", "Opportunity", *marks(3, 3), "Arch"],
    ]
    data = xlsx({"Log": [top, labels, *rows]}, {"Log": ["D1:H1", "I1:M1"]})
    parsed = parse(data, project_id="P1", known=KNOWN, report_date=REPORT)
    assert parsed.report.sheets[0].kind == "risks" and "raid_items" not in parsed.frames
    reg = parsed.frames["risks"].set_index("title")
    assert reg.loc["Server room floods", ["likelihood", "impact"]].tolist() == [2, 4]
    assert reg.loc["Supplier insolvent", ["likelihood", "impact"]].tolist() == [4, 5]
    assert reg.loc["Reuse of platform", ["likelihood", "impact"]].tolist() == [3, 3]
    assert reg["opportunity"].tolist() == [False, False, True]


def test_two_marks_in_one_set_leave_the_score_empty_with_a_warning():
    data = _marked_register([1, 2, 3, 4, 5], [("A", 2, 3)])
    import io

    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(data))
    wb["Risk matrix"]["F3"] = "X"  # a second likelihood mark (point 4)
    buf = io.BytesIO()
    wb.save(buf)
    parsed = parse(buf.getvalue(), project_id="P1", known=KNOWN, report_date=REPORT)
    got = parsed.frames["risks"].iloc[0]
    assert pd.isna(got.likelihood) and got.impact == 3
    assert any("marked in 2 columns (2, 4)" in w for w in _warnings(parsed.report))


# --- opportunities ------------------------------------------------------------------------------


def test_a_negative_impact_loads_as_an_opportunity():
    rows = [*RISKS, ["P1", "Cheaper licences", "Cy", 3, -2, "Open"]]
    parsed = parse(xlsx({"Risks": [RISK_HEADER, *rows]}), known=KNOWN, report_date=REPORT)
    assert parsed.report.status == "valid", errors(parsed.report)
    reg = parsed.frames["risks"].set_index("title")
    assert reg.loc["Cheaper licences", "impact"] == 2
    assert bool(reg.loc["Cheaper licences", "opportunity"]) is True
    assert reg["opportunity"].isna().sum() == 2  # the threats say nothing either way
    assert any("negative impact load as opportunities" in w for w in _warnings(parsed.report))


def test_a_type_column_saying_opportunity_flags_the_risk_and_keeps_it_out_of_exposure():
    header = ["Project ID", "Risk", "Type", "Likelihood", "Impact", "Cost impact"]
    rows = [
        ["P1", "Vendor bankrupt", "Threat", 4, 4, 100_000],
        ["P1", "Grant funding", "Opportunity", 3, 3, -50_000],
    ]
    parsed = parse(xlsx({"Risk register": [header, *rows]}), known=KNOWN, report_date=REPORT)
    assert parsed.report.status == "valid", errors(parsed.report)
    reg = parsed.frames["risks"].set_index("title")
    assert reg["opportunity"].tolist() == [False, True]
    assert reg.loc["Grant funding", "category"] == "Opportunity"
    assert reg.loc["Grant funding", "cost_impact"] == 50_000
    frame = models.conform("risks", parsed.frames["risks"])
    scored = risk.with_scores(frame, get_config().risk).set_index("title")
    assert scored.loc["Grant funding", "exposure"] == 0
    assert scored.loc["Vendor bankrupt", "exposure"] > 0


# --- the real registers -------------------------------------------------------------------------


def _real(name: str) -> bytes:
    path = REAL_SHEETS / name
    if not path.exists():
        pytest.skip(f"the real sheets are not here ({REAL_SHEETS})")
    return path.read_bytes()


def test_real_titled_register_keeps_its_own_ids():
    parsed = parse(_real("risk_register_titled.xlsx"), name="risk_register_titled.xlsx",
                   new_projects="create")  # fmt: skip
    assert parsed.report.status == "valid", errors(parsed.report)
    assert list(parsed.frames["risks"]["risk_id"]) == ["1", "2", "3", "4", "5"]


def test_real_raid_log_loads_the_same_with_and_without_its_id_columns():
    """The RAID log's sheets with their ID column removed: every row still loads, once, under a
    generated id, as many as under its own ids. (Its Assumptions sheet, left with two columns of
    which one is known, is not found as a table without its ID: table finding, not ids.)"""
    import io

    from openpyxl import load_workbook

    original = _real("raid_log_four_sheets.xlsx")
    wb = load_workbook(io.BytesIO(original))
    for ws in wb:
        ws.delete_cols(1)
    buf = io.BytesIO()
    wb.save(buf)
    with_ids = parse(original, name="raid.xlsx", project_id="P1", known=KNOWN,
                     report_date=REPORT)  # fmt: skip
    without = parse(buf.getvalue(), name="raid.xlsx", project_id="P1", known=KNOWN,
                    report_date=REPORT)  # fmt: skip
    assert without.report.status == "valid", errors(without.report)
    for name in ("Risks", "Issues", "Dependencies"):
        (a,) = [s.rows_loaded for s in with_ids.report.sheets if s.sheet == name]
        (b,) = [s.rows_loaded for s in without.report.sheets if s.sheet == name]
        assert a == b > 0
    assert without.frames["risks"]["risk_id"].str.startswith("R-").all()
    assert without.frames["raid_items"]["item_id"].str.startswith("RAID-").all()
