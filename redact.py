"""Secrets out of what we show: database URLs, and the driver messages that may quote them.

One rule for every place a URL is printed or displayed (the "database not available" page, the
SQL sources page, the command lines' ``error:`` lines, the benches): the password of the user
part and the value of every secret-looking query parameter become ``***``.

It reads the text alone and never needs SQLAlchemy to parse the URL, so a URL SQLAlchemy
refuses (a bad port, a stray character) is shown masked too, never raw. Imports nothing of
ours: store, data_loaders and the benches all use it.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus

MASK = "***"
# Query keys whose value is a secret, case-insensitive: password, sslpassword, passwd, pwd,
# passphrase, secret, client_secret, token, api_key, sslkey... Masking a harmless value (the
# path in sslkey) costs a little information; showing a secret costs far more.
_SECRET_KEY = re.compile(r"pass|pwd|secret|token|key|credential|auth", re.IGNORECASE)
# A secret written as key=value inside a value or a message: an ODBC string in odbc_connect
# (PWD=...;), a libpq DSN (password='...'), a message quoting either.
_INLINE_SECRET = re.compile(
    r"""\b([\w-]*(?:pass|pwd|secret|token)[\w-]*)\s*=\s*('[^']*'|"[^"]*"|\{[^}]*\}|[^\s;&,]+)""",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^[A-Za-z][\w+.-]*://")
# A URL inside a message: from its scheme to the next blank or quote.
_URL_IN_TEXT = re.compile(r"""[A-Za-z][\w+.-]*://[^\s'"<>]+""")


def shown_url(url: object) -> str:
    """``url`` (a string or a SQLAlchemy URL) as it may be shown: secrets replaced by ***."""
    head, user, password, place, query = _split(_text(url))
    userinfo = "" if user is None else f"{user}{'' if password is None else ':' + MASK}@"
    shown = f"{head}{userinfo}{place}"
    if query is not None:
        pairs = [key if value is None else f"{key}={MASK if secret else value}"
                 for key, value, secret in query]  # fmt: skip
        shown += "?" + "&".join(pairs)
    # Not a URL at all (a libpq "host=... password=..." string) or a secret elsewhere in it.
    return _INLINE_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", shown)


def secrets_of(url: object) -> list[str]:
    """The secret values ``url`` carries, as written and percent-decoded, longest first."""
    _head, _user, password, _place, query = _split(_text(url))
    found = {password} | {value for _key, value, secret in query or [] if secret}
    if password and "@" in password:
        # SQLAlchemy ends the password at its first "@" and takes the rest for the host name,
        # which a driver then quotes ("failed to resolve host 'rest@db'").
        found.add(password.partition("@")[2])
    found |= {unquote_plus(s) for s in found if s}
    return sorted((s for s in found if s), key=len, reverse=True)


def scrub(message: str, *urls: object) -> str:
    """``message`` (a driver error, a traceback line) with the secrets of ``urls`` masked, and
    any URL or ``password=...`` it quotes masked as ``shown_url`` would."""
    for url in urls:
        for secret in secrets_of(url):
            message = message.replace(secret, MASK)
    message = _URL_IN_TEXT.sub(lambda m: shown_url(m.group(0)), message)
    return _INLINE_SECRET.sub(lambda m: f"{m.group(1)}={MASK}", message)


def _text(url: object) -> str:
    # A SQLAlchemy URL's str() hides the user-part password but keeps ?password=: take the
    # whole text and mask both here.
    render = getattr(url, "render_as_string", None)
    return render(hide_password=False) if render else str(url)


def _split(text: str):
    """``scheme://``, user, password, host-port-database, query as (key, value, is_secret).

    The user part ends at the last "@" before the query string. A password may hold "@", "/"
    or "?" when not percent-encoded, so the query starts at the first "?" after the first "@".
    """
    scheme = _SCHEME.match(text)
    head = scheme.group(0) if scheme else ""
    rest = text[len(head) :]
    q = rest.find("?", rest.find("@") + 1)
    place, query = (rest[:q], rest[q + 1 :]) if q >= 0 else (rest, None)
    user = password = None
    at = place.rfind("@")
    if at >= 0:
        userinfo, place = place[:at], place[at + 1 :]
        user, colon, password = userinfo.partition(":")
        password = password if colon else None
    if query is None:
        return head, user, password, place, None
    pairs = []
    for part in query.split("&"):
        key, equals, value = part.partition("=")
        secret = bool(value) and bool(
            _SECRET_KEY.search(unquote_plus(key)) or _INLINE_SECRET.search(unquote_plus(value))
        )
        pairs.append((key, value if equals else None, secret))
    return head, user, password, place, pairs
