"""Every page, the project page and the deck on partial databases: no traceback, a plain
message where there is nothing to show, never a blank page or a blank chart.

The pages are read from ui/navigation.py, so a page added there is covered without editing
this file.
The databases are cut from the sample and written through store.write_batch (see
``partial_db_file`` in conftest.py)."""

from __future__ import annotations

import io
import shutil

import plotly.io as pio
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

import store
from analytics import portfolio
from analytics.review import Review
from charts.governance import NOTHING_SCORED
from charts.health import NO_VALUE_SCORES
from charts.template import has_points
from config import get_config
from exports.__main__ import main as export_cli
from exports.deck import DeckError, build_deck, plan_slides
from exports.png import with_footer
from tests.conftest import PARTIAL_DBS, PARTIAL_PROJECT, app_test
from ui import navigation

PAGES = navigation.SCRIPTS
NO_REPORTS = ("empty", "projects_only")
# Forms and the admin pages: work on any database.
NEEDS_NO_DATA = {
    "pages/data/upload.py",
    "pages/data/sources.py",
    "pages/admin/roles.py",
    "pages/admin/audit.py",
}

# What a page must say on a database that lacks what it shows: (database, page) -> text of an
# info box. Every other page/database pair is only checked for no error and no blank chart.
EXPECTED = {
    **{("empty", p): "no status reports yet" for p in PAGES if p not in NEEDS_NO_DATA},
    **{
        ("projects_only", p): "no status report has been loaded yet"
        for p in PAGES
        if p not in NEEDS_NO_DATA | {"pages/portfolio/project.py"}
    },
    ("no_decisions", "pages/portfolio/governance.py"): "No decisions recorded yet",
    ("no_risks", "pages/portfolio/risks.py"): "No risk register has been uploaded",
    ("no_milestones", "pages/portfolio/governance.py"): "No milestone plans uploaded",
    ("one_week", "pages/review/this_week.py"): "first review on record",
    ("one_week", "pages/portfolio/risks.py"): "first review date",
    ("rag_only", "pages/portfolio/governance.py"): "No project can be scored yet",
    ("rag_only", "pages/review/health.py"): "No business value scores",
    ("thin_registers", "pages/portfolio/risks.py"): "No risk has both an inherent and a residual",
    ("rag_only", "pages/portfolio/roadmap.py"): "nothing to draw on the roadmap",
    ("thin_registers", "pages/portfolio/roadmap.py"): "nothing to draw on the roadmap",
}
# The view of a page that shows what EXPECTED looks for (the page opens on another view).
VIEW = {
    ("no_decisions", "pages/portfolio/governance.py"): {"view": "log"},
    ("no_milestones", "pages/portfolio/governance.py"): {"view": "gates"},
}
PROJECT_EXPECTED = {
    "empty": "no status reports yet",
    "projects_only": f"No status reports for {PARTIAL_PROJECT}",
    "one_report": f"No milestone plan for {PARTIAL_PROJECT}",
    "no_decisions": f"No gate or board decisions for {PARTIAL_PROJECT}",
    "no_risks": f"No risk register for {PARTIAL_PROJECT}",
    "no_milestones": f"No milestone plan for {PARTIAL_PROJECT}",
    "rag_only": (
        f"No earned value in the status reports of {PARTIAL_PROJECT}",
        f"No risk register for {PARTIAL_PROJECT}",
    ),
}

# Error details in AppTest exceptions, so a failure shows its traceback (the app hides them).
pytestmark = [
    pytest.mark.usefixtures("full_error_details"),
    pytest.mark.slow,
]  # slow: not in test-fast


@pytest.fixture
def full_error_details():
    from streamlit import config

    before = config.get_option("client.showErrorDetails")
    config.set_option("client.showErrorDetails", "full")
    yield
    config.set_option("client.showErrorDetails", before)


def _leaves(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict) and children:
        for child in children.values():
            yield from _leaves(child)
    else:
        yield node


def assert_renders(at, expected: str | tuple[str, ...] | None) -> None:
    """No exception or error box, something besides headings, no chart drawn empty, and the
    expected plain message."""
    assert not at.exception, "\n".join(
        e.message + "\n" + "\n".join(e.stack_trace) for e in at.exception
    )
    assert not at.error, [e.value for e in at.error]
    shown = [
        n for n in _leaves(at.main) if n.type not in ("title", "caption", "subheader", "markdown")
    ]
    assert shown, "the page shows nothing but headings"
    for chart in at.get("plotly_chart"):
        fig = pio.from_json(chart.proto.spec)
        assert has_points(fig), f"blank chart: {fig.layout.title.text!r}"
    infos = " | ".join(i.value for i in at.info)
    for text in (expected,) if isinstance(expected, str) else expected or ():
        assert text in infos, infos


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.removeprefix("pages/").removesuffix(".py"))
@pytest.mark.parametrize("partial_url", PARTIAL_DBS, indirect=True)
def test_page_renders_on_partial_database(partial_url, page, request):
    db = request.node.callspec.params["partial_url"]
    at = app_test()
    at.query_params.update(VIEW.get((db, page), {}))
    at = at.switch_page(page).run()
    assert_renders(at, EXPECTED.get((db, page)))


@pytest.mark.parametrize("view", ["gates", "log", "compliance"])
@pytest.mark.parametrize("partial_url", PARTIAL_DBS, indirect=True)
def test_governance_views_on_partial_database(partial_url, view):
    """The views the governance page does not open on (its default is the quadrant)."""
    at = app_test()
    at.query_params["view"] = view
    assert_renders(at.switch_page("pages/portfolio/governance.py").run(), None)


@pytest.mark.parametrize("partial_url", PARTIAL_DBS, indirect=True)
def test_project_page_by_url_on_partial_database(partial_url, request):
    db = request.node.callspec.params["partial_url"]
    at = app_test()
    at.query_params["project"] = PARTIAL_PROJECT
    at = at.switch_page("pages/portfolio/project.py").run()
    assert_renders(at, PROJECT_EXPECTED.get(db))
    if db != "empty":
        assert at.header[0].value.startswith(PARTIAL_PROJECT)


def test_every_page_is_covered():
    assert len(PAGES) >= 9 and "pages/portfolio/project.py" in PAGES


# Sections written as native slides need no browser; the chart sections are planned (figures
# built, footers added, JSON valid) and rendered for real only in the test below.
NATIVE = ["headline", "changes", "roadmap", "red_projects", "quality"]


@pytest.mark.parametrize("partial_url", PARTIAL_DBS, indirect=True)
def test_deck_on_partial_database(partial_url, request, tmp_path, capsys):
    db = request.node.callspec.params["partial_url"]
    frames = store.read_frames(store.get_engine(partial_url))
    dates = portfolio.review_dates(frames["status_reports"])
    if db in NO_REPORTS:
        with pytest.raises(DeckError, match="no status reports"):
            build_deck(Review(frames, get_config(), "2026-11-20"), sections=NATIVE)
        out = tmp_path / "x.pptx"
        assert export_cli(["deck", "--db", partial_url, "--out", str(out), "--quiet"]) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: ") and err.count("\n") == 1 and not out.exists()
        return
    review = dates[-1]
    rv = Review(frames, get_config(), review)
    prs = Presentation(io.BytesIO(build_deck(rv, sections=NATIVE)))
    titles = [s.shapes.title.text for s in prs.slides]
    assert {"Headline figures", "What changed", "Data quality"} <= set(titles)
    for slide in plan_slides(rv):
        if slide.fig is not None:  # a chart with nothing to plot becomes a text slide
            assert has_points(slide.fig), f"blank chart slide: {slide.title}"
            with_footer(slide.fig, str(review.date()), slide.source or rv.source).to_json()


def test_deck_with_charts_on_the_thinnest_database(partial_db_file, chromium, tmp_path, capsys):
    # Real Chromium: a portfolio known only by ids, names and an overall RAG. Charts with
    # something to plot are pictures; the two with nothing to plot are text slides saying why.
    path = tmp_path / "rag_only.db"
    shutil.copy(partial_db_file("rag_only"), path)
    out = tmp_path / "rag_only.pptx"
    code = export_cli(["deck", "--db", f"sqlite:///{path}", "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    slides = {s.shapes.title.text: s for s in Presentation(str(out)).slides if s.shapes.title}
    assert "Portfolio health: RAG by portfolio" in slides
    pictures = [
        sh
        for sh in slides["Portfolio health: RAG by portfolio"].shapes
        if sh.shape_type == MSO_SHAPE_TYPE.PICTURE
    ]
    assert pictures, "RAG by portfolio should be a chart: projects without one are counted"
    for title, why in (
        ("Governance vs execution: value against delivery health", NOTHING_SCORED),
        ("Portfolio health: Value versus risk (bubble size = budget)", NO_VALUE_SCORES),
    ):
        text = " ".join(sh.text_frame.text for sh in slides[title].shapes if sh.has_text_frame)
        assert why in text, title
