"""View state in the URL (ui.url_state): the Risks page's filters, assessment and chosen cell,
and This week's change kinds survive a reload (a new AppTest with the same query string);
changing a widget writes the URL; hostile or stale values are ignored."""

from __future__ import annotations

import re

import pytest

import store
from analytics import portfolio, risk
from config import get_config
from tests.conftest import app_test

RISKS = "pages/portfolio/risks.py"


def risks_page(params: dict | None = None):
    """The Risks page opened with ``params`` in the URL (a reload of a shared link)."""
    at = app_test()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(RISKS).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def changes_listed(at) -> int:
    """Rows of the What changed table (the one with a Change kind column)."""
    return next(len(d.value) for d in at.dataframe if "direction" in d.value.columns)


def this_week(params: dict | None = None):
    at = app_test()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def url(at, key: str) -> list[str]:
    """The values of ``?key=`` (AppTest keeps one value as a string, several as a list)."""
    value = at.query_params.get(key)
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def register(seeded_url):
    frames = store.read_frames(store.get_engine(seeded_url))
    config = get_config()
    date = portfolio.review_dates(frames["status_reports"])[-1]
    snap = portfolio.snapshot(frames, date, config)
    return risk.register_on(frames["risks"], date, config.risk, snap["project_id"]), config


def in_view(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Risks in view"))


@pytest.mark.slow
def test_risk_view_round_trips_through_the_url(seeded_url):
    reg, config = register(seeded_url)
    open_reg = risk.RiskFilter().apply(reg)
    category = open_reg["category"].value_counts().index[0]
    owner = open_reg[open_reg["category"] == category]["owner"].value_counts().index[0]
    cells = risk.matrix_cells(
        risk.RiskFilter(categories=[category]).apply(reg), config.risk, "residual"
    )
    cell = cells.sort_values("risks", ascending=False).iloc[0]
    chosen = f"{cell.likelihood},{cell.impact}"

    # Set the widgets: the URL follows.
    at = risks_page()
    assert not {"risk_category", "risk_basis", "risk_cell"} & set(at.query_params)
    at.multiselect(key="risk_category").set_value([category]).run()
    at.radio(key="risk_basis").set_value("residual").run()
    at.selectbox(key="risk_cell").set_value(chosen).run()
    assert not at.exception
    assert url(at, "risk_category") == [category]
    assert url(at, "risk_basis") == ["residual"]
    assert url(at, "risk_cell") == [chosen]
    shown = in_view(at)

    # A reload with that URL shows the same view.
    params = {k: url(at, k) for k in ("date", "risk_category", "risk_basis", "risk_cell")}
    again = risks_page(params)
    assert again.multiselect(key="risk_category").value == [category]
    assert again.radio(key="risk_basis").value == "residual"
    assert again.selectbox(key="risk_cell").value == chosen
    assert in_view(again) == shown
    heading = f"Risks in cell: likelihood {cell.likelihood} × impact {cell.impact} (residual)"
    assert heading in [s.value for s in again.subheader]
    assert len(again.dataframe[0].value) == cell.risks

    # Owner and status filters too; back at the defaults the parameters go.
    again.multiselect(key="risk_owner").set_value([owner]).run()
    again.multiselect(key="risk_status").set_value(["Closed"]).run()
    assert url(again, "risk_owner") == [owner] and url(again, "risk_status") == ["Closed"]
    reload = risks_page({k: url(again, k) for k in ("risk_owner", "risk_status")})
    assert reload.multiselect(key="risk_owner").value == [owner]
    assert reload.multiselect(key="risk_status").value == ["Closed"]
    reload.multiselect(key="risk_owner").set_value([]).run()
    reload.multiselect(key="risk_status").set_value([]).run()
    reload.radio(key="risk_basis").set_value("inherent").run()
    assert not {"risk_owner", "risk_status", "risk_basis"} & set(reload.query_params)


def test_cell_picker_count_follows_the_assessment(seeded_url):
    """The picker's label (the count in the cell) is sent to the browser again when the
    assessment changes, and matches the rows listed: it said "8 risks" over 7 before."""
    reg, config = register(seeded_url)
    open_reg = risk.RiskFilter().apply(reg)
    inherent = risk.matrix_cells(open_reg, config.risk, "inherent").set_index(
        ["likelihood", "impact"]
    )["risks"]
    residual = risk.matrix_cells(open_reg, config.risk, "residual").set_index(
        ["likelihood", "impact"]
    )["risks"]
    differs = [k for k in inherent.index if inherent[k] != residual[k] and residual[k] > 0]
    assert differs, "the sample should have a cell whose count differs between assessments"
    li, im = differs[0]
    at = risks_page({"risk_cell": f"{li},{im}"})
    assert f"{inherent[(li, im)]} risk" in at.selectbox(key="risk_cell").proto.raw_value

    at.radio(key="risk_basis").set_value("residual").run()
    picker = at.selectbox(key="risk_cell")
    # set_value: the browser replaces the label it shows with this one.
    assert picker.proto.set_value
    count = int(re.search(r"(\d+) risks?$", picker.proto.raw_value).group(1))
    assert count == residual[(li, im)] == len(at.dataframe[0].value)


@pytest.mark.parametrize(
    "params",
    [
        {"risk_basis": "<script>alert(1)</script>", "risk_cell": "9,9"},
        {"risk_basis": "Residual", "risk_cell": "4;3", "risk_owner": ["", "x" * 5000]},
        {"risk_category": ["no such category", "%00"], "risk_status": "=HYPERLINK(1)"},
        {"risk_cell": ["", "1,1,1"], "risk_basis": ["", "inherent", "residual"]},
    ],
)
@pytest.mark.slow
def test_hostile_or_stale_url_values_are_ignored(seeded_url, params):
    at = risks_page(params)
    assert [t.value for t in at.title] == ["Risks"]
    assert at.multiselect(key="risk_category").value == []
    assert at.multiselect(key="risk_owner").value == []
    assert at.multiselect(key="risk_status").value == []
    assert at.selectbox(key="risk_cell").value is None
    assert at.radio(key="risk_basis").value == "inherent"  # the first valid value, or the default
    assert not any("Risks in cell" in s.value for s in at.subheader)
    # The URL is rewritten from the widgets: the bad values are gone.
    for key in ("risk_category", "risk_owner", "risk_status", "risk_cell", "risk_basis"):
        assert key not in at.query_params
    assert not at.warning


def test_this_week_change_kinds_round_trip(seeded_url):
    at = this_week()
    kinds = at.button_group[0]
    every = list(kinds.value)
    assert len(every) >= 2 and "change_kinds" not in at.query_params
    listed = changes_listed(at)

    kinds.set_value(every[:1]).run()
    assert not at.exception
    assert url(at, "change_kinds") == [every[0]]
    only = changes_listed(at)
    assert 0 < only < listed

    again = this_week({"change_kinds": [every[0]]})
    assert again.button_group[0].value == [every[0]]
    assert changes_listed(again) == only

    # Nothing chosen is a view of its own (?change_kinds=), not "everything".
    again.button_group[0].set_value([]).run()
    assert url(again, "change_kinds") == [""]
    empty = this_week({"change_kinds": ""})
    assert empty.button_group[0].value == []
    assert changes_listed(empty) == 0

    # Every kind again: the parameter goes; a kind that is not offered is ignored.
    again.button_group[0].set_value(every).run()
    assert "change_kinds" not in again.query_params
    hostile = this_week({"change_kinds": ["bogus", "<b>x</b>"]})
    assert hostile.button_group[0].value == every
    assert "change_kinds" not in hostile.query_params


def test_every_change_kind_stays_chosen_when_the_compare_date_changes(seeded_url):
    """ "Everything" follows the kinds on offer: a kind that appears with another compare date
    is shown, not left unchosen; a narrowed choice stays narrowed."""
    at = this_week()
    before = list(at.button_group[0].value)
    compare = at.sidebar.selectbox(key="compare_to_2026-11-20")
    compare.set_value(compare.options[4]).run()  # 2026-10-16: more kinds of change
    after = at.button_group[0]
    assert len(after.options) > len(before)
    assert len(after.value) == len(after.options)
    assert "change_kinds" not in at.query_params
    after.set_value(["rag", "risk"]).run()
    compare.set_value(compare.options[6]).run()
    assert at.button_group[0].value == ["rag", "risk"]
    assert url(at, "change_kinds") == ["rag", "risk"]


def test_new_and_closed_band_round_trip(seeded_url):
    at = risks_page()
    band = at.selectbox(key="risk_change_band")
    default = band.value
    lower = band.options[0]
    assert lower != default and "risk_change_band" not in at.query_params
    band.set_value(lower).run()
    assert url(at, "risk_change_band") == [lower]
    caption = next(c.value for c in at.caption if c.value.startswith("Between"))
    assert f"at or above {lower}" in caption

    again = risks_page({"risk_change_band": lower})
    assert again.selectbox(key="risk_change_band").value == lower
    assert next(c.value for c in again.caption if c.value.startswith("Between")) == caption
    stale = risks_page({"risk_change_band": "catastrophic"})  # a band the config lacks
    assert stale.selectbox(key="risk_change_band").value == default
    assert "risk_change_band" not in stale.query_params
