"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the mail tests: it keeps every message it
receives, parsed, so a test reads the mail as a mail client would."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    url: str
    messages: list = field(default_factory=list)  # email.message.EmailMessage
    refuse: set = field(default_factory=set)  # addresses the server answers 550 for
    envelopes: list = field(default_factory=list)  # (mail_from, rcpt_tos)

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


class _Handler:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address in self.inbox.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.inbox.messages.append(msg)
        self.inbox.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    from aiosmtpd.controller import Controller

    port = free_port()
    inbox = Inbox(url=f"smtp://127.0.0.1:{port}")
    controller = Controller(_Handler(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def attachments(msg) -> dict[str, bytes]:
    """File name -> bytes of every attachment."""
    return {p.get_filename(): p.get_content() for p in msg.iter_attachments()}
