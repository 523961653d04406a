"""Update requests and reminders: who is due for a review date, one mail per manager with the
update sheet attached, and a ``notifications`` row per project so nothing goes twice.

Who is due reuses the Data quality page's reporting status (analytics.quality.reporting): a
project whose last report is older than the cadence on the review date, "late" or "not
reported", is due. The kind of mail follows the ``[cadence]`` schedule: the request
``request_days_before`` the review, the reminder on the first of ``reminder_days_after`` that
a project is still due (one reminder per project and review: the key of ``notifications``).

A mail is recorded in the same transaction that sends it: the rows are written (the unique key
stops a second run, even a concurrent one), the mail is sent, and only then committed; a mail
that fails rolls its rows back, so it is not recorded as sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

import models
from analytics.quality import reporting
from analytics.staleness import ON_TIME
from cadence import mail, update_sheet
from config import Config

KINDS = ("request", "reminder")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kind_for(today: date, review_date: date, config: Config) -> str | None:
    """The mail the schedule sends ``today`` for ``review_date``, or None."""
    offset = (today - review_date).days
    if offset == -config.cadence.request_days_before:
        return "request"
    if offset in config.cadence.reminder_days_after:
        return "reminder"
    return None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def scheduled_review(today: date, weekday: str, config: Config) -> date | None:
    """For a weekly review on ``weekday`` (mon ... sun): the review date whose request or
    reminder the schedule sends ``today``, or None. Lets one daily job serve every step."""
    wanted = WEEKDAYS.index(weekday[:3].lower())
    reach = max(config.cadence.request_days_before, *config.cadence.reminder_days_after, 0)
    for k in sorted(range(-reach, reach + 1), key=abs):
        review = date.fromordinal(today.toordinal() + k)
        if review.weekday() == wanted and kind_for(today, review, config):
            return review
    return None


def due_projects(frames: dict[str, pd.DataFrame], review_date, config: Config) -> pd.DataFrame:
    """The projects in the review whose report for it is missing (late or not reported)."""
    report = reporting(frames, review_date, config)
    return report[report["status"] != ON_TIME].reset_index(drop=True)


def pm_principals(engine: Engine) -> dict[str, str]:
    """Project id -> the e-mail of a pm assigned to it in the roles table (the first by
    address when several are), for projects whose register gives no manager_email."""
    ra = models.role_assignments
    with engine.connect() as conn:
        rows = conn.execute(
            select(ra.c.project_id, ra.c.principal)
            .where(ra.c.role == "pm", ra.c.project_id.is_not(None))
            .order_by(ra.c.project_id, ra.c.principal)
        ).all()
    out: dict[str, str] = {}
    for pid, principal in rows:
        if mail.is_address(principal):
            out.setdefault(pid, principal)
    return out


def already_sent(engine: Engine, kind: str, review_date: date) -> set[tuple[str, str]]:
    """(project id, recipient) pairs that have had this kind of mail for this review."""
    n = models.notifications
    with engine.connect() as conn:
        rows = conn.execute(
            select(n.c.project_id, n.c.recipient).where(
                n.c.kind == kind, n.c.review_date == review_date
            )
        )
        return {(r.project_id, r.recipient) for r in rows}


@dataclass
class Mail:
    """One mail to plan or send: to whom, for which projects."""

    recipient: str
    manager: str
    kind: str
    projects: pd.DataFrame  # the due projects not yet mailed with this kind
    sheet: update_sheet.UpdateSheet | None = None


@dataclass
class Plan:
    kind: str
    review_date: date
    mails: list[Mail] = field(default_factory=list)
    skipped_sent: int = 0  # projects already mailed with this kind for this review
    no_address: pd.DataFrame = field(default_factory=pd.DataFrame)  # due, nowhere to send


def plan(
    frames: dict[str, pd.DataFrame],
    review_date: date,
    config: Config,
    kind: str,
    pm: dict[str, str],
    sent: set[tuple[str, str]],
    due: pd.DataFrame | None = None,
) -> Plan:
    """The mails to send: the due projects grouped by their manager's address, less those
    already mailed. Pure (the database parts are passed in); ``due`` is
    ``due_projects(frames, review_date, config)`` when the caller keeps it (the app does, per
    data version: it is a snapshot of the whole portfolio)."""
    if due is None:
        due = due_projects(frames, review_date, config)
    if due.empty:
        return Plan(kind=kind, review_date=review_date, no_address=due)
    projects = frames["projects"].set_index("project_id")
    due = due.assign(
        recipient=update_sheet.recipient_of(
            projects.loc[due["project_id"]].reset_index(), pm
        ).to_numpy()
    )
    valid = due["recipient"].map(mail.is_address).astype(bool)
    result = Plan(kind=kind, review_date=review_date, no_address=due[~valid])
    due = due[valid]
    fresh = [(p, r) not in sent for p, r in zip(due["project_id"], due["recipient"], strict=True)]
    result.skipped_sent = len(due) - sum(fresh)
    due = due[pd.Series(fresh, index=due.index, dtype=bool)]  # a list of none picks columns
    for recipient, group in due.groupby("recipient", sort=True):
        managers = sorted({m for m in group["manager"] if m != "(no manager)"})
        result.mails.append(
            Mail(
                recipient=recipient,
                manager=", ".join(managers) or recipient,
                kind=kind,
                projects=group.reset_index(drop=True),
            )
        )
    return result


def upload_link(config: Config) -> str:
    base = config.mail.app_url.rstrip("/")
    return f"{base}/upload" if base else ""


def _when(d: date) -> str:
    return f"{d:%A} {d.day} {d:%B %Y}"


def body(m: Mail, review_date: date, config: Config) -> str:
    """The mail's text (plain text: nothing in it is read as markup)."""
    lines = [f"Hello {m.manager},", ""]
    if m.kind == "request":
        lines.append(
            f"Please send your project update for the portfolio review of {_when(review_date)}."
        )
    else:
        lines.append(
            f"Your project update for the portfolio review of {_when(review_date)} has not "
            "arrived yet. Please send it today."
        )
    lines += ["", "Projects:"]
    for r in m.projects.itertuples():
        last = (
            f"last report {pd.Timestamp(r.last_report_date).date()}"
            if pd.notna(r.last_report_date)
            else "no report yet"
        )
        lines.append(f"- {r.project_id} {r.name}: {last} ({r.status})")
    link = upload_link(config)
    lines += [
        "",
        "The attached sheet holds the values you last reported. Change what changed, keep the "
        "rest, and upload it"
        + (f" on the Upload page: {link} (sign in as usual)." if link else " on the Upload page."),
        "",
        "PMO Lens",
    ]
    return "\n".join(lines)


def subject(m: Mail, review_date: date) -> str:
    n = len(m.projects)
    what = f"{n} project{'s' if n != 1 else ''}"
    if m.kind == "request":
        return f"Update request for the review of {review_date.isoformat()} ({what})"
    return f"Reminder: your update for the review of {review_date.isoformat()} ({what})"


def compose(m: Mail, review_date: date, config: Config):
    msg = mail.message(config, m.recipient, subject(m, review_date), body(m, review_date, config))
    if m.sheet is not None:
        maintype, subtype = XLSX.split("/")
        msg.add_attachment(
            m.sheet.data, maintype=maintype, subtype=subtype, filename=m.sheet.file_name
        )
    return msg


def attach_sheets(p: Plan, frames, config: Config) -> None:
    """Each mail's update sheet: the recipient's due projects, pre-filled."""
    for m in p.mails:
        ids = list(m.projects["project_id"])
        data = update_sheet.build(
            frames, ids, p.review_date, config, manager=m.manager, app_url=upload_link(config)
        )
        m.sheet = update_sheet.UpdateSheet(
            manager=m.manager,
            recipient=m.recipient,
            project_ids=ids,
            file_name=update_sheet.file_name(m.manager.split(",")[0], p.review_date),
            data=data,
        )


@dataclass
class Outcome:
    sent: list[Mail] = field(default_factory=list)
    raced: list[Mail] = field(default_factory=list)  # another run recorded it first
    refused: list[str] = field(default_factory=list)  # one line per mail the server refused
    error: str | None = None  # the connection failed: the mails after it were not sent


def send(engine: Engine, p: Plan, config: Config, url: str, now: datetime | None = None):
    """Send every mail of the plan over one connection; a row per project, committed with the
    mail. A mail the server refuses (a recipient it does not know) is not recorded and the
    others still go (``Outcome.refused``); a failed connection stops the run (``error``)."""
    out = Outcome()
    if not p.mails:
        return out
    try:
        with mail.connect(url) as sender:
            for m in p.mails:
                msg = compose(m, p.review_date, config)
                rows = [
                    {
                        "project_id": pid,
                        "recipient": m.recipient,
                        "kind": p.kind,
                        "review_date": p.review_date,
                        "sent_at": now or datetime.now(UTC),
                        "message_id": msg["Message-ID"],
                    }
                    for pid in m.projects["project_id"]
                ]
                try:
                    with engine.begin() as conn:
                        conn.execute(insert(models.notifications), rows)
                        # raises MailError: the rows roll back
                        if sender.send(msg):
                            raise mail.MailRefused(f"the mail server refused {m.recipient}")
                except IntegrityError:
                    out.raced.append(m)
                    continue
                except mail.MailRefused as exc:
                    out.refused.append(str(exc))
                    continue
                out.sent.append(m)
    except mail.MailError as exc:
        out.error = str(exc)
    return out
