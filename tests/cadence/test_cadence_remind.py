"""python -m cadence remind against a real SMTP server on 127.0.0.1 (aiosmtpd), on the sample:
a mail per manager with due or late projects, each with a sheet that loads back; nothing sent
twice; the dry run sends nothing; a mail server that is down is a clear error and no record."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sqlalchemy import func, insert, select, update

import models
import store
from cadence import remind
from cadence.__main__ import main
from config import Cadence, Config
from data_loaders import ingest
from tests.smtp_helpers import attachments, free_port, smtp_server

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

APP_URL = "https://pmo.example.org"


@pytest.fixture
def inbox(monkeypatch):
    with smtp_server() as box:
        monkeypatch.setenv("PMO_SMTP_URL", box.url)
        yield box


@pytest.fixture
def app_config(tmp_path, monkeypatch):
    path = tmp_path / "pmo_lens.toml"
    path.write_text(
        f'[mail]\nsender = "PMO Office <pmo@example.org>"\napp_url = "{APP_URL}"\n', "utf-8"
    )
    monkeypatch.setenv("PMO_CONFIG", str(path))


def _review(url: str) -> date:
    frames = store.read_frames(store.get_engine(url))
    return (frames["status_reports"]["report_date"].max() + pd.Timedelta(days=7)).date()


def _run(url: str, review: date, *extra: str) -> int:
    return main(["remind", "--db", url, "--review-date", review.isoformat(), *extra])


def _notifications(url: str) -> pd.DataFrame:
    with store.get_engine(url).connect() as conn:
        return pd.read_sql(select(models.notifications), conn)


def _due(url: str, review: date) -> pd.DataFrame:
    frames = store.read_frames(store.get_engine(url))
    due = remind.due_projects(frames, review, Config())
    emails = frames["projects"].set_index("project_id")["manager_email"]
    return due.assign(recipient=due["project_id"].map(emails))


def test_a_mail_per_manager_each_with_a_sheet_that_loads_back(
    seeded_url, inbox, app_config, capsys
):
    review = _review(seeded_url)
    due = _due(seeded_url, review)
    assert len(due) > 40  # a week after the last report, nearly every project is due
    assert _run(seeded_url, review, "--kind", "request") == 0
    recipients = sorted(due["recipient"].unique())
    assert sorted(m["To"] for m in inbox.messages) == recipients  # one mail per manager
    engine = store.get_engine(seeded_url)
    known = ingest.known_projects(engine)
    for msg in inbox.messages:
        mine = due[due["recipient"] == msg["To"]]
        assert msg["From"] == "PMO Office <pmo@example.org>"
        assert msg["Subject"].startswith(f"Update request for the review of {review}")
        text = msg.get_body(("plain",)).get_content()
        assert f"{APP_URL}/upload" in text
        for pid in mine["project_id"]:
            assert pid in text
        (name, data), *rest = attachments(msg).items()
        assert not rest and name.endswith(f"{review}.xlsx")
        parsed = ingest.parse_file(name, data, known_projects=known)
        assert parsed.ok, (msg["To"], parsed.report)
        reported = mine[mine["last_report_date"].notna()]  # the others are named, not rows
        assert sorted(parsed.frames["status_reports"]["project_id"]) == sorted(
            reported["project_id"]
        )
    rows = _notifications(seeded_url)
    assert len(rows) == len(due) and set(rows["kind"]) == {"request"}
    assert set(zip(rows["project_id"], rows["recipient"], strict=True)) == set(
        zip(due["project_id"], due["recipient"], strict=True)
    )
    # every row names the mail that carried it
    ids = {m["Message-ID"] for m in inbox.messages}
    assert set(rows["message_id"]) == ids
    assert f"{len(recipients)} mail(s) sent and recorded" in capsys.readouterr().out

    # Twice: nothing new goes out, nothing new is recorded.
    assert _run(seeded_url, review, "--kind", "request") == 0
    assert len(inbox.messages) == len(recipients)
    assert len(_notifications(seeded_url)) == len(due)
    assert "already sent" in capsys.readouterr().out


def test_the_schedule_request_then_one_reminder_to_those_still_due(seeded_url, inbox, capsys):
    review = _review(seeded_url)
    before = (review - timedelta(days=2)).isoformat()
    assert _run(seeded_url, review, "--today", before) == 0
    requests = len(inbox.messages)
    # One manager sends the update sheet back before the review: no reminder for them.
    first = inbox.messages[0]
    engine = store.get_engine(seeded_url)
    (name, data), *_ = attachments(first).items()
    parsed = ingest.parse_file(name, data, known_projects=ingest.known_projects(engine))
    assert ingest.commit(engine, parsed, uploaded_by="pm").status == "loaded"
    assert _run(seeded_url, review, "--today", review.isoformat()) == 0
    reminders = inbox.messages[requests:]
    assert len(reminders) == requests - 1
    assert first["To"] not in {m["To"] for m in reminders}
    assert all(m["Subject"].startswith("Reminder: your update") for m in reminders)
    assert "has not arrived yet" in reminders[0].get_body(("plain",)).get_content()
    # A day late: each project has had its reminder for this review; nothing goes again.
    assert _run(seeded_url, review, "--today", (review + timedelta(days=1)).isoformat()) == 0
    assert len(inbox.messages) == requests + len(reminders)
    # A day with nothing scheduled sends nothing.
    assert _run(seeded_url, review, "--today", (review - timedelta(days=5)).isoformat()) == 0
    assert "nothing is scheduled" in capsys.readouterr().out
    assert len(inbox.messages) == requests + len(reminders)


def test_dry_run_sends_and_records_nothing(seeded_url, inbox, capsys):
    review = _review(seeded_url)
    assert _run(seeded_url, review, "--kind", "reminder", "--dry-run") == 0
    out = capsys.readouterr().out
    assert "would send to alex.morgan@example.org" in out
    assert "dry run:" in out and "nothing recorded" in out
    assert inbox.messages == [] and _notifications(seeded_url).empty


def test_mail_server_down_is_a_clear_error_and_nothing_is_recorded(seeded_url, monkeypatch, capsys):
    review = _review(seeded_url)
    monkeypatch.setenv("PMO_SMTP_URL", f"smtp://pmo:s3cret-pw@127.0.0.1:{free_port()}")
    assert _run(seeded_url, review, "--kind", "request") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the mail server smtp://pmo:***@127.0.0.1:")
    assert "s3cret-pw" not in err and "not recorded" in err
    assert _notifications(seeded_url).empty


def test_no_mail_server_configured(seeded_url, monkeypatch, capsys):
    monkeypatch.delenv("PMO_SMTP_URL", raising=False)
    assert _run(seeded_url, _review(seeded_url), "--kind", "request") == 1
    assert "error: no mail server: set PMO_SMTP_URL" in capsys.readouterr().err
    assert _notifications(seeded_url).empty


def test_roles_table_when_the_register_has_no_address(seeded_url, inbox, capsys):
    """A project without manager_email goes to the pm assigned to it; one with neither is
    listed, not mailed; an address that could add a header is no address."""
    engine = store.get_engine(seeded_url)
    review = _review(seeded_url)
    p = models.projects
    with engine.begin() as conn:
        conn.execute(update(p).where(p.c.project_id == "PRJ-0001").values(manager_email=None))
        conn.execute(update(p).where(p.c.project_id == "PRJ-0002").values(manager_email=None))
        conn.execute(
            update(p)
            .where(p.c.project_id == "PRJ-0003")
            .values(manager_email="x@example.org\nBcc: all@example.org")
        )
        conn.execute(
            insert(models.role_assignments).values(
                principal="deputy@example.org", role="pm", project_id="PRJ-0001",
                granted_by="admin", granted_at=pd.Timestamp("2026-01-01", tz="UTC"),
            )
        )  # fmt: skip
    assert _run(seeded_url, review, "--kind", "request") == 0
    out = capsys.readouterr().out
    deputy = inbox.to("deputy@example.org")
    assert len(deputy) == 1 and "PRJ-0001" in deputy[0].get_body(("plain",)).get_content()
    assert "no address: PRJ-0002" in out and "no address: PRJ-0003" in out
    rcpts = {r for _, tos in inbox.envelopes for r in tos}
    assert "all@example.org" not in rcpts
    with engine.connect() as conn:
        n = models.notifications
        counted = conn.execute(
            select(func.count()).where(n.c.project_id.in_(["PRJ-0002", "PRJ-0003"]))
        ).scalar()
    assert counted == 0


def test_kind_for_reads_the_schedule():
    config = Config(cadence=Cadence(request_days_before=3, reminder_days_after=(0, 2)))
    review = date(2026, 3, 13)
    assert remind.kind_for(date(2026, 3, 10), review, config) == "request"
    assert remind.kind_for(date(2026, 3, 11), review, config) is None
    assert remind.kind_for(date(2026, 3, 13), review, config) == "reminder"
    assert remind.kind_for(date(2026, 3, 14), review, config) is None
    assert remind.kind_for(date(2026, 3, 15), review, config) == "reminder"


def test_a_weekly_review_day_finds_the_review_of_each_step():
    config = Config()  # request 2 days before, reminders on the day and a day late
    wed = date(2026, 11, 25)  # a Wednesday
    assert remind.scheduled_review(date(2026, 11, 23), "wed", config) == wed  # Monday: request
    assert remind.scheduled_review(wed, "wed", config) == wed  # the day: reminder
    assert remind.scheduled_review(date(2026, 11, 26), "wed", config) == wed  # Thursday: late
    assert remind.scheduled_review(date(2026, 11, 24), "wed", config) is None  # Tuesday
    assert remind.scheduled_review(date(2026, 11, 27), "wed", config) is None  # Friday


def test_review_day_on_the_command_line(seeded_url, inbox, capsys):
    review = _review(seeded_url)
    day = remind.WEEKDAYS[review.weekday()]
    today = (review - timedelta(days=2)).isoformat()
    args = ["remind", "--db", seeded_url, "--review-day", day, "--today", today, "--dry-run"]
    assert main(args) == 0
    assert f"review {review}: request" in capsys.readouterr().out
    assert main([*args[:-3], "--today", (review - timedelta(days=1)).isoformat()]) == 0
    assert "nothing is scheduled" in capsys.readouterr().out
    assert inbox.messages == []


def test_an_empty_database_has_nothing_to_send(empty_url, inbox, capsys):
    assert _run(empty_url, date(2026, 11, 25), "--kind", "request") == 0
    assert "nothing to send" in capsys.readouterr().out and inbox.messages == []


def test_sheets_writes_the_update_sheet_of_the_projects_named(seeded_url, tmp_path, capsys):
    out = tmp_path / "sheets"
    args = ["sheets", "--db", seeded_url, "--review-date", "2026-11-25", "--out", str(out)]
    assert main([*args, "--project", "PRJ-0001", "--project", "PRJ-0002"]) == 0
    written = sorted(p.name for p in out.iterdir())
    frames = store.read_frames(store.get_engine(seeded_url))
    managers = frames["projects"].set_index("project_id").loc[["PRJ-0001", "PRJ-0002"], "manager"]
    assert len(written) == managers.nunique() and all(
        n.endswith("2026-11-25.xlsx") for n in written
    )
    assert main([*args, "--project", "NOPE"]) == 2
    assert "unknown project(s): NOPE" in capsys.readouterr().err


def test_a_refused_address_does_not_stop_the_others(seeded_url, inbox, capsys):
    """The server refuses one manager's address: that mail is not recorded (the next run
    tries again), every other manager's goes, and the run says so with exit code 1."""
    review = _review(seeded_url)
    inbox.refuse.add("alex.morgan@example.org")
    assert _run(seeded_url, review, "--kind", "request") == 1
    captured = capsys.readouterr()
    assert "error: the mail server smtp://127.0.0.1:" in captured.err
    assert "refused the mail to alex.morgan@example.org" in captured.err
    rows = _notifications(seeded_url)
    assert "alex.morgan@example.org" not in set(rows["recipient"])
    assert len(inbox.messages) == len(set(rows["recipient"])) > 10
    inbox.refuse.clear()
    assert _run(seeded_url, review, "--kind", "request") == 0
    assert inbox.messages[-1]["To"] == "alex.morgan@example.org"
