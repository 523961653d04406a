"""The executive digest: one HTML mail built from the one review model (analytics.review.Review),
as the This week page and the deck read it.

It holds the headline tiles, the "for the minutes" sentences, the Red and watermelon list and
who has not reported; the deck is attached as .pptx, and its Portfolio health charts are shown
inline (the PNGs the deck already rendered with exports.png, taken from the deck itself, so no
second browser start). Every piece of data text is HTML-escaped; the plain-text part says the
same for mail clients that show no HTML.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.utils import make_msgid

import pandas as pd
from sqlalchemy import Engine, delete, insert, select

import models
from analytics import money as fmt
from analytics.review import Review
from config import Config

PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
# The deck's slides whose picture goes inline, by the start of their title.
INLINE_CHARTS = ("Portfolio health: RAG by dimension", "Portfolio health: RAG trend")
RED_LIMIT = 25  # rows of the Red and watermelon list in the mail; the deck has them all


@dataclass
class Content:
    """What the digest says, as plain values (escaping happens when it is written)."""

    review_date: pd.Timestamp
    compare_date: pd.Timestamp | None
    tiles: list[tuple[str, str, str]]  # metric, figure, change since the compare date
    minutes: list[str]
    red: pd.DataFrame  # project_id, name, manager, reported, computed, why
    not_reported: pd.DataFrame  # manager, project_id, name, last report, days
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # title, PNG


def _change(row) -> str:
    if pd.isna(row.change) or row.change == 0:
        return "" if pd.isna(row.change) else "no change"
    if isinstance(row.currency, str) and row.currency:
        return fmt.compact(row.change, row.currency, signed=True)
    return f"{row.change:+,.0f}"


def content(rv: Review) -> Content:
    """The digest's content from the review. Pure: reads ``rv`` only."""
    tiles = [(r.metric, str(r.text), _change(r)) for r in rv.headline.itertuples(index=False)]
    minutes = [line.strip() for line in rv.narrative.split("\n") if line.strip()]
    snap = rv.snapshot
    red = snap[(snap["display_rag"] == "Red") | snap["watermelon"].astype(bool)].copy()
    red["why"] = [
        "watermelon: reported Green, computed " + str(c) if w else "reported Red"
        for w, c in zip(red["watermelon"].astype(bool), red["computed_rag"], strict=True)
    ]
    red["_o"] = red["watermelon"].astype(bool).astype(int)
    red = red.sort_values(["_o", "name"])[
        ["project_id", "name", "manager", "display_rag", "computed_rag", "why"]
    ]
    stale = snap[snap["not_reported"].astype(bool)].copy()
    stale["days"] = (rv.review_date - pd.to_datetime(stale["last_report_date"])).dt.days
    stale = stale.sort_values(["manager", "name"])[
        ["manager", "project_id", "name", "last_report_date", "days"]
    ]
    return Content(
        review_date=pd.Timestamp(rv.review_date),
        compare_date=rv.compare_date,
        tiles=tiles,
        minutes=minutes,
        red=red.reset_index(drop=True),
        not_reported=stale.reset_index(drop=True),
    )


def charts_from_deck(deck: bytes, titles: tuple[str, ...] = INLINE_CHARTS):
    """(slide title, PNG bytes) of the deck's pictures on slides whose title starts with one
    of ``titles``, in that order."""
    from pptx import Presentation

    found: dict[str, tuple[str, bytes]] = {}
    for slide in Presentation(io.BytesIO(deck)).slides:
        title = slide.shapes.title.text if slide.shapes.title is not None else ""
        want = next((t for t in titles if title.startswith(t)), None)
        if want is None or want in found:
            continue
        for shape in slide.shapes:
            if shape.shape_type == 13 and shape.image.content_type == "image/png":  # PICTURE
                found[want] = (title, shape.image.blob)
                break
    return [found[t] for t in titles if t in found]


def _e(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=True)


def _table(headers: list[str], rows: list[list]) -> str:
    th = "".join(
        f'<th style="text-align:left;padding:4px 8px;background:#DDE3EA">{_e(h)}</th>'
        for h in headers
    )
    body = "".join(
        "<tr>"
        + "".join(f'<td style="padding:4px 8px;border-top:1px solid #ddd">{_e(c)}</td>' for c in r)
        + "</tr>"
        for r in rows
    )
    style = "border-collapse:collapse;font-size:14px"
    return f'<table style="{style}"><tr>{th}</tr>{body}</table>'


def _red_rows(c: Content) -> list[list]:
    return [
        [r.project_id, r.name, r.manager, r.why]
        for r in c.red.head(RED_LIMIT).itertuples(index=False)
    ]


def _stale_rows(c: Content) -> list[list]:
    return [
        [r.manager, r.project_id, r.name, fmt.day(r.last_report_date, "never"),
         "" if pd.isna(r.days) else f"{r.days:.0f}"]
        for r in c.not_reported.itertuples(index=False)
    ]  # fmt: skip


def subject(c: Content) -> str:
    return f"Portfolio review {c.review_date.date()}: the headline"


def html_body(c: Content, chart_cids: list[str], app_url: str = "") -> str:
    day = c.review_date.date().isoformat()
    since = f" (change since {c.compare_date.date()})" if c.compare_date is not None else ""
    parts = [
        '<html><body style="font-family:Arial,Helvetica,sans-serif;color:#1a1a1a">',
        f"<h1 style='font-size:22px'>Portfolio review of {_e(day)}</h1>",
        f"<h2 style='font-size:18px'>Headline{_e(since)}</h2>",
        _table(["Figure", "This review", "Change"], [list(t) for t in c.tiles]),
        "<h2 style='font-size:18px'>For the minutes</h2>",
        "<ul>" + "".join(f"<li>{_e(line)}</li>" for line in c.minutes) + "</ul>",
    ]
    for cid, (title, _png) in zip(chart_cids, c.charts, strict=True):
        parts.append(
            f'<p><img src="cid:{cid.strip("<>")}" alt="{_e(title)}" width="720" '
            'style="max-width:100%"></p>'
        )
    n_red = len(c.red)
    parts.append(f"<h2 style='font-size:18px'>Red and watermelon projects ({n_red})</h2>")
    if n_red:
        parts.append(_table(["Project", "Name", "Manager", "Why"], _red_rows(c)))
        if n_red > RED_LIMIT:
            parts.append(f"<p>and {n_red - RED_LIMIT} more: see the attached deck.</p>")
    else:
        parts.append("<p>None.</p>")
    parts.append(f"<h2 style='font-size:18px'>Not reported ({len(c.not_reported)})</h2>")
    if len(c.not_reported):
        parts.append(_table(["Manager", "Project", "Name", "Last report", "Days"], _stale_rows(c)))
    else:
        parts.append("<p>Every project has reported.</p>")
    parts.append("<p>The full review is attached as a PowerPoint deck.")
    if app_url:
        parts.append(f' Open it in PMO Lens: <a href="{_e(app_url)}">{_e(app_url)}</a>.')
    parts.append("</p></body></html>")
    return "\n".join(parts)


def text_body(c: Content, app_url: str = "") -> str:
    day = c.review_date.date().isoformat()
    lines = [f"Portfolio review of {day}", "", "Headline"]
    lines += [f"- {m}: {v}" + (f" ({ch})" if ch else "") for m, v, ch in c.tiles]
    lines += ["", "For the minutes"] + [f"- {line}" for line in c.minutes]
    lines += ["", f"Red and watermelon projects ({len(c.red)})"]
    lines += [f"- {r[0]} {r[1]} ({r[2]}): {r[3]}" for r in _red_rows(c)] or ["- none"]
    lines += ["", f"Not reported ({len(c.not_reported)})"]
    lines += [f"- {r[0]}: {r[1]} {r[2]}, last report {r[3]}" for r in _stale_rows(c)] or ["- none"]
    lines += ["", "The full review is attached as a PowerPoint deck."]
    if app_url:
        lines.append(f"PMO Lens: {app_url}")
    return "\n".join(lines)


def message(c: Content, deck: bytes, config: Config, to: list[str]) -> EmailMessage:
    """The digest mail: text and HTML (charts inline), the deck attached."""
    from cadence import mail

    msg = mail.message(config, ", ".join(to), subject(c), text_body(c, config.mail.app_url))
    cids = [make_msgid(domain="pmo-lens.local") for _ in c.charts]
    msg.add_alternative(html_body(c, cids, config.mail.app_url), subtype="html")
    html_part = msg.get_payload()[-1]
    for cid, (_title, png) in zip(cids, c.charts, strict=True):
        html_part.add_related(png, maintype="image", subtype="png", cid=cid, filename=None)
    maintype, subtype = PPTX.split("/")
    msg.add_attachment(
        deck, maintype=maintype, subtype=subtype,
        filename=f"portfolio-review-{c.review_date.date()}.pptx",
    )  # fmt: skip
    return msg


PORTFOLIO = ""  # the notifications row of a digest names no project: it is the portfolio's


def already_sent(engine: Engine, review_date: date, to: list[str]) -> set[str]:
    n = models.notifications
    with engine.connect() as conn:
        rows = conn.execute(
            select(n.c.recipient).where(
                n.c.kind == "digest",
                n.c.review_date == review_date,
                n.c.project_id == PORTFOLIO,
                n.c.recipient.in_(to),
            )
        )
        return set(rows.scalars())


def send(engine: Engine, msg: EmailMessage, review_date: date, to: list[str], url: str) -> set[str]:
    """Send the digest and record a row per recipient in one transaction: a mail that fails
    is not recorded (MailError), one recorded meanwhile by another run fails the insert.
    Returns the recipients the server refused (not recorded; the others got it)."""
    from cadence import mail

    rows = [
        {
            "project_id": PORTFOLIO,
            "recipient": a,
            "kind": "digest",
            "review_date": review_date,
            "sent_at": datetime.now(UTC),
            "message_id": msg["Message-ID"],
        }
        for a in to
    ]
    with mail.connect(url) as sender, engine.begin() as conn:
        conn.execute(insert(models.notifications), rows)
        refused = sender.send(msg)
        if refused:  # it went to the others: only they are recorded
            n = models.notifications
            conn.execute(
                delete(n).where(
                    n.c.kind == "digest",
                    n.c.review_date == review_date,
                    n.c.project_id == PORTFOLIO,
                    n.c.recipient.in_(sorted(refused)),
                )
            )
    return refused
