"""Late reporters, followed up: the Data quality page's reporting list shows the requests and
reminders sent (by python -m cadence remind, to a real SMTP server on 127.0.0.1) and when the
update arrived."""

from __future__ import annotations

import pandas as pd
import pytest

import store
from cadence import follow_up
from cadence.__main__ import main
from config import get_config
from data_loaders import ingest
from tests.conftest import app_test
from tests.smtp_helpers import attachments, smtp_server


@pytest.mark.slow
def test_requests_reminders_and_the_update_that_came(seeded_url, monkeypatch):
    engine = store.get_engine(seeded_url)
    last = store.read_frames(engine)["status_reports"]["report_date"].max()
    review = (last + pd.Timedelta(days=5)).date()  # the Wednesday after Friday's reports
    with smtp_server() as inbox:
        monkeypatch.setenv("PMO_SMTP_URL", inbox.url)
        assert main(["remind", "--db", seeded_url, "--review-date", str(review), "--kind",
                     "request"]) == 0  # fmt: skip
        assert main(["remind", "--db", seeded_url, "--review-date", str(review), "--kind",
                     "reminder"]) == 0  # fmt: skip
    mailed = {m["To"] for m in inbox.messages}
    assert len(inbox.messages) == 2 * len(mailed) and len(mailed) == 3  # the 3 not reported
    # One of them sends the update sheet back.
    first = inbox.messages[0]
    (name, data), *_ = attachments(first).items()
    parsed = ingest.parse_file(name, data, known_projects=ingest.known_projects(engine))
    assert ingest.commit(engine, parsed, uploaded_by="pm").status == "loaded"
    came = set(parsed.frames["status_reports"]["project_id"])

    frames = store.read_frames(engine)
    from analytics.quality import reporting

    config = get_config()
    status = reporting(frames, pd.Timestamp(review), config)
    sent = follow_up.sent_for_review(engine, review, config.staleness.cadence_days)
    out = follow_up.follow_up(status, sent, frames["status_reports"], frames["uploads"])
    chased = out[out["request_sent"].notna()]
    assert len(chased) == 3 and chased["reminder_sent"].notna().all()
    assert (chased["reminder_sent"] >= chased["request_sent"]).all()
    arrived = out[out["update_arrived"].notna()]
    assert set(arrived["project_id"]) == came
    assert (arrived["update_arrived"] >= arrived["request_sent"]).all()
    assert (arrived["status"] == "on time").all()
    # a project that reported without being chased shows no follow-up
    assert out.loc[out["request_sent"].isna(), "update_arrived"].isna().all()

    # The page shows the same (its review date is now the update's report date).
    at = app_test().run()
    at = at.switch_page("pages/data/quality.py").run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "update_arrived" in d.value.columns)
    assert table["request_sent"].notna().sum() == 3
    assert table["update_arrived"].notna().sum() == len(came)


def test_the_pmo_sends_requests_from_the_data_quality_page(seeded_url, monkeypatch):
    """The page's panel plans like python -m cadence remind, shows the plan, and sends it to
    a real SMTP server when the button is pressed; pressed again, nothing goes twice."""
    engine = store.get_engine(seeded_url)
    last = store.read_frames(engine)["status_reports"]["report_date"].max()
    review = (last + pd.Timedelta(days=5)).date()
    with smtp_server() as inbox:
        monkeypatch.setenv("PMO_SMTP_URL", inbox.url)
        at = app_test().run().switch_page("pages/data/quality.py").run()
        assert not at.exception
        at.date_input(key="remind_review").set_value(review).run()
        assert not at.exception
        plan = next(d.value for d in at.dataframe if "to" in d.value.columns)
        assert len(plan) == 3
        button = at.button(key="remind_send")
        assert button.label == "Send 3 request mails"
        button.click().run()
        assert not at.exception
        assert any("Sent and recorded: 3 mail(s)" in s.value for s in at.success)
        assert sorted(m["To"] for m in inbox.messages) == sorted(plan["to"])
        at.run()
        assert at.button(key="remind_send").disabled  # each had its request
        assert len(inbox.messages) == 3
    sent = follow_up.sent_for_review(engine, review, 7)
    assert len(sent) == 3 and set(sent["kind"]) == {"request"}


def test_follow_up_with_one_kind_of_mail_only():
    """Only a reminder went (no request), to one project of two; times from PostgreSQL are
    aware, SQLite's naive: both come out as naive UTC."""
    reporting_frame = pd.DataFrame({
        "project_id": ["P1", "P2"],
        "last_report_date": pd.to_datetime(["2026-03-06", "2026-02-27"]),
        "status": ["on time", "not reported"],
    })  # fmt: skip
    sent = pd.DataFrame({
        "project_id": ["P2"], "kind": ["reminder"],
        "sent_at": [pd.Timestamp("2026-03-11 08:00", tz="Europe/Paris")],
    })  # fmt: skip
    reports = pd.DataFrame({
        "project_id": ["P1", "P2"], "report_date": pd.to_datetime(["2026-03-06", "2026-02-27"]),
        "upload_id": [2, 1],
    })  # fmt: skip
    uploads = pd.DataFrame({
        "upload_id": [1, 2],
        "uploaded_at": pd.to_datetime(["2026-02-27 10:00", "2026-03-06 10:00"]),
    })  # fmt: skip
    out = follow_up.follow_up(reporting_frame, sent, reports, uploads).set_index("project_id")
    assert out["request_sent"].isna().all()
    assert out.at["P2", "reminder_sent"] == pd.Timestamp("2026-03-11 07:00")
    assert pd.isna(out.at["P1", "reminder_sent"])
    assert out["update_arrived"].isna().all()  # P1 was never chased; P2's update predates it
