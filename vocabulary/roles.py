"""The role names and what a principal is: plain data that ``config`` checks ``[access]``
against and ``access.roles`` builds its rules on."""

from __future__ import annotations

ROLES = ("viewer", "pm", "pmo", "admin")
# A principal is a lower-cased e-mail, or this prefix and an OIDC subject (kept as sent).
SUBJECT_PREFIX = "sub:"


def principal(text: str) -> str:
    """``text`` as a principal: ``sub:SUBJECT`` as given, an e-mail lower-cased.

    Raises ValueError for anything else (a typo must not become a silent non-match).
    """
    text = text.strip()
    if text.startswith(SUBJECT_PREFIX) and len(text) > len(SUBJECT_PREFIX):
        return text
    local, at, domain = text.partition("@")
    if not at or not local or "." not in domain or any(c.isspace() for c in text):
        raise ValueError(f"not an e-mail address (or sub:SUBJECT): {text!r}")
    return text.lower()
