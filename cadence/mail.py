"""Sending mail: the server from ``PMO_SMTP_URL`` or ``[mail] smtp_url``, one connection per
run, and errors as one line with the password masked.

- ``smtp://host:port``: plain SMTP; with a user in the URL, STARTTLS first, then the login (a
  password never goes over an unencrypted connection).
- ``smtps://user:pass@host:port``: TLS from the start (port 465 by default).
"""

from __future__ import annotations

import os
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from urllib.parse import unquote, urlsplit

import redact
from config import Config

ENV = "PMO_SMTP_URL"
TIMEOUT_S = 30
# An address as mails need it: one @, no spaces, angle brackets, commas or line breaks (a value
# from a sheet must never add a header or a second recipient).
_ADDRESS = re.compile(r"^[^@\s<>,;\"()\[\]\\]+@[^@\s<>,;\"()\[\]\\]+\.[^@\s<>,;\"()\[\]\\]+$")


class MailError(Exception):
    """A mail could not be sent; the text is safe to print (the password masked)."""


class MailRefused(MailError):
    """The server refused this one mail (its recipient, its content); the connection is fine
    and the other mails can still go."""


def is_address(value: object) -> bool:
    return isinstance(value, str) and bool(_ADDRESS.fullmatch(value.strip()))


def smtp_url(config: Config) -> str:
    """The mail server's URL: ``PMO_SMTP_URL``, else ``[mail] smtp_url``; "" when neither."""
    return os.environ.get("PMO_SMTP_URL") or config.mail.smtp_url


def shown(url: str) -> str:
    return redact.shown_url(url)


def message(config: Config, to: str, subject: str, text: str, html: str | None = None):
    """A new message from ``[mail] sender`` with its own Message-ID."""
    msg = EmailMessage()
    msg["From"] = config.mail.sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(config.mail.sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    return msg


class Sender:
    """An open connection; ``send`` one message at a time."""

    def __init__(self, smtp: smtplib.SMTP, url: str):
        self._smtp = smtp
        self._url = url

    def send(self, msg: EmailMessage) -> set[str]:
        """Send ``msg``; the recipients the server refused while taking it for the others
        (MailRefused when it refused the mail as a whole)."""
        try:
            refused = self._smtp.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as exc:
            raise MailRefused(
                f"the mail server {shown(self._url)} refused the mail to {msg['To']}: "
                + redact.scrub(str(exc), self._url)
            ) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(
                f"the mail server {shown(self._url)} refused the mail to {msg['To']}: "
                + redact.scrub(str(exc), self._url)
            ) from None
        return {str(a).lower() for a in refused}


@contextmanager
def connect(url: str) -> Iterator[Sender]:
    """A connection to the server at ``url``; MailError (one line) when it cannot be had."""
    if not url:
        raise MailError(
            f"no mail server: set {ENV} (smtp://host:port or smtps://user:password@host:port) "
            "or [mail] smtp_url in pmo_lens.toml"
        )
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailError(
            f"the mail server URL {shown(url)} is not smtp://host:port or smtps://host:port"
        )
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise MailError(f"the mail server URL {shown(url)} has no valid port") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else ""
    smtp: smtplib.SMTP | None = None
    try:
        if parts.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(
                parts.hostname, port, timeout=TIMEOUT_S, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(parts.hostname, port, timeout=TIMEOUT_S)
            if user:
                smtp.starttls(context=ssl.create_default_context())
        if user:
            smtp.login(user, password)
    except (smtplib.SMTPException, OSError) as exc:
        if smtp is not None:
            with suppress(OSError):
                smtp.close()
        raise MailError(
            f"cannot use the mail server {shown(url)}: "
            + redact.scrub(str(exc) or type(exc).__name__, url)
        ) from None
    try:
        yield Sender(smtp, url)
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
