"""The RAID log page under AppTest: the sample portfolio's log, its filters (and the URL), the
descriptions of chosen rows, readable column names, and the empty states."""

from __future__ import annotations

import json

import pandas as pd

import store
from analytics import raid
from analytics.review import Review
from config import get_config
from tests.conftest import app_test
from ui.components import SHOW_ROWS

PAGE = "pages/portfolio/raid.py"


def open_page(params: dict | None = None):
    at = app_test()
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def review(url: str, **filters) -> Review:
    frames = store.read_frames(store.get_engine(url))
    return Review(frames, get_config(), "2026-11-20", filters=filters)


def tiles(at) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.delta) for m in at.metric}


def url(at, key: str) -> list[str]:
    value = at.query_params.get(key)
    return [] if value is None else [value] if isinstance(value, str) else list(value)


def test_sample_log_lists_open_items_with_readable_columns(seeded_url):
    rv = review(seeded_url)
    open_items = rv.raid_log[rv.raid_log["is_open"]]
    at = open_page()
    assert [t.value for t in at.title] == ["RAID log"]
    table = at.dataframe[0]
    # the first SHOW_ROWS items in the log's order; the caption gives them all (and the CSV)
    assert len(open_items) > SHOW_ROWS and len(table.value) == SHOW_ROWS
    listed = rv.raid().items  # the page's view: open items, the most overdue first
    assert table.value["item_id"].tolist() == listed["item_id"].head(SHOW_ROWS).tolist()
    assert any(f"first {SHOW_ROWS} of {len(open_items)} rows" in c.value for c in at.caption)
    assert f"{len(open_items)} items" in [s.value for s in at.subheader]
    # one tile per type: its items and how many are overdue
    by_type = open_items.groupby("type")
    shown = tiles(at)
    for kind, group in by_type:
        value, delta = shown[raid.type_label(kind)]
        assert value == str(len(group)) and delta == f"{int(group['overdue'].sum())} overdue"
    # Every column has a readable name, and the id links to the project page.
    config = json.loads(table.proto.columns)
    for col in table.value.columns:
        label = config[col]["label"]
        assert label and "_" not in label and label != col, col
    assert config["link"]["type_config"]["type"] == "link"
    assert table.value["link"].iloc[0].startswith("project?project=PRJ-")
    assert "Issue" in set(table.value["type"])  # types as words, not codes
    assert any("RAID logs from 1 upload" in c.value for c in at.caption)
    assert at.get("download_button")  # the CSV


def test_filters_narrow_the_log_and_live_in_the_url(seeded_url):
    rv = review(seeded_url)
    expected = raid.RaidFilter(types=["issue"], min_age=90, due="overdue").apply(rv.raid_log)
    assert 0 < len(expected) < rv.raid_log["is_open"].sum()
    at = open_page()
    at.multiselect(key="raid_type").set_value(["issue"]).run()
    at.selectbox(key="raid_age").set_value(90).run()
    at.radio(key="raid_due").set_value("overdue").run()
    assert not at.exception
    assert len(at.dataframe[0].value) == len(expected)
    assert set(at.dataframe[0].value["type"]) == {"Issue"}
    assert list(tiles(at)) == ["Issue"]
    params = {k: url(at, k) for k in ("raid_type", "raid_age", "raid_due")}
    assert params == {"raid_type": ["issue"], "raid_age": ["90"], "raid_due": ["overdue"]}

    # A reload with the link shows the same view.
    again = open_page(params)
    assert again.multiselect(key="raid_type").value == ["issue"]
    assert again.selectbox(key="raid_age").value == 90
    assert again.radio(key="raid_due").value == "overdue"
    assert len(again.dataframe[0].value) == len(expected)

    # Owner and closed status; back to the defaults the URL is clean.
    owner = rv.raid_log["owner"].iloc[0]
    closed = raid.RaidFilter(owners=[owner], statuses=["Closed"]).apply(rv.raid_log)
    at = open_page({"raid_owner": owner, "raid_status": "Closed"})
    assert len(at.dataframe[0].value) == len(closed) > 0
    at.multiselect(key="raid_owner").set_value([]).run()
    at.multiselect(key="raid_status").set_value([]).run()
    assert not {"raid_owner", "raid_status", "raid_type", "raid_age", "raid_due"} & set(
        at.query_params
    )


def test_sidebar_filters_apply(seeded_url):
    rv = review(seeded_url)
    portfolio = rv.snapshot["portfolio"].iloc[0]
    narrow = review(seeded_url, portfolio=[portfolio])
    at = open_page({"portfolio": portfolio})
    assert len(at.dataframe[0].value) == narrow.raid_log["is_open"].sum() < len(rv.raid_log)


def test_hostile_url_values_are_ignored(seeded_url):
    at = open_page(
        {
            "raid_type": ["<script>", "Issue"],  # the label is not the value
            "raid_age": ["-1", "1e9", "abc"],
            "raid_due": "'; DROP TABLE raid_items; --",
            "raid_owner": "x" * 10_000,
        }
    )
    assert at.multiselect(key="raid_type").value == []
    assert at.selectbox(key="raid_age").value == 0
    assert at.radio(key="raid_due").value == "any"
    assert at.multiselect(key="raid_owner").value == []
    for key in ("raid_type", "raid_age", "raid_due", "raid_owner"):
        assert key not in at.query_params
    assert len(at.dataframe[0].value) > 0


def test_chosen_rows_show_their_descriptions(seeded_url):
    at = open_page()
    table = at.dataframe[0].value
    assert "Descriptions" not in [s.value for s in at.subheader]
    at.session_state["raid_table"] = {"selection": {"rows": [0, 3], "columns": []}}
    at.run()
    assert not at.exception
    assert "Descriptions" in [s.value for s in at.subheader]
    described = at.dataframe[1].value
    assert list(described["item_id"]) == list(table["item_id"].iloc[[0, 3]])
    assert described["description"].str.len().gt(10).all()
    # Another filter is another table: the chosen positions would be other items, so they go.
    at.radio(key="raid_due").set_value("overdue").run()
    assert not at.exception
    assert "Descriptions" not in [s.value for s in at.subheader]
    assert len(at.dataframe) == 1


def test_nothing_matches(seeded_url):
    rv = review(seeded_url)
    # an owner with no dependency at all
    owners = rv.raid_log.groupby("owner")["type"].agg(set)
    owner = next(o for o, kinds in owners.items() if "dependency" not in kinds)
    at = open_page({"raid_owner": owner, "raid_type": "dependency"})
    assert any("No RAID items match these filters" in i.value for i in at.info)
    assert not at.dataframe


def test_no_raid_log_uploaded(sqlite_url, monkeypatch):
    monkeypatch.setenv("PMO_DATABASE_URL", sqlite_url)
    engine = store.get_engine(sqlite_url)
    store.write_batch(
        engine,
        {
            "projects": pd.DataFrame({"project_id": ["P1"], "name": ["Alpha"]}),
            "status_reports": pd.DataFrame(
                {
                    "project_id": ["P1"],
                    "report_date": [pd.Timestamp("2026-03-06")],
                    "overall_rag": ["Green"],
                }
            ),
        },
        store.UploadMeta(
            file_name="alpha.xlsx", sha256="0" * 64, size_bytes=1, uploaded_by="t", source="cli"
        ),
    )
    at = open_page()
    assert any("No RAID log has been uploaded" in i.value for i in at.info)
    assert not at.dataframe


def test_empty_database(empty_url):
    at = open_page()
    assert [t.value for t in at.title] == ["RAID log"]
    assert any("no status reports yet" in i.value for i in at.info)
    assert at.button(key="load_sample")
