"""analytics.raid: the portfolio RAID log (age, overdue, open), its filters and summary; and
store.read_text, which reads the descriptions of several projects in one go."""

from __future__ import annotations

import pandas as pd
import pytest

import store
from analytics import raid
from analytics.review import Review
from config import get_config

REVIEW = pd.Timestamp("2026-11-20")
PROJECTS = pd.DataFrame({"project_id": ["P1", "P2"], "name": ["Alpha", "Beta"]})


def items(**extra) -> pd.DataFrame:
    rows = [
        # project, id, type, owner, status, raised, due
        ("P1", "I01", "issue", "Ann", "Open", "2026-11-01", "2026-11-10"),  # 10 days overdue
        ("P1", "A01", "assumption", "Ann", "Open", "2026-06-01", "2026-12-31"),  # 172 days old
        ("P1", "D01", "dependency", "Bob", "Closed", "2026-01-01", "2026-02-01"),  # closed
        ("P2", "I01", "issue", "Bob", " resolved ", "2026-03-01", "2026-04-01"),  # closed too
        ("P2", "A02", "action", None, None, None, "2026-11-19"),  # no status: open, 1 day late
        ("P2", "R01", "risk", "Cat", "Open", "2026-12-01", "2027-01-01"),  # raised later
        ("P3", "I09", "issue", "Dan", "Open", "2026-01-01", "2026-01-02"),  # not in the review
        ("P1", "X01", None, "Ann", "Open", "2026-11-20", None),  # no type, no due date
    ]
    df = pd.DataFrame(
        rows,
        columns=["project_id", "item_id", "type", "owner", "status", "raised_date", "due_date"],
    )
    for col in ("raised_date", "due_date"):
        df[col] = pd.to_datetime(df[col])
    return df.assign(priority="High", upload_id=7, **extra)


def test_log_ages_and_overdue_as_of_the_review_date():
    log = raid.log(items(), PROJECTS, REVIEW)
    by = log.set_index(["project_id", "item_id"])
    # P3 is not in the review; R01 was raised after the review date.
    assert ("P3", "I09") not in by.index and ("P2", "R01") not in by.index
    assert len(log) == 6
    assert list(log.columns) == raid.COLUMNS
    assert by.loc[("P1", "I01"), "name"] == "Alpha"
    assert by.loc[("P1", "I01"), "age_days"] == 19
    assert by.loc[("P1", "I01"), "days_overdue"] == 10 and by.loc[("P1", "I01"), "overdue"]
    assert by.loc[("P1", "A01"), "age_days"] == 172 and not by.loc[("P1", "A01"), "overdue"]
    # closed items are never overdue, whatever their due date; " resolved " closes an issue
    assert not by.loc[("P1", "D01"), "is_open"] and not by.loc[("P1", "D01"), "overdue"]
    assert not by.loc[("P2", "I01"), "is_open"]
    assert pd.isna(by.loc[("P1", "D01"), "days_overdue"])
    # no status is open; no raised date: no age
    assert by.loc[("P2", "A02"), "is_open"] and by.loc[("P2", "A02"), "days_overdue"] == 1
    assert pd.isna(by.loc[("P2", "A02"), "age_days"])
    assert by.loc[("P1", "X01"), "type"] == raid.NO_TYPE
    # open first, the most overdue at the top; closed at the bottom
    assert list(log["item_id"][:2]) == ["I01", "A02"]
    assert not log["is_open"].iloc[-1] and not log["is_open"].iloc[-2]


def test_earlier_review_date_leaves_out_later_items():
    log = raid.log(items(), PROJECTS, "2026-06-01")
    assert set(log["item_id"]) == {"A01", "D01", "I01", "A02"}  # P2's I01 (March) stays
    assert log.set_index(["project_id", "item_id"]).loc[("P1", "A01"), "age_days"] == 0


def test_closed_statuses_follow_the_risk_rules():
    log = raid.log(
        items(), PROJECTS, REVIEW, raid.closed_statuses(get_config().risk.closed_statuses)
    )
    assert set(log[~log["is_open"]]["item_id"]) == {"D01", "I01"}
    only_risk_rules = raid.log(items(), PROJECTS, REVIEW, {"closed"})
    assert len(only_risk_rules[~only_risk_rules["is_open"]]) == 1  # "resolved" is open then


@pytest.mark.parametrize(
    "flt, expected",
    [
        (raid.RaidFilter(), {"P1/I01", "P1/A01", "P2/A02", "P1/X01"}),
        (raid.RaidFilter(types=["issue"]), {"P1/I01"}),
        (raid.RaidFilter(owners=["Bob"]), set()),  # Bob's items are closed
        (raid.RaidFilter(owners=["Bob"], statuses=["Closed"]), {"P1/D01"}),
        (raid.RaidFilter(statuses=["Open", "Closed"]), {"P1/I01", "P1/A01", "P1/D01", "P1/X01"}),
        (raid.RaidFilter(min_age=30), {"P1/A01"}),  # no raised date: only under any age
        (raid.RaidFilter(due="overdue"), {"P1/I01", "P2/A02"}),
        (raid.RaidFilter(due="not overdue"), {"P1/A01", "P1/X01"}),
        (raid.RaidFilter(types=["issue"], due="not overdue"), set()),
    ],
)
def test_filters(flt, expected):
    kept = flt.apply(raid.log(items(), PROJECTS, REVIEW))
    assert set(kept["project_id"] + "/" + kept["item_id"]) == expected


def test_options_summary_and_labels():
    log = raid.log(items(), PROJECTS, REVIEW)
    options = raid.filter_options(log)
    assert options["type"] == ["assumption", "issue", "dependency", "action", raid.NO_TYPE]
    assert options["owner"] == ["Ann", "Bob"]
    assert options["status"] == [" resolved ", "Closed", "Open"]
    summary = raid.summary(log).set_index("type")
    assert list(summary.index) == ["assumption", "issue", "dependency", "action", raid.NO_TYPE]
    assert summary.loc["issue"].tolist() == [2, 1, 1, 19]
    assert summary.loc["dependency", "open"] == 0
    assert pd.isna(summary.loc["dependency", "oldest_open_days"])
    assert raid.summary(log.iloc[0:0]).empty
    assert raid.type_label("dependency") == "Dependency"
    assert raid.type_label("odd") == "Odd" and raid.type_label(None) == raid.NO_TYPE
    assert "1 upload" in raid.source_note(log, pd.DataFrame({"upload_id": [7], "file_name": ["x"]}))


def test_empty_log_and_no_projects():
    empty = items().iloc[0:0]
    assert raid.log(empty, PROJECTS, REVIEW).empty
    assert raid.log(items(), PROJECTS.iloc[0:0], REVIEW).empty
    assert list(raid.log(empty, PROJECTS, REVIEW).columns) == raid.COLUMNS
    assert raid.RaidFilter(types=["issue"]).apply(raid.log(empty, PROJECTS, REVIEW)).empty


def test_review_exposes_the_log_and_views(seeded_url):
    frames = store.read_frames(store.get_engine(seeded_url))
    rv = Review(frames, get_config(), "2026-11-20")
    log = rv.raid_log
    assert set(log["project_id"]) <= set(rv.snapshot["project_id"]) and len(log) > 100
    assert log["age_days"].notna().all()  # the raised date is in the frames now
    view = rv.raid(types=["issue"], due="overdue")
    assert view is rv.raid(types=["issue"], due="overdue")  # kept per review
    assert set(view.items["type"]) == {"issue"} and view.items["overdue"].all()
    assert view.summary["items"].sum() == len(view.items)
    portfolio = rv.snapshot["portfolio"].iloc[0]
    narrow = Review(frames, get_config(), "2026-11-20", filters={"portfolio": [portfolio]})
    assert 0 < len(narrow.raid_log) < len(log)


def test_read_text_reads_several_projects_in_one_go(seeded_url, monkeypatch):
    engine = store.get_engine(seeded_url)
    frames = store.read_frames(engine)
    ids = sorted(frames["raid_items"]["project_id"].astype(str).unique())[:5]
    got = store.read_text(engine, "raid_items", ids)
    each = pd.concat([store.read_project_text(engine, "raid_items", p) for p in ids])
    key = ["project_id", "item_id"]
    pd.testing.assert_frame_equal(
        got.astype({"project_id": str, "item_id": str}).sort_values(key).reset_index(drop=True),
        each.astype({"project_id": str, "item_id": str}).sort_values(key).reset_index(drop=True),
    )
    assert got["description"].notna().all()
    # Chunked: more projects than one query takes still come back whole.
    monkeypatch.setattr(store, "TEXT_IDS_PER_QUERY", 2)
    assert len(store.read_text(engine, "raid_items", ids)) == len(got)
    assert store.read_text(engine, "raid_items", []).empty
    assert store.read_text(engine, "raid_items", ["no such project", "'; DROP"]).empty
