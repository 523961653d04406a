"""AppTest for the landing page: seeded sample, first week, empty database."""

from tests.conftest import app_test


def _texts(at) -> str:
    return " ".join(str(e.value) for e in [*at.info, *at.caption, *at.markdown])


def test_this_week_on_the_sample(seeded_url):
    at = app_test().run()
    assert not at.exception
    assert at.title[0].value == "This week"
    assert [s.value for s in at.subheader] == ["Needs attention", "What changed", "For the minutes"]
    tiles = {m.label: m for m in at.metric}
    assert tiles["Red (reported)"].value == "6" and tiles["Amber (reported)"].value == "3"
    assert "Open high+ risks" in tiles and "Total EAC" in tiles
    compare = at.selectbox(key="compare_to_2026-11-20")
    assert str(compare.value.date()) == "2026-11-13"
    assert len(at.dataframe) == 2  # needs attention, what changed
    changes = at.dataframe[1].value
    assert changes["link"].str.startswith("project?project=PRJ-").all()
    assert changes["link"].str.endswith("&date=2026-11-20&compare=2026-11-13").all()
    narrative = at.code[0].value
    assert narrative.startswith("Review of 2026-11-20 compared with 2026-11-13: 60 projects")
    assert "1 project turned Red: Inventory Visibility Phase 2 (PRJ-0056)" in narrative
    # Comparing with four weeks earlier shows the projects that stopped reporting since.
    compare.set_value(at.selectbox(key="compare_to_2026-11-20").options[3]).run()
    assert not at.exception
    assert "3 projects stopped reporting" in at.code[0].value


def test_this_week_first_week(seeded_url):
    at = app_test().run()
    oldest = at.sidebar.selectbox(key="date").options[-1]
    at.sidebar.selectbox(key="date").set_value(oldest).run()
    assert not at.exception
    assert "first review on record" in _texts(at)
    assert "nothing to compare with" in at.code[0].value
    assert all(not m.delta for m in at.metric)  # no change shown in the first week
    assert not [s for s in at.selectbox if s.label == "Compare with"]


def test_this_week_empty_database(empty_url):
    at = app_test().run()
    assert not at.exception
    assert "no status reports yet" in _texts(at)
    assert at.button(key="load_sample")
    at.button(key="load_sample").click().run()
    assert not at.exception
    assert at.code[0].value.startswith("Review of 2026-11-20")


def _sidebar_notes(at) -> str:
    return " ".join(c.value for c in at.sidebar.caption)


def test_filters_offer_only_what_the_other_filters_leave(seeded_url):
    at = app_test().run()
    assert len(at.sidebar.multiselect(key="programme").options) == 8
    at.sidebar.multiselect(key="portfolio").set_value(["Digital & Technology"]).run()
    assert not at.exception
    # Only the programmes of that portfolio are offered (main offered all 8).
    programmes = at.sidebar.multiselect(key="programme").options
    assert programmes == ["Cloud Migration", "Data & Analytics"]
    at.sidebar.multiselect(key="programme").set_value(["Cloud Migration"]).run()
    # And the portfolio list follows the programme in turn.
    assert at.sidebar.multiselect(key="portfolio").options == ["Digital & Technology"]
    assert "No projects match these filters" not in _texts(at)


def test_a_filter_value_that_no_longer_fits_is_dropped_with_a_note(seeded_url):
    at = app_test().run()
    both = ["Customer & Growth", "Digital & Technology"]
    at.sidebar.multiselect(key="portfolio").set_value(both).run()
    at.sidebar.multiselect(key="programme").set_value(["New Markets"]).run()
    assert at.sidebar.multiselect(key="programme").value == ["New Markets"]
    # Taking Customer & Growth out leaves New Markets without a project: it goes, with a note.
    at.sidebar.multiselect(key="portfolio").set_value(["Digital & Technology"]).run()
    assert not at.exception
    assert at.sidebar.multiselect(key="portfolio").value == ["Digital & Technology"]
    assert at.sidebar.multiselect(key="programme").value == []
    assert "Programme New Markets taken out" in _sidebar_notes(at)
    assert "No projects match these filters" not in _texts(at)
    assert "programme" not in at.query_params


def test_a_link_with_filters_that_clash_keeps_the_broader_one(seeded_url):
    # A programme from another portfolio: main showed "No projects match these filters".
    at = app_test()
    at.query_params["portfolio"] = "Digital & Technology"
    at.query_params["programme"] = "New Markets"
    at.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="portfolio").value == ["Digital & Technology"]
    assert at.sidebar.multiselect(key="programme").value == []
    assert "Programme New Markets taken out" in _sidebar_notes(at)
    assert "No projects match these filters" not in _texts(at)


def test_compare_date_is_shared_by_the_pages_and_kept_in_the_url(seeded_url):
    at = app_test().run()
    compare = at.sidebar.selectbox(key="compare_to_2026-11-20")
    compare.set_value(compare.options[3]).run()  # four weeks before the review date
    assert at.query_params["compare"] in ("2026-10-23", ["2026-10-23"])
    at.switch_page("pages/review/health.py").run()
    assert not at.exception
    assert "compared with 2026-10-23" in at.caption[0].value
    at.switch_page("pages/portfolio/risks.py").run()
    assert not at.exception
    assert any("Between 2026-10-23 and 2026-11-20" in c.value for c in at.caption)

    linked = app_test()
    linked.query_params["compare"] = "2026-10-23"
    linked.run()
    assert str(linked.sidebar.selectbox(key="compare_to_2026-11-20").value.date()) == "2026-10-23"
    assert linked.code[0].value.startswith("Review of 2026-11-20 compared with 2026-10-23")


def test_project_links_keep_the_whole_view(seeded_url):
    # Main kept only project and date: the compare date and the filters were lost.
    at = app_test()
    at.query_params["compare"] = "2026-10-23"
    at.query_params["portfolio"] = "Digital & Technology"
    at.run()
    links = at.dataframe[0].value["link"]
    assert len(links) and links.str.startswith("project?project=PRJ-").all()
    view = "&date=2026-11-20&compare=2026-10-23&portfolio=Digital%20%26%20Technology"
    assert links.str.endswith(view).all(), links.iloc[0]
    # A link opened in a new session shows the same view.
    opened = app_test()
    first = links.iloc[0].split("=")[1].split("&")[0]
    view = {"date": "2026-11-20", "compare": "2026-10-23", "portfolio": "Digital & Technology"}
    for key, value in {"project": first, **view}.items():
        opened.query_params[key] = value
    opened.switch_page("pages/portfolio/project.py").run()
    assert not opened.exception
    assert opened.sidebar.multiselect(key="portfolio").value == ["Digital & Technology"]
    assert str(opened.sidebar.selectbox(key="compare_to_2026-11-20").value.date()) == "2026-10-23"


def test_both_red_counts_are_named_and_linked(seeded_url):
    # Main: "Red 6" here and "computed Red: 10" on Governance, neither saying which is which.
    at = app_test().run()
    gap = next(c.value for c in at.caption if "Red (computed)" in c.value)
    assert "Red (reported): 6" in gap and "watermelon" in gap
    link = at.get("page_link")[0].proto
    assert link.page == "governance"
    assert link.query_string == "date=2026-11-20&compare=2026-11-13"  # the view travels
    at.switch_page("pages/portfolio/governance.py").run()
    assert not at.exception
    assert any(gap == c.value for c in at.caption)  # the same sentence on both pages
    assert any("Red (computed): **" in m.value for m in at.markdown)
    back = next(p.proto for p in at.get("page_link") if "reported" in p.proto.label)
    assert back.query_string == "date=2026-11-20&compare=2026-11-13"


def test_the_read_ahead_leaves_the_landing_page_nothing_to_compute(seeded_url):
    """What the server reads ahead (ui.data.read_ahead) is the review a first viewer's landing
    page uses, and every result the page shows is already in it."""
    from ui import data
    from ui.context import CONTEXT_KEY

    key = data.read_ahead()
    made = data.default_review(*key)
    computed = set(vars(made))
    assert {"headline", "needs_attention", "narrative"} <= computed
    at = app_test().run()
    assert not at.exception
    assert data.review(at.session_state[CONTEXT_KEY]) is made  # the page's review
    assert set(vars(made)) == computed  # the page computed nothing more


def test_nothing_is_read_ahead_for_an_empty_database(empty_url):
    from ui import data

    assert data.default_review(*data.read_ahead()) is None
    at = app_test().run()
    assert not at.exception
