"""People (issue 22): one row per project manager and per sponsor with their load, the
overloaded ones flagged, a chosen person's projects; names as loaded without roles, e-mails
from manager_email or a pm grant with them. Analytics on hand-made frames and the sample; the
page under AppTest on the sample."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest
from sqlalchemy import text

import store
from access.grants import grant
from access.roles import Identity
from analytics import people
from analytics.review import Review
from config import Config, People, get_config
from tests.conftest import app_test

PAGE = "pages/portfolio/people.py"
REVIEW = pd.Timestamp("2026-11-20")
CONFIG = replace(Config(), people=People(max_active_projects=2, red_projects_flag=2))


def load_frame() -> pd.DataFrame:
    """Five projects: Ann has three (two Red, one in dollars), Bob one, one has no manager."""
    rows = [
        ("P1", "Ann", "Sue", "ann@example.org", "Red", 100.0, "GBP", "on time", 2, 1, 0),
        ("P2", "Ann", "Sue", None, "Red", 50.0, "GBP", "late", 0, 3, 1),
        ("P3", "Ann", "Tom", None, "Amber", 10.0, "USD", "not reported", 1, 0, 2),
        ("P4", "Bob", "Tom", None, "Green", 5.0, "GBP", "on time", 0, 0, 0),
        ("P5", "(no manager)", "Tom", None, "Grey", 1.0, "GBP", "not reported", 0, 0, 0),
    ]
    cols = ["project_id", "manager", "sponsor", "manager_email", "display_rag", "budget",
            "currency", "reporting", "high_risks", "overdue_items",
            "overdue_milestones"]  # fmt: skip
    return pd.DataFrame(rows, columns=cols).assign(name=lambda d: "Project " + d["project_id"])


def test_one_row_per_manager_with_counts_money_per_currency_and_flags():
    got = people.by_person(load_frame(), "manager", CONFIG).set_index("person")
    assert list(got.index) == ["Ann", "(no manager)", "Bob"]  # flagged first, then by Red
    ann = got.loc["Ann"]
    assert (ann["active_projects"], ann["red"], ann["amber"]) == (3, 2, 1)
    assert ann["reports_late"] == 2  # late and not reported both count
    assert (ann["high_risks"], ann["overdue_items"], ann["overdue_milestones"]) == (3, 4, 3)
    # pounds never added to dollars (no rate): one figure per currency, no single total
    assert ann["budget_text"] == "£150 · $10" and pd.isna(ann["budget"])
    assert got.loc["Bob", "budget"] == 5.0
    # over 2 active projects and 2 Red: both reasons, with the shape, not colour alone
    assert ann["flag"] == "⚠ 3 active projects, over 2; 2 Red projects" and ann["flagged"]
    assert got.loc["Bob", "flag"] == "" and not got.loc["Bob", "flagged"]
    assert ann["email"] == "ann@example.org" and got.loc["Bob", "email"] == ""


def test_sponsors_get_the_same_view():
    got = people.by_person(load_frame(), "sponsor", CONFIG).set_index("person")
    assert got.loc["Tom", "active_projects"] == 3 and got.loc["Sue", "red"] == 2
    assert got.loc["Tom", "flag"] == "⚠ 3 active projects, over 2"
    assert (got["email"] == "").all()  # a sponsor's address is not in the project list


def test_a_pm_grant_gives_the_address_where_none_is_recorded():
    load = load_frame()
    found = people.by_person(load, "manager", CONFIG)
    grants = pd.DataFrame(
        {"principal": ["bob@example.org", "sub:12345", "ann.other@example.org"],
         "project_id": ["P4", "P4", "P1"]}
    )  # fmt: skip
    got = people.with_grants(found, load, grants).set_index("person")["email"]
    assert got["Bob"] == "bob@example.org"  # a subject is not an address
    assert got["Ann"] == "ann@example.org"  # the recorded manager_email wins
    assert people.with_grants(found, load, grants.iloc[:0]).equals(found)


def test_names_as_loaded_and_a_blank_one():
    snap = pd.DataFrame({"manager": ["  Ann ", None, ""], "sponsor": [None, "X", "X"]})
    assert people._names(snap, "manager").tolist() == ["Ann", "(no manager)", "(no manager)"]
    assert people._names(snap.drop(columns="sponsor"), "sponsor").tolist() == ["(no sponsor)"] * 3


def test_overdue_milestones_read_the_latest_plan():
    ms = pd.DataFrame(
        {
            "project_id": ["P1"] * 4 + ["P2"],
            "milestone_id": ["M1", "M2", "M1", "M2", "M1"],
            "report_date": pd.to_datetime(["2026-11-06"] * 2 + ["2026-11-13"] * 2 + ["2026-11-13"]),
            "forecast_date": pd.to_datetime(
                ["2026-11-01", "2026-11-02", "2026-12-01", "2026-11-02", None]
            ),
            "baseline_date": pd.to_datetime(["2026-10-01"] * 4 + ["2026-11-01"]),
            "actual_date": pd.to_datetime([None] * 5),
            "status": [None, None, None, "Complete", None],
        }
    )
    got = people.overdue_milestones(ms, REVIEW)
    # P1's latest plan: M1 moved out, M2 done by status; P2: the baseline date has passed
    assert got.to_dict() == {"P1": 0.0, "P2": 1.0}


def test_projects_of_a_person_worst_first():
    got = people.projects_of(load_frame(), "manager", "Ann")
    assert got["project_id"].tolist() == ["P1", "P2", "P3"]


# --- the sample -------------------------------------------------------------------------------


def review(url: str) -> Review:
    return Review(store.read_frames(store.get_engine(url)), get_config(), REVIEW)


def test_sample_every_manager_once_with_the_review_counts(seeded_url):
    rv = review(seeded_url)
    managers = rv.managers
    snap = rv.snapshot
    assert sorted(managers["person"]) == sorted(snap["manager"].dropna().unique())
    assert managers["active_projects"].sum() == len(snap)
    assert managers["red"].sum() == (snap["display_rag"] == "Red").sum()
    assert managers["high_risks"].sum() == (rv.open_risks["band"].isin(["high", "critical"]).sum())
    assert managers["overdue_items"].sum() == rv.raid_log["overdue"].sum()
    # the sample's busiest manager (7 projects) is over the default 6
    maya = managers.set_index("person").loc["Maya Singh"]
    assert maya["flag"].startswith("⚠ 7 active projects") and maya["email"]
    assert rv.sponsors["active_projects"].sum() == len(snap)


def open_page(params: dict | None = None):
    at = app_test()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_page_names_every_manager_and_sponsor(seeded_url):
    rv = review(seeded_url)
    at = open_page()
    assert [t.value for t in at.title] == ["People"]
    managers, sponsors = at.dataframe[0].value, at.dataframe[1].value
    assert sorted(managers["person"]) == sorted(rv.managers["person"])
    assert sorted(sponsors["person"]) == sorted(rv.sponsors["person"])
    flagged = managers.set_index("person").loc["Maya Singh", "flag"]
    assert flagged.startswith("⚠")  # shape and word
    config = json.loads(at.dataframe[0].proto.columns)
    for col in managers.columns:
        assert "_" not in config[col]["label"], col  # readable names
    assert any("project managers; 1 flagged" in c.value for c in at.caption)


def test_a_chosen_manager_lists_their_projects_with_links_and_the_url_keeps_it(seeded_url):
    rv = review(seeded_url)
    mine = rv.people_load[rv.people_load["manager"] == "Ben Foster"]
    at = open_page({"people_manager": "Ben Foster"})
    assert at.selectbox(key="people_manager").value == "Ben Foster"
    projects = at.dataframe[1].value  # after the managers' table
    assert sorted(projects["name"]) == sorted(mine["name"])
    assert all(link.startswith("project?project=PRJ-") for link in projects["link"])
    # choosing another name writes it to the URL
    at.selectbox(key="people_manager").set_value("Zoe Adams").run()
    assert (
        at.query_params["people_manager"] == ["Zoe Adams"]
        or at.query_params["people_manager"] == "Zoe Adams"
    )


def test_with_roles_a_pm_grant_shows_the_address(seeded_url):
    engine = store.get_engine(seeded_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE projects SET manager_email = NULL WHERE manager = 'Ben Foster'"))
        ben = conn.execute(text("SELECT project_id FROM projects WHERE manager = 'Ben Foster'"))
        ids = [r[0] for r in ben]
    grant(engine, None, "admin@example.org", "admin")  # the first grant switches roles on
    grant(engine, Identity(email="admin@example.org"), "ben.f@example.org", "pm", ids)
    engine.dispose()
    at = open_page()
    managers = at.dataframe[0].value.set_index("person")
    assert managers.loc["Ben Foster", "email"] == "ben.f@example.org"
    assert managers.loc["Maya Singh", "email"] == "maya.singh@example.org"


@pytest.mark.parametrize("bad", [{"max_active_projects": 0}, {"red_projects_flag": 0}])
def test_config_refuses_a_limit_below_one(bad):
    from config import parse_config

    with pytest.raises(ValueError, match="people"):
        parse_config({"people": bad})
