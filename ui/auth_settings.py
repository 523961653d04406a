"""Whether sign-in is configured, read from the secrets files the way Streamlit reads them, and
failing closed: a secrets file that cannot be read or parsed, or an ``[auth]`` that cannot
work, is an error that stops the app, never "sign-in is off".

Streamlit itself treats an unparsable secrets.toml like a missing one, so a typo anywhere in
the file would turn sign-in off and make every visitor the local admin. Used by ``ui.serve``
before the server starts and by every page (ui.identity). Nothing here imports streamlit.
"""

from __future__ import annotations

import ipaddress
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

# Where Streamlit reads secrets by default (its secrets.files option): the user's, then the
# working directory's; a later file's [auth] replaces an earlier one's.
SECRETS = [Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit") / "secrets.toml"]
README_HINT = "See “Sign-in and roles” in the docs (docs/sign-in-and-roles.md)."
# What Streamlit's st.login needs: in [auth] itself, and in each provider.
AUTH_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")


class SignInMisconfigured(Exception):
    """Sign-in is asked for but cannot work as configured; the message says what, where, and
    points to the README."""


def auth_section(paths: Iterable[str | Path] = SECRETS) -> tuple[object, str] | None:
    """The ``[auth]`` value of the secrets files and the file it came from, or None without one.

    Raises ``SignInMisconfigured`` for a file that exists but cannot be read or parsed: it may
    hold the ``[auth]`` that should be in force.
    """
    found = None
    for path in map(Path, paths):
        if path.suffix != ".toml":  # a secrets directory (Kubernetes style) holds no tables
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue
        except (OSError, UnicodeDecodeError) as exc:
            raise SignInMisconfigured(
                f"cannot read the secrets file {path} ({_reason(exc)}), so whether sign-in is "
                f"configured is unknown: the app stays closed. {README_HINT}"
            ) from None
        try:
            secrets = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise SignInMisconfigured(
                f"the secrets file {path} is not valid TOML ({exc}), so whether sign-in is "
                f"configured is unknown: the app stays closed. {README_HINT}"
            ) from None
        if "auth" in secrets:
            found = (secrets["auth"], str(path))
    return found


def auth_problem(auth: object) -> str | None:
    """What makes this ``[auth]`` value unusable for sign-in, or None when it can work."""
    if not isinstance(auth, Mapping):
        return "[auth] must be a table ([auth] on a line of its own, then its keys)"
    missing = [key for key in AUTH_KEYS if not _text(auth.get(key))]
    if missing:
        return f"[auth] lacks {_keys(missing)}"
    if not str(auth["redirect_uri"]).rstrip().endswith("/oauth2callback"):
        return "[auth] redirect_uri must end with /oauth2callback"
    named = {name: value for name, value in auth.items() if isinstance(value, Mapping)}
    for name, provider in named.items():
        if "_" in name:  # Streamlit refuses such a provider at sign-in
            return f"the provider name [auth.{name}] must not contain an underscore"
        missing = [key for key in PROVIDER_KEYS if not _text(provider.get(key))]
        if missing:
            return f"[auth.{name}] lacks {_keys(missing)}"
    if not named:  # a single provider, configured in [auth] itself
        missing = [key for key in PROVIDER_KEYS if not _text(auth.get(key))]
        if missing:
            return f"[auth] lacks {_keys(missing)} (or an [auth.NAME] provider table)"
    return None


def misconfigured(problem: str, where: str) -> SignInMisconfigured:
    return SignInMisconfigured(
        f"sign-in is configured in {where} but cannot work: {problem}. The app stays closed "
        f"until it is fixed (it never falls back to open local mode). {README_HINT}"
    )


def sign_in_configured(paths: Iterable[str | Path] = SECRETS) -> bool:
    """Whether the secrets files configure sign-in (``[auth]``); raises ``SignInMisconfigured``
    when a file is unreadable or its ``[auth]`` cannot work."""
    found = auth_section(paths)
    if found is None:
        return False
    auth, where = found
    if problem := auth_problem(auth):
        raise misconfigured(problem, where)
    return True


def is_loopback(host: str) -> bool:
    """Whether ``host`` (an address to listen on, or a client's) is this machine only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # empty (every interface) or a host name
        return False


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _keys(keys: list[str]) -> str:
    return ", ".join(keys[:-1]) + (" and " if len(keys) > 1 else "") + keys[-1]


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text"
    return getattr(exc, "strerror", None) or exc.__class__.__name__
