"""The roadmap (issue 22): analytics.roadmap on hand-made frames and on the sample, the chart,
the Roadmap page in AppTest (every project named, or its programme at scale; the view in the
URL; picks and the chip) and the deck's "what slipped since last review" slide."""

from __future__ import annotations

import html
import io
import json

import pandas as pd
import pytest
from pptx import Presentation

from analytics import roadmap as rm
from analytics.review import Review
from charts import roadmap as charts
from charts.template import has_points
from config import Config, Roadmap, get_config, parse_config
from exports.deck import ROADMAP_TITLE, build_deck
from tests.conftest import app_test
from tests.exports.test_deck_text_fit import deck_problems

REVIEW = "2026-11-20"
PAGE = "pages/portfolio/roadmap.py"
D = pd.Timestamp


def _snap(**cols) -> pd.DataFrame:
    """A snapshot of three projects with the columns the roadmap reads."""
    base = {
        "project_id": ["P1", "P2", "P3"],
        "name": ["Alpha", "Beta", "Gamma"],
        "portfolio": ["Ops", "Ops", None],
        "programme": ["North", "South", None],
        "manager": ["A", "B", "C"],
        "stage": ["Execution"] * 3,
        "display_rag": ["Green", "Red", "Amber"],
        "start_date": [D("2026-01-01"), D("2026-03-01"), D("2026-02-01")],
        "end_date": [D("2026-12-31"), D("2027-03-01"), pd.NaT],
        "forecast_end": [D("2026-12-31"), D("2027-06-09"), D("2027-01-01")],
        "budget": [1e6, 3e6, 2e6],
        "currency": ["GBP"] * 3,
    }
    base.update(cols)
    return pd.DataFrame(base)


# --- analytics ----------------------------------------------------------------------------------


def test_slip_in_days_and_share_of_the_planned_duration_and_its_band():
    rows = rm.rows(_snap(), Config()).set_index("project_id")
    assert rows.loc["P1", "slip_days"] == 0 and rows.loc["P1", "slip_band"] == rm.ON_TIME
    # P2: baseline 2027-03-01, forecast 2027-06-09: 100 days late of a 365-day plan
    assert rows.loc["P2", "slip_days"] == 100
    assert rows.loc["P2", "slip_share"] == pytest.approx(100 / 365)
    assert rows.loc["P2", "slip_band"] == "Late over 90 days"
    assert pd.isna(rows.loc["P3", "slip_days"]) and rows.loc["P3", "slip_band"] == rm.NO_BASELINE
    # a project without a programme is named, never dropped
    assert rows.loc["P3", "group"] == "(no programme)"
    assert rows["drawn"].all()


def test_slip_bands_follow_the_setting():
    assert rm.slip_bands((30, 90)) == [
        rm.ON_TIME, "Late 1–30 days", "Late 31–90 days", "Late over 90 days", rm.NO_BASELINE
    ]  # fmt: skip
    bands = rm.slip_band(pd.Series([-3.0, 0.0, 1.0, 7.0, 8.0, float("nan")]), (7,))
    assert bands.tolist() == [
        rm.ON_TIME, rm.ON_TIME, "Late 1–7 days", "Late 1–7 days", "Late over 7 days",
        rm.NO_BASELINE,
    ]  # fmt: skip


def test_a_bar_needs_both_ends_the_right_way_round():
    snap = _snap(
        start_date=[pd.NaT, D("2026-03-01"), D("2027-05-01")],
        forecast_end=[D("2026-12-31"), pd.NaT, D("2027-01-01")],
    )
    assert not rm.rows(snap, Config())["drawn"].any()


@pytest.mark.parametrize(
    "key,order",
    [
        ("start", ["P1", "P3", "P2"]),
        ("slip", ["P2", "P1", "P3"]),  # no baseline: no slip, last
        ("budget", ["P2", "P3", "P1"]),
        ("rag", ["P2", "P3", "P1"]),
    ],
)
def test_sort_keys_within_groups(key, order):
    one_group = _snap(portfolio=["Ops"] * 3)
    rows = rm.sort_rows(rm.rows(one_group, Config(), "portfolio"), key)
    assert rows["project_id"].tolist() == order


def test_groups_sort_by_name_with_the_unnamed_last():
    rows = rm.sort_rows(rm.rows(_snap(), Config(), "programme"), "start")
    assert rows["group"].tolist() == ["North", "South", "(no programme)"]


def test_summary_per_group_spans_earliest_start_to_latest_end_with_worst_rag():
    snap = _snap(programme=["North", "North", "South"])
    s = rm.summary(rm.rows(snap, Config())).set_index("group")
    assert s.loc["North", "start"] == D("2026-01-01")
    assert s.loc["North", "forecast_end"] == D("2027-06-09")
    assert s.loc["North", "display_rag"] == "Red" and s.loc["North", "projects"] == 2
    assert s.loc["North", "late"] == 1 and s.loc["North", "worst_slip"] == 100
    assert s.loc["South", "display_rag"] == "Amber"


def test_grouped_above_the_setting_and_charts_hold_at_most_chart_rows():
    ids = [f"P{i:03d}" for i in range(25)]
    snap = pd.concat([_snap()] * 9, ignore_index=True).head(25)
    snap = snap.assign(project_id=ids, programme="North")
    config = Config(roadmap=Roadmap(group_above=24, chart_rows=10))
    road = rm.roadmap(snap, config, "programme", "start")
    assert road.grouped
    parts = road.charts_of("North")
    assert [len(r) for _, _, _, r in parts] == [10, 10, 5]
    assert [(p, n) for _, p, n, _ in parts] == [(1, 3), (2, 3), (3, 3)]
    assert not rm.roadmap(snap, Config(), "programme", "start").grouped  # 25 <= 60


def _milestones(rows: list[tuple]) -> pd.DataFrame:
    cols = ["project_id", "milestone_id", "report_date", "name", "baseline_date",
            "forecast_date", "actual_date", "status", "is_gate"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols)


def test_milestone_states():
    review = D("2026-11-20")
    first, last = D("2026-06-05"), D("2026-11-20")
    ms = _milestones(
        [
            # M1: a gate done and approved; M2: a gate done, no decision; M3: overdue
            ("P1", "M1", last, "Gate 1: Case", D("2026-03-01"), D("2026-03-01"),
             D("2026-03-01"), "Complete", True),
            ("P1", "M2", last, "Gate 2: Design", D("2026-06-01"), D("2026-06-01"),
             D("2026-06-01"), "Complete", True),
            ("P1", "M3", last, "Build", D("2026-10-01"), D("2026-10-01"), pd.NaT, "Late", False),
            # M4: baseline 2027-01-01 first, moved: slipped; M5: due on plan
            ("P1", "M4", first, "Test", D("2027-01-01"), D("2027-01-01"), pd.NaT, "", False),
            ("P1", "M4", last, "Test", D("2027-02-01"), D("2027-02-01"), pd.NaT, "", False),
            ("P1", "M5", last, "Go-live", D("2027-05-01"), D("2027-05-01"), pd.NaT, "", False),
            # another project's milestone is not asked for
            ("P9", "M1", last, "Gate 1", D("2026-03-01"), D("2026-03-01"), pd.NaT, "", True),
        ]
    )  # fmt: skip
    decisions = pd.DataFrame(
        {
            "project_id": ["P1", "P1"],
            "decision_id": ["D1", "D2"],
            "forum": ["Gate 1", "Gate 2"],
            "decision_date": [D("2026-03-02"), D("2026-06-02")],
            "decision": ["Go", "Hold"],
        }
    )
    marks = rm.marks({"milestones": ms, "decisions": decisions}, ["P1"], review, Config())
    state = dict(zip(marks["milestone_id"], marks["state"], strict=True))
    assert state == {
        "M1": rm.APPROVED, "M2": rm.DONE, "M3": rm.OVERDUE, "M4": rm.SLIPPED, "M5": rm.DUE
    }  # fmt: skip
    m4 = marks.set_index("milestone_id").loc["M4"]
    assert m4["baseline"] == D("2027-01-01") and m4["slip_days"] == 31


def test_slipped_since_lists_forecast_ends_moved_later_most_first():
    before = _snap(forecast_end=[D("2026-12-01"), D("2027-06-01"), D("2027-02-01")])
    now = _snap()
    out = rm.slipped_since(now, before)
    assert out["project_id"].tolist() == ["P1", "P2"]  # P3 moved earlier
    assert out["moved_days"].tolist() == [30, 8]
    assert rm.slipped_since(now, None).empty


def test_roadmap_settings_are_checked():
    assert parse_config({"roadmap": {"slip_band_days": [14]}}).roadmap.slip_band_days == (14,)
    for bad in ({"slip_band_days": [90, 30]}, {"slip_band_days": [0]}, {"chart_rows": 0},
                {"slip_band_days": []}, {"rows": 3}):  # fmt: skip
        with pytest.raises(ValueError):
            parse_config({"roadmap": bad})


@pytest.fixture(scope="module")
def review(frames) -> Review:
    return Review(frames, get_config(), REVIEW)


def test_every_project_of_the_sample_is_a_row_and_a_bar(review):
    road = review.roadmap("programme", "slip")
    assert sorted(road.rows["project_id"]) == sorted(review.snapshot["project_id"].astype(str))
    assert road.rows["drawn"].all() and not road.grouped  # 60 projects: not above 60
    marks = review.roadmap_marks
    assert {rm.APPROVED, rm.DONE, rm.DUE, rm.SLIPPED} <= set(marks["state"])
    bands = rm.slip_bands(review.config.roadmap.slip_band_days)
    drawn = set()
    for _, _, _, rows in road.charts_of(None):
        assert len(rows) <= review.config.roadmap.chart_rows
        fig = charts.timeline(rows, marks, bands, "t", review.review_date, D("2026-12-07"))
        assert has_points(fig)
        drawn |= {y for t in fig.data if t.type == "bar" for y in t.y}
        # every name in full on hover, the RAG icon before each name on the axis
        names = {html.unescape(c[1]) for t in fig.data if t.type == "bar" for c in t.customdata}
        assert names == set(rows["name"])
        assert all(text[0] in "■▲●○" for text in fig.layout.yaxis.ticktext)
    assert drawn == set(road.rows["project_id"])


def test_the_same_figures_as_the_deck_read(review):
    """One review model: the page's rows and the deck's slips come from it."""
    assert review.roadmap("programme", "start") is review.roadmap("programme", "start")
    slips = review.roadmap_slips
    assert not slips.empty and (slips["moved_days"] > 0).all()


# --- the page -----------------------------------------------------------------------------------


def _charts(at) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def _ys(spec: dict) -> set[str]:
    bars = [t for t in spec["data"] if t.get("type") == "bar"]
    return {html.unescape(str(y)) for t in bars for y in (t.get("y") or [])}


@pytest.fixture
def run(seeded_url):
    def go(**params):
        at = app_test()
        at.query_params.update(params)
        at = at.switch_page(PAGE).run()
        assert not at.exception, [e.message for e in at.exception]
        return at

    return go


def test_the_page_names_every_project_in_view(run, review):
    at = run()
    drawn = set().union(*(_ys(s) for s in _charts(at)))
    assert drawn == set(review.snapshot["project_id"].astype(str))
    assert any("60 projects in view" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert len(table) == 60


def test_the_view_and_the_pick_round_trip_through_the_url(run):
    at = run(roadmap_group="portfolio", roadmap_sort="slip", roadmap_pick=["PRJ-0008", "nope"])
    assert at.segmented_control(key="roadmap_group").value == "portfolio"
    assert at.segmented_control(key="roadmap_sort").value == "slip"
    # an id not in view is dropped
    assert at.query_params["roadmap_pick"] in ("PRJ-0008", ["PRJ-0008"])
    table = at.dataframe[0].value
    assert len(table) == 1 and table["name"].iloc[0]
    titles = {s["layout"]["title"]["text"] for s in _charts(at)}
    assert "Digital &amp; Technology" in " ".join(titles)  # grouped by portfolio, escaped
    chip = next(b for b in at.button if b.label.startswith("✕ Picked on the chart"))
    at = chip.click().run()
    assert "roadmap_pick" not in at.query_params and len(at.dataframe[0].value) == 60
    at.segmented_control(key="roadmap_sort").set_value("start").run()
    assert "roadmap_sort" not in at.query_params  # the default is left out


def test_at_scale_one_bar_per_programme_opens_into_its_projects(run, review, tmp_path, monkeypatch):
    path = tmp_path / "pmo_lens.toml"
    path.write_text("[roadmap]\ngroup_above = 20\n")
    monkeypatch.setenv("PMO_CONFIG", str(path))
    at = run()
    specs = _charts(at)
    programmes = set(review.snapshot["programme"].astype(str))
    assert len(specs) == 1 and _ys(specs[0]) == programmes
    assert any("Open a programme above" in i.value for i in at.info)
    at = run(roadmap_open="Cloud Migration")
    ids = set(review.snapshot.loc[review.snapshot["programme"] == "Cloud Migration",
                                  "project_id"].astype(str))  # fmt: skip
    assert set().union(*(_ys(s) for s in _charts(at))) == ids
    assert set(at.dataframe[0].value["name"]) == set(
        review.snapshot.loc[review.snapshot["programme"] == "Cloud Migration", "name"]
    )


# --- the deck -----------------------------------------------------------------------------------


def _slide_text(slide) -> str:
    parts = []
    for shape in slide.shapes:
        if shape.has_table:
            parts += [c.text for row in shape.table.rows for c in row.cells]
        elif shape.has_text_frame:
            parts.append(shape.text_frame.text)
    return " ".join(parts)


def test_the_deck_slide_lists_what_slipped_since_last_review(review):
    data = build_deck(review, sections=["roadmap"])
    assert not deck_problems(data)
    slides = [s for s in Presentation(io.BytesIO(data)).slides
              if s.shapes.title.text.startswith(ROADMAP_TITLE)]  # fmt: skip
    text = " ".join(_slide_text(s) for s in slides)
    for r in review.roadmap_slips.itertuples():
        assert r.project_id in text and f"+{r.moved_days:.0f} days" in text
    first = Review(review.frames, review.config, REVIEW, compare_date=None)
    data = build_deck(first, sections=["roadmap"])
    last = list(Presentation(io.BytesIO(data)).slides)[-1]
    assert "First review" in _slide_text(last)


def test_the_long_names_deck_slide_fits(long_names_db_file, tmp_path):
    import shutil

    import store

    path = tmp_path / "long.db"
    shutil.copy(long_names_db_file, path)
    frames = store.read_frames(store.get_engine(f"sqlite:///{path}"))
    rv = Review(frames, get_config(), REVIEW, compare_date="2026-08-21")
    assert len(rv.roadmap_slips) > 0
    problems = deck_problems(build_deck(rv, sections=["roadmap"]))
    assert not problems, "\n".join(map(str, problems))


# --- Portfolio health: its group charts filter its table ------------------------------------------


def test_a_pick_on_portfolio_health_filters_the_exceptions_and_the_chip_clears_it(seeded_url):
    at = app_test()
    at.query_params.update({"health_portfolio": "Digital & Technology", "health_rag": "Red"})
    at = at.switch_page("pages/review/health.py").run()
    assert not at.exception, [e.message for e in at.exception]
    table = at.dataframe[0].value
    assert len(table) >= 1 and set(table["display_rag"]) == {"■ Red"}
    chip = next(b for b in at.button if b.label.startswith("✕ Only portfolio"))
    assert "Digital & Technology, Red" in chip.label.replace("\\", "")
    at = chip.click().run()
    assert "health_portfolio" not in at.query_params and "health_rag" not in at.query_params
    assert len(at.dataframe[0].value) > len(table)
    # a stale link (no such programme) is dropped, never an empty table without a reason
    at = app_test()
    at.query_params["health_programme"] = "Nowhere"
    at = at.switch_page("pages/review/health.py").run()
    assert "health_programme" not in at.query_params
    assert not [b for b in at.button if b.label.startswith("✕ Only")]


def test_picked_names_the_projects_of_one_bar():
    from analytics.portfolio import picked

    snap = _snap()
    assert picked(snap, "portfolio", "Ops").tolist() == ["P1", "P2"]
    assert picked(snap, "portfolio", "Ops", "Red").tolist() == ["P2"]
    assert picked(snap, "programme", "(no programme)").tolist() == ["P3"]
