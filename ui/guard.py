"""Guards on two of Streamlit's own HTTP endpoints, which no page script ever sees
(the ASGI middleware launcher.py puts in front of the app):

- ``/media/<file>`` serves what ``st.download_button`` made: the review CSV, a table's CSV, a
  deck, a PNG. Every download button in the app is deferred (``data`` is a callable and
  ``on_click="ignore"``), so a file is made only when a user clicks. With sign-in configured,
  a file is served only to a request that carries a valid signed ``_streamlit_user`` cookie
  whose user (provider, subject, e-mail) is the user of a live session holding that file.
- ``/_stcore/upload_file/<session>/<file>`` takes the bytes of ``st.file_uploader``. With
  sign-in configured, only a signed-in user with a role that may upload (pm, pmo, admin; open
  mode counts as admin) may send, and only to a live session of their own. In every mode, a
  body larger than ``[ingest] max_upload_mb`` is refused (413) before it is read: by its
  Content-Length, or while it streams when it has none. One session holds at most
  SESSION_UPLOAD_FACTOR x max_upload_mb of uploaded files, counting uploads in flight.

Without sign-in (local mode, which ui.serve allows on loopback) the identity checks pass.
Refusals are plain text. When a check cannot be made (the database is down, Streamlit changed)
the request is refused: fail closed.

Streamlit's private structures are read in one place, the "Streamlit internals" section at the
end of this file; tests/test_guard.py fails when they change.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import defaultdict
from collections.abc import Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from starlette.responses import PlainTextResponse
from streamlit import config as st_config
from streamlit import runtime

import store
from access import sessions
from access.roles import ROLES, from_claims, resolve
from config import get_config

LOG = logging.getLogger(__name__)

UPLOAD_ROLES = frozenset({"pm", "pmo", "admin"})
# The multipart form around the file: boundary lines, the part's headers, its file name.
MULTIPART_MARGIN = 64 * 1024
# What one session may hold in Streamlit's uploaded-file manager, in files of the largest
# size. The Upload page has one uploader for one file. Replacing that file, the browser sends
# the DELETE of the old one and the PUT of the new one at once, so the new one may arrive
# first: two files at once is normal use. A third is a client that uploads without deleting.
SESSION_UPLOAD_FACTOR = 2

NO_DOWNLOAD = (
    "Forbidden: a download is served only to the signed-in session that made it. "
    "Open the page and click its download button again."
)


@dataclass(frozen=True)
class Refusal:
    status: int
    text: str

    def response(self) -> PlainTextResponse:
        return PlainTextResponse(self.text + "\n", status_code=self.status)


def _endpoint(scope) -> tuple[str, str] | None:
    """("media", file name) or ("upload", "<session>/<file>") for a guarded path, else None."""
    base = (st_config.get_option("server.baseUrlPath") or "").strip("/")
    prefix = f"/{base}/" if base else "/"
    path = scope["path"]
    if not path.startswith(prefix):
        return None
    rest = path[len(prefix) :]
    for kind, start in (("media", "media/"), ("upload", "_stcore/upload_file/")):
        if rest.startswith(start):
            return kind, rest[len(start) :]
    return None


class Guard:
    """ASGI middleware: the checks above, before Streamlit's own handlers (see the module)."""

    def __init__(self, app) -> None:
        self.app = app
        # bytes admitted to each session's uploads and not finished yet (event loop only)
        self.in_flight: dict[str, int] = {}

    async def __call__(self, scope, receive, send) -> None:
        where = _endpoint(scope) if scope["type"] == "http" else None
        if where is None or scope["method"] == "OPTIONS":  # CORS preflight: no content
            await self.app(scope, receive, send)
            return
        kind, rest = where
        cookies = HTTPConnection(scope).cookies
        check = _media_refusal if kind == "media" else _upload_refusal
        try:
            refusal = await run_in_threadpool(check, rest, cookies)
        except Exception:  # a check that cannot be made refuses
            LOG.exception("could not check a request to %s", scope["path"])
            refusal = Refusal(503, "The server could not check this request; try again later.")
        if refusal is not None:
            await refusal.response()(scope, receive, send)
        elif kind == "upload" and scope["method"] == "PUT":
            await self._bounded_upload(scope, receive, send, rest.split("/")[0])
        else:
            await self.app(scope, receive, send)

    async def _bounded_upload(self, scope, receive, send, session_id: str) -> None:
        """Streamlit's upload handler, with the size limits of the module docstring."""
        max_mb = get_config().ingest.max_upload_mb
        max_body = int(max_mb * 1e6) + MULTIPART_MARGIN
        header = HTTPConnection(scope).headers.get("content-length")
        try:
            need = max_body if header is None else int(header)
        except ValueError:
            need = -1
        if need < 0:
            await Refusal(400, "Bad Request: Content-Length is not a number.").response()(
                scope, receive, send
            )
            return
        too_large = Refusal(413, f"Payload Too Large: the upload limit is {max_mb:g} MB.")
        if need > max_body:
            await too_large.response()(scope, receive, send)
            return
        held = _held_upload_bytes(runtime.get_instance(), session_id)
        if held + self.in_flight.get(session_id, 0) + need > SESSION_UPLOAD_FACTOR * max_body:
            await Refusal(
                413,
                f"Payload Too Large: this session already holds {held / 1e6:.1f} MB of uploaded "
                "files. Remove a file from the uploader, or reload the page.",
            ).response()(scope, receive, send)
            return

        received = 0
        started = False

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > max_body:
                    raise _TooLarge
            return message

        async def watched_send(message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        self.in_flight[session_id] = self.in_flight.get(session_id, 0) + need
        try:
            await self.app(scope, limited_receive, watched_send)
        except _TooLarge:
            if started:
                raise
            await too_large.response()(scope, receive, send)
        finally:
            self.in_flight[session_id] -= need
            if self.in_flight[session_id] <= 0:
                del self.in_flight[session_id]


class _TooLarge(Exception):
    """The body grew past the limit while streaming (raised from inside Streamlit's handler)."""


@asynccontextmanager
async def lifespan(_app):
    """After the runtime started: check the internals below exist and record who makes each
    deferred download (st.App's lifespan hook)."""
    _track_deferred_downloads(runtime.get_instance().media_file_mgr)
    yield


# --- the checks (run in a worker thread: they read secrets and the database) -----------------


def _sign_in_configured() -> bool:
    """The app's own answer (ui.identity); a secrets file that cannot be read counts as
    configured, so the checks below run and refuse."""
    from ui import identity  # not at the top: it imports the app's Streamlit caches

    try:
        return identity.sign_in_configured()
    except Exception:
        LOG.exception("cannot read the secrets: guarding the endpoints as if sign-in were on")
        return True


def _session_refused(user_info: Mapping) -> str | None:
    """Why the signed cookie ``user_info`` no longer counts (signed out since, older than the
    session lifetime, undated), or None: the same rule as the pages (access.sessions)."""
    with store.get_engine(store.database_url()).connect() as conn:
        return sessions.session_refusal(conn, user_info)


def _owner(user_info: Mapping) -> tuple | None:
    """Who a cookie or a session is signed in as: (provider, subject, e-mail), None if nobody."""
    if user_info.get("is_logged_in") is not True:
        return None
    who = (user_info.get("provider"), user_info.get("sub"), user_info.get("email"))
    return who if who[1] or who[2] else None


def _signed_in(cookies: Mapping[str, str]) -> tuple[dict | None, Refusal | None]:
    user = _cookie_user(cookies)
    if user is None or _owner(user) is None:
        return None, Refusal(403, "Forbidden: sign in first.")
    why = _session_refused(user)
    if why:
        return None, Refusal(403, f"Forbidden: {why}")
    return user, None


def _media_refusal(name: str, cookies: Mapping[str, str]) -> Refusal | None:
    if not _sign_in_configured():
        return None
    user, refusal = _signed_in(cookies)
    if refusal:
        return refusal
    rt = runtime.get_instance()
    for session_id in _sessions_holding(rt, os.path.splitext(name)[0]):
        info = _session_user(rt, session_id)
        if info is not None and _owner(info) == _owner(user):
            return None
    return Refusal(403, NO_DOWNLOAD)


def _upload_refusal(rest: str, cookies: Mapping[str, str]) -> Refusal | None:
    session_id, _, file_id = rest.partition("/")
    if not session_id or not file_id or "/" in file_id:
        return Refusal(404, "Not Found")
    if not _sign_in_configured():
        return None
    user, refusal = _signed_in(cookies)
    if refusal:
        return refusal
    with store.get_engine(store.database_url()).connect() as conn:
        who = resolve(conn, from_claims(user))
    if not who.roles & UPLOAD_ROLES:
        held = ", ".join(r for r in ROLES if r in who.roles) or "no role"
        return Refusal(403, f"Forbidden: {who.label} ({held}) may not upload.")
    info = _session_user(runtime.get_instance(), session_id)
    if info is None or _owner(info) != _owner(user):
        return Refusal(403, "Forbidden: not a live session of the signed-in user.")
    return None


# --- Streamlit internals (1.67) ----------------------------------------------------------------
# Everything below reads Streamlit structures that are not public API. Each function names
# what it reads; tests/test_guard.py checks them against the installed Streamlit, and
# _track_deferred_downloads stops the server at start when the download ones are gone.

# file id of a deferred download -> the sessions whose click made it
_deferred_owners: dict[str, set[str]] = defaultdict(set)
_owners_lock = threading.Lock()


def _cookie_user(cookies: Mapping[str, str]) -> dict | None:
    """The payload of the request's signed ``_streamlit_user`` cookie (possibly in chunks),
    decoded as Streamlit's websocket handler does (starlette_websocket.
    _get_signed_cookie_with_chunks): None when absent, forged or older than Streamlit's max
    age."""
    from streamlit.auth_util import get_cookie_with_chunks
    from streamlit.web.server.server_util import get_cookie_secret
    from streamlit.web.server.starlette.starlette_app_utils import decode_signed_value
    from streamlit.web.server.starlette.starlette_server_config import USER_COOKIE_NAME

    secret = get_cookie_secret()

    def single(name: str) -> bytes | None:
        raw = cookies.get(name)
        return None if raw is None else decode_signed_value(secret, name, raw.encode("latin-1"))

    raw = get_cookie_with_chunks(single, USER_COOKIE_NAME)
    try:
        payload = json.loads(raw) if raw else None
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None


def _session_user(rt, session_id: str) -> dict | None:
    """The user info a live session signed in with (Streamlit clears it at st.logout), or None
    when the session is not live. Reads ``AppSession._user_info``."""
    session = rt.get_app_session(session_id)  # public: None unless connected
    return None if session is None else dict(session._user_info)


def _sessions_holding(rt, file_id: str) -> set[str]:
    """The sessions that hold media file ``file_id``: those whose click made it (a deferred
    download, recorded by _track_deferred_downloads) and those that show it (a file given as
    bytes; ``MediaFileManager._files_by_session_and_coord``, under its ``_lock``)."""
    mgr = rt.media_file_mgr
    with _owners_lock:
        found = set(_deferred_owners.get(file_id, ()))
    with mgr._lock:
        for session_id, by_place in mgr._files_by_session_and_coord.items():
            if file_id in by_place.values():
                found.add(session_id)
    return found


def _track_deferred_downloads(mgr) -> None:
    """Record which session each deferred download is made for.

    ``MediaFileManager.execute_deferred`` runs a download button's callable on click and
    stores the bytes under a content hash it maps to no session; the session that registered
    the callable is in ``_deferred_callables[placeholder]["session_id"]``. We wrap the method on
    the one manager instance.
    """
    if not hasattr(mgr, "_deferred_callables") or not hasattr(mgr, "_files_by_session_and_coord"):
        raise RuntimeError(
            "ui.guard: this Streamlit version's MediaFileManager is not the one the download "
            "guard was written for (1.67); update ui/guard.py before serving"
        )
    execute = mgr.execute_deferred

    def execute_deferred(placeholder: str) -> str:
        with _owners_lock:  # forget files Streamlit deleted since (an id can come back)
            for gone in [f for f in _deferred_owners if mgr.read_file(f) is None]:
                del _deferred_owners[gone]
        entry = mgr._deferred_callables.get(placeholder)
        url = execute(placeholder)
        if entry:
            with _owners_lock:
                _deferred_owners[os.path.splitext(url.rsplit("/", 1)[-1])[0]].add(
                    entry["session_id"]
                )
        return url

    mgr.execute_deferred = execute_deferred


def _held_upload_bytes(rt, session_id: str) -> int:
    """Bytes of the files ``session_id`` holds in ``MemoryUploadedFileManager.file_storage``."""
    files = rt.uploaded_file_mgr.file_storage.get(session_id) or {}
    return sum(len(f.data) for f in list(files.values()))
