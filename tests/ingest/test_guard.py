"""ui.guard reads a few Streamlit internals (the "Streamlit internals" section of ui/guard.py).
These tests run each of them against the installed Streamlit, so an upgrade that moves one
fails here, loudly, rather than in production, where the guard would refuse every download
and upload (it fails closed). The guard's behaviour on a running app is in
tests/browser/test_endpoints_browser.py."""

from __future__ import annotations

import inspect
import json
import os
from types import SimpleNamespace

import streamlit
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.runtime import Runtime
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.web.server.server_util import get_cookie_secret
from streamlit.web.server.starlette.starlette_app_utils import create_signed_value

from ui import guard

# Outside a script run Streamlit files everything under this session id.
NO_RUN = "dontcare"


def _file_id(url: str) -> str:
    return os.path.splitext(url.rsplit("/", 1)[-1])[0]


def test_written_for_this_streamlit():
    """The internals were read from Streamlit 1.67; on another version, re-read them (the
    functions of ui/guard.py's last section name what they use) and update this pin."""
    assert streamlit.__version__.startswith("1.67."), streamlit.__version__


def test_a_deferred_download_is_held_by_the_session_that_made_it():
    mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
    guard._track_deferred_downloads(mgr)
    runtime = SimpleNamespace(media_file_mgr=mgr)
    placeholder = mgr.add_deferred(lambda: b"a,b\n1,2\n", "text/csv", "1.2", "review.csv")
    assert guard._sessions_holding(runtime, placeholder) == {NO_RUN}  # the button itself
    made = _file_id(mgr.execute_deferred(placeholder))
    assert mgr.read_file(made).content == b"a,b\n1,2\n"
    assert guard._sessions_holding(runtime, made) == {NO_RUN}
    assert guard._sessions_holding(runtime, "0" * 56) == set()


def test_a_file_given_as_bytes_is_held_by_the_session_that_shows_it():
    mgr = MediaFileManager(MemoryMediaFileStorage("/media"))
    runtime = SimpleNamespace(media_file_mgr=mgr)
    url = mgr.add(b"x,y\n", "text/csv", "1.3", "t.csv", is_for_static_download=True)
    assert guard._sessions_holding(runtime, _file_id(url)) == {NO_RUN}
    mgr.clear_session_refs(NO_RUN)
    assert guard._sessions_holding(runtime, _file_id(url)) == set()


def test_a_manager_without_the_expected_structures_stops_the_start():
    try:
        guard._track_deferred_downloads(SimpleNamespace(execute_deferred=None))
    except RuntimeError as exc:
        assert "1.67" in str(exc)
    else:
        raise AssertionError("the guard started on a MediaFileManager it does not know")


def test_uploaded_bytes_per_session():
    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    runtime = SimpleNamespace(uploaded_file_mgr=mgr)
    mgr.add_file("s1", UploadedFileRec("f1", "a.xlsx", "application/x", b"1" * 1000))
    mgr.add_file("s1", UploadedFileRec("f2", "b.xlsx", "application/x", b"2" * 500))
    mgr.add_file("s2", UploadedFileRec("f3", "c.xlsx", "application/x", b"3" * 7))
    assert guard._held_upload_bytes(runtime, "s1") == 1500
    assert guard._held_upload_bytes(runtime, "nobody") == 0
    mgr.remove_file("s1", "f1")
    assert guard._held_upload_bytes(runtime, "s1") == 500


def test_a_live_sessions_user_is_read_from_the_app_session():
    """Runtime.get_app_session is public; the user the session's websocket signed in with is
    AppSession._user_info (what st.user shows, cleared by st.logout)."""
    assert "session_id" in inspect.signature(Runtime.get_app_session).parameters
    assert "self._user_info = user_info" in inspect.getsource(AppSession.__init__)
    assert "self._user_info.clear()" in inspect.getsource(AppSession.clear_user_info)
    session = SimpleNamespace(_user_info={"is_logged_in": True, "sub": "pm-1"})
    runtime = SimpleNamespace(get_app_session=lambda sid: session if sid == "live" else None)
    assert guard._session_user(runtime, "live") == {"is_logged_in": True, "sub": "pm-1"}
    assert guard._session_user(runtime, "gone") is None


def test_the_signed_user_cookie_is_read_as_streamlit_wrote_it():
    user = {"sub": "pm-1", "email": "pat.pm@example.org", "is_logged_in": True, "provider": None}
    signed = create_signed_value(get_cookie_secret(), "_streamlit_user", json.dumps(user))
    assert guard._cookie_user({"_streamlit_user": signed.decode()}) == user
    forged = create_signed_value("another-secret", "_streamlit_user", json.dumps(user))
    assert guard._cookie_user({"_streamlit_user": forged.decode()}) is None
    assert guard._cookie_user({"_streamlit_user": json.dumps(user)}) is None
    assert guard._cookie_user({}) is None


def test_owner_needs_a_signed_in_user():
    assert guard._owner({"is_logged_in": True, "sub": "a"}) == (None, "a", None)
    assert guard._owner({"is_logged_in": "true", "sub": "a"}) is None
    assert guard._owner({"is_logged_in": True}) is None
    assert guard._owner({}) is None
