"""python -m exports digest against a real SMTP server on 127.0.0.1 (aiosmtpd): one HTML mail
with the headline, the minutes, the Red and watermelon list and who has not reported, the
charts inline and the deck attached; data text escaped; never twice; a dead server records
nothing."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from pptx import Presentation
from sqlalchemy import select, update

import models
import store
from analytics.review import Review
from config import get_config
from exports import digest
from exports.__main__ import main
from tests.smtp_helpers import attachments, free_port, smtp_server

pytestmark = pytest.mark.slow  # left out of make test-fast (docs/testing.md)

EVIL = '<script>alert("x")</script> & <b>Co</b>'


@pytest.fixture
def inbox(monkeypatch):
    with smtp_server() as box:
        monkeypatch.setenv("PMO_SMTP_URL", box.url)
        yield box


def _rows(url: str) -> pd.DataFrame:
    with store.get_engine(url).connect() as conn:
        return pd.read_sql(select(models.notifications), conn)


def test_the_digest_arrives_with_the_deck_and_inline_charts(seeded_url, inbox, chromium, capsys):
    engine = store.get_engine(seeded_url)
    frames = store.read_frames(engine)
    rv = Review(frames, get_config(), frames["status_reports"]["report_date"].max())
    expected = digest.content(rv)
    assert len(expected.red) and len(expected.not_reported)  # the sample has both
    red_id = expected.red["project_id"].iloc[0]
    with engine.begin() as conn:  # a Red project whose name is markup
        p = models.projects
        conn.execute(update(p).where(p.c.project_id == red_id).values(name=EVIL))
    args = ["digest", "--db", seeded_url, "--to", "CEO@example.org", "--to", "cfo@example.org"]
    assert main(args) == 0
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert sorted(inbox.envelopes[0][1]) == ["ceo@example.org", "cfo@example.org"]
    assert msg["Subject"] == f"Portfolio review {rv.review_date.date()}: the headline"
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    for body in (html, text):
        assert "For the minutes" in body and "Not reported" in body
        assert "Red and watermelon projects" in body
    # the headline tiles, the minutes, the Red list, who has not reported
    for metric, figure, _ in expected.tiles:
        assert metric in text and figure in text
    first_sentence = expected.minutes[0]
    assert first_sentence in text
    for pid in expected.not_reported["project_id"]:
        assert pid in html and pid in text
    for manager in expected.not_reported["manager"]:
        assert manager in text
    # data text escaped: the markup is shown, never run
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;Co&lt;/b&gt;" in html and "&amp;" in html
    # charts inline: every cid the HTML shows is a PNG part of the mail
    cids = re.findall(r'src="cid:([^"]+)"', html)
    assert len(cids) == 2
    images = {
        p["Content-ID"].strip("<>"): p.get_content()
        for p in msg.walk()
        if p.get_content_type() == "image/png"
    }
    assert set(cids) == set(images)
    assert all(png.startswith(b"\x89PNG") for png in images.values())
    # the deck attached, and it opens
    files = attachments(msg)
    deck_name = f"portfolio-review-{rv.review_date.date()}.pptx"
    assert list(files) == [deck_name]
    titles = [
        s.shapes.title.text for s in Presentation(io.BytesIO(files[deck_name])).slides
        if s.shapes.title is not None
    ]  # fmt: skip
    assert "Headline figures" in titles and len(titles) > 8
    rows = _rows(seeded_url)
    assert sorted(rows["recipient"]) == ["ceo@example.org", "cfo@example.org"]
    assert set(rows["kind"]) == {"digest"} and set(rows["message_id"]) == {msg["Message-ID"]}
    # Again: nothing new goes; a new address gets it alone.
    capsys.readouterr()
    assert main(args) == 0
    assert len(inbox.messages) == 1 and "already sent" in capsys.readouterr().out
    assert main([*args, "--to", "board@example.org"]) == 0
    assert len(inbox.messages) == 2 and inbox.envelopes[1][1] == ["board@example.org"]


def test_digest_with_the_mail_server_down_records_nothing(
    seeded_url, chromium, monkeypatch, capsys
):
    monkeypatch.setenv("PMO_SMTP_URL", f"smtps://pmo:pw-XYZ@127.0.0.1:{free_port()}")
    assert main(["digest", "--db", seeded_url, "--to", "ceo@example.org"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot use the mail server smtps://pmo:***@127.0.0.1:")
    assert "pw-XYZ" not in err
    assert _rows(seeded_url).empty


def test_digest_refuses_a_bad_address(seeded_url, capsys):
    assert main(["digest", "--db", seeded_url, "--to", "ceo@example.org\nBcc: x@y.z"]) == 2
    assert "is not an e-mail address" in capsys.readouterr().err


def test_a_refused_recipient_is_not_recorded_the_others_are(seeded_url, inbox, chromium, capsys):
    inbox.refuse.add("gone@example.org")
    args = ["digest", "--db", seeded_url, "--to", "ceo@example.org", "--to", "gone@example.org"]
    assert main(args) == 1
    assert "refused gone@example.org: not recorded" in capsys.readouterr().err
    assert inbox.envelopes[0][1] == ["ceo@example.org"]
    assert list(_rows(seeded_url)["recipient"]) == ["ceo@example.org"]
