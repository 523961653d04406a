"""One escaping rule for text from data: markdown (ui.components.plain), plotly (chart_text),
and no raw markup from a hostile workbook on any page (AppTest over every page of app.py)."""

from __future__ import annotations

import io
import json
import re
from datetime import date

import plotly.graph_objects as go
import pytest
from openpyxl import Workbook

import store
from charts.template import chart_text
from data_loaders.ingest import Options, commit, known_projects, parse_file
from exports.png import with_footer
from tests.conftest import app_test
from ui import navigation
from ui.components import WORD_JOINER, plain

# --- the hostile workbook ------------------------------------------------------------------

IMG = "![x](http://evil.example/x.png)"
LINK = "[click](http://evil.example/)"
HTML = '<img src="http://evil.example/a.png">'
ANCHOR = '<a href="http://evil.example/a">a</a>'
BARE = "http://evil.example/bare"
BOLD = "**bold**"
B = "<b>b</b>"
F1 = '=HYPERLINK("http://evil.example","x")'
F2 = "+cmd|' /C calc'!A0"
EVIL = f"{IMG} {LINK} {HTML} {ANCHOR} {BARE} {BOLD} {B}"
# A file name keeps no folder (a "/" would cut it), so its markup has none.
FILE_NAME = "hostile ![x](evil.png) [mail](mailto:a@evil.example) **bold** <b>b www.evil.xlsx"
UPLOADED_BY = f"{B} {BARE}"
REVIEW = date(2026, 11, 20)  # the sample's last report date, so the hostile rows are current
HOSTILE_IDS = ["EVIL-1", "EVIL-2"]


def _book(sheets: dict[str, list[list]]) -> bytes:
    """A real workbook; text starting with '=' is stored as text (as a user typing '=… with a
    leading apostrophe gets), not as a formula without a cached value."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def hostile_workbook() -> bytes:
    d, prev, start, end = REVIEW, date(2026, 11, 13), date(2026, 1, 1), date(2027, 6, 30)
    return _book(
        {
            "Projects": [
                ["Project ID", "Project Name", "Portfolio", "Programme", "Sponsor",
                 "Project Manager", "Stage", "Budget", "Start Date", "End Date"],
                ["EVIL-1", f"Name {IMG} {B}", f"Pf {LINK}", f"Pg {HTML}", f"Sp {BARE}",
                 f"Mg {BOLD}", f"St {IMG}", 1_000_000, start, end],
                ["EVIL-2", F1, F2, f"Pg2 {BOLD} {ANCHOR}", f"Sp2 {LINK}", f"Mg2 {HTML}",
                 f"St2 {B}", 500_000, start, end],
            ],
            "Status": [
                ["Project ID", "Report Date", "Overall RAG", "Schedule", "Cost", "% Complete",
                 "PV", "EV", "AC", "Forecast End", "Summary", "Next Steps", "Decisions Needed",
                 "Reported By"],
                ["EVIL-1", prev, "Green", "Green", "Green", 30, 90_000, 80_000, 85_000, end,
                 EVIL, F1, F2, f"By {IMG} {BARE}"],
                ["EVIL-1", d, f"Red {BOLD} {LINK}", "Red", "Red", 40, 100_000, 80_000, 120_000,
                 end, f"Sum {EVIL}", F1, F2, f"By {IMG} {BARE}"],
                ["EVIL-2", d, B, "Amber", "Red", 40, 100_000, 80_000, 120_000, end, F2, BOLD,
                 B, F1],
            ],
            "Risks": [
                ["Project ID", "Risk ID", "Risk", "Description", "Category", "Owner", "Status",
                 "Likelihood", "Impact", "Cost Impact", "Due", "Report Date"],
                ["EVIL-1", "R1", f"Risk {IMG} {LINK}", HTML, f"Cat {B}", f"Own {BARE}", "Open",
                 5, 5, 900_000, date(2026, 10, 1), d],
                ["EVIL-2", "R2", F1, F2, F2, F1, "Open", 4, 4, 50_000, date(2026, 10, 1), d],
            ],
            "Milestones": [
                ["Project ID", "Milestone ID", "Milestone", "Baseline", "Forecast", "Actual",
                 "Status", "Gate?", "Report Date"],
                ["EVIL-1", "M1", f"Ms {ANCHOR} {B}", date(2026, 6, 1), date(2026, 12, 1), None,
                 "At risk", "Yes", prev],
                ["EVIL-1", "M1", f"Ms {ANCHOR} {B}", date(2026, 6, 1), date(2027, 1, 1), None,
                 "At risk", "Yes", d],
            ],
            "Decisions": [
                ["Project ID", "Decision ID", "Forum", "Decision Date", "Decision", "Rationale",
                 "Decided By"],
                ["EVIL-1", "D1", f"Board {LINK}", date(2026, 11, 2), "go", F1, f"{B} {BARE}"],
            ],
        }
    )  # fmt: skip


def load_hostile(url: str) -> None:
    """Load the hostile workbook through the real ingest, as an upload."""
    engine = store.get_engine(url)
    options = Options(new_projects="create")
    parsed = parse_file(FILE_NAME, hostile_workbook(), known_projects(engine), options=options)
    report = commit(engine, parsed, UPLOADED_BY, source="upload")
    assert report.status == "loaded", [p.message for p in report.all_problems]
    engine.dispose()


def app_pages() -> list[str]:
    """Script paths of every page in the menu, "" for the start page (the root)."""
    return ["" if s == navigation.START else s for s in navigation.SCRIPTS]


@pytest.fixture
def hostile_url(seeded_url) -> str:
    """The sample portfolio plus two hostile projects, loaded from a real upload."""
    load_hostile(seeded_url)
    return seeded_url


# --- the markdown rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("PRJ-0010 · Data Platform", "PRJ-0010 · Data Platform"),
        ("Portfolio: Customer & Growth", "Portfolio\\: Customer \\& Growth"),
        (IMG, "\\!\\[x\\](http\\:\u2060//evil.example/x.png)"),
        (LINK, "\\[click\\](http\\:\u2060//evil.example/)"),
        (B, "\\<b\\>b\\</b\\>"),
        (BOLD, "\\*\\*bold\\*\\*"),
        ("&lt;img&gt;", "\\&lt;img\\&gt;"),  # an entity stays as typed, not a decoded <img>
        (BARE, "http\\:\u2060//evil.example/bare"),
        ("see www.evil.example", "see www\u2060.evil.example"),
        ("mail a@evil.example", "mail a@\u2060evil.example"),
        (":material/home: :red[x]", "\\:\u2060material/home\\: \\:\u2060red\\[x\\]"),
        ("- item", "\\- item"),
        ("12. item", "12\\. item"),
        ("=SUM(A1)", "\\=SUM(A1)"),
        ("one\n# two\n===", "one \\# two ==="),
    ],
)
def test_plain_escapes_every_markdown_construct(text, expected):
    assert plain(text) == expected


def test_plain_leaves_no_link_pattern_that_streamlit_autolinks():
    """GFM autolinks and :material: icons run on the text after escapes are resolved: the
    resolved text must not contain a scheme, www. or an e-mail address."""
    out = plain(f"{EVIL} www.evil.example x@evil.example :material/home:")
    resolved = re.sub(r"\\(.)", r"\1", out)  # what the markdown renderer sees after escapes
    assert not re.search(r"https?://|www\.|@[\w-]+\.|:material/", resolved)
    assert resolved.replace(WORD_JOINER, "") == " ".join(
        f"{EVIL} www.evil.example x@evil.example :material/home:".split()
    )


# --- the plotly rule -----------------------------------------------------------------------


def test_chart_text_escapes_plotly_markup():
    assert chart_text(ANCHOR) == '&lt;a href="http://evil.example/a"&gt;a&lt;/a&gt;'
    assert chart_text("R&D <b>x</b>") == "R&amp;D &lt;b&gt;x&lt;/b&gt;"
    assert chart_text("&lt;b&gt;") == "&amp;lt;b&amp;gt;"  # shown as typed, not decoded
    assert chart_text("Data Platform · £1.2m") == "Data Platform · £1.2m"


def test_milestone_names_are_escaped_and_kept_out_of_hover_templates():
    """A name in a hovertemplate would be read as markup and as %{…} placeholders."""
    import pandas as pd

    from charts.project import milestone_trend

    days = pd.to_datetime(["2026-11-13", "2026-11-20"])
    trend = pd.DataFrame(
        {
            "milestone_id": ["M1", "M1"],
            "name": ["%{y} <b>b</b>"] * 2,
            "report_date": days,
            "due": pd.to_datetime(["2026-12-01", "2027-01-01"]),
            "original_baseline": pd.to_datetime(["2026-06-01"] * 2),
            "baseline_date": pd.to_datetime(["2026-06-01", "2026-07-01"]),
            "rebaselined": [False, True],
            "slip_days": [183, 214],
        }
    )
    fig = milestone_trend(trend)
    for trace in fig.data[:2]:  # the milestone's line and its baseline
        assert trace.name == "M1 %{y} &lt;b&gt;b&lt;/b&gt;"
    for trace in fig.data[:3]:  # … and its re-baseline marker: the name is in customdata
        assert "%{y} " not in trace.hovertemplate and "<b>" not in trace.hovertemplate
        assert "M1 %{y} &lt;b&gt;b&lt;/b&gt;" in str(trace.customdata[0])


def test_png_footer_escapes_the_source():
    fig = go.Figure(layout={"title": {"text": "RAG trend"}})
    out = with_footer(fig, "2026-11-20", f"status reports ({FILE_NAME}) {ANCHOR}")
    footer = out.layout.title.subtitle.text  # the as-of/source line under the title
    assert "<a " not in footer and "&lt;a" in footer
    assert footer.startswith("as of 2026-11-20 · source: ")


# --- every page on the hostile database ----------------------------------------------------

# What markdown would act on once escaped characters (backslash pairs) are taken out.
RAW_MARKUP = ["<img", "<a ", "<b>", "**bold", "![", "](", "http://", "www.", "@evil"]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)


def _page_texts(at) -> tuple[list[str], list[str]]:
    """Markdown-rendered texts and plotly figure strings of an AppTest run."""
    md = []
    for kind in ("markdown", "caption", "header", "subheader", "title", "error", "warning",
                 "info", "success"):  # fmt: skip
        md += [e.value for e in at.get(kind)]
    for metric in at.get("metric"):
        md += [metric.label, metric.value, metric.proto.delta or ""]
    md += [e.label for e in at.get("expander")] + [e.label for e in at.get("tab")]
    md += [e.proto.label for e in at.get("download_button")]
    plot = []
    for chart in at.get("plotly_chart"):
        plot += list(_strings(json.loads(chart.proto.spec)))
    return md, plot


@pytest.mark.slow
def test_no_raw_markup_from_data_on_any_page(hostile_url):
    at = app_test()
    at.run()
    visits = [(p, {}) for p in app_pages() if p]
    visits += [("pages/portfolio/project.py", {"project": pid}) for pid in HOSTILE_IDS]
    seen_md, seen_plot = [], []
    for path, params in [("", {}), *visits]:
        at.query_params.clear()
        at.query_params.update(params)
        if path:
            at.switch_page(path)
        at.run()
        assert not at.exception, (path, at.exception)
        md, plot = _page_texts(at)
        for text in md:
            unescaped = re.sub(r"\\.", "", text)
            assert not any(m in unescaped for m in RAW_MARKUP), (path, text)
        for text in plot:
            assert not any(m in text for m in ["<img", "<a ", "<b>b</b>"]), (path, text)
        seen_md += md
        seen_plot += plot
    # The hostile text is there, escaped (so the checks above are not vacuous).
    assert any("\\*\\*bold\\*\\*" in t for t in seen_md)
    assert any("Pf \\[click\\]" in t for t in seen_md)
    assert any("&lt;b&gt;b&lt;/b&gt;" in t for t in seen_plot)
