"""Streamlit's download (``/media``) and upload (``/_stcore/upload_file``) endpoints on a running
app with sign-in (``python -m ui.serve`` against the local OIDC provider, Debian Chromium):
a download is served only with the cookie of the signed-in user whose session made it; the
upload endpoint takes bytes only from a signed-in pm (pmo, admin) into their own live session,
refuses an oversized body before reading it, caps what one session holds, and ten 20 MB PUTs
from a signed-out visitor leave the server's memory where it was. See ui/guard.py."""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

import store
from access.grants import grant
from access.roles import Identity
from data_loaders.ingest import known_projects
from sample_data.excel import write_pm_workbooks
from tests.browser import (
    browser_page,  # noqa: F401  (a fixture)
    forward_msg,
    free_port,
    live_app,  # noqa: F401  (a fixture)
    oidc_provider,
    settle,
    signed_in_folder,
    start_app,
    stop_app,
)

pytestmark = pytest.mark.browser

USERS = [
    {"sub": "pm-1", "email": "pat.pm@example.org", "name": "Pat PM", "email_verified": True},
    {"sub": "exec-1", "email": "eve.exec@example.org", "name": "Eve Exec", "email_verified": True},
]
MAX_UPLOAD_MB = 5  # [ingest] max_upload_mb of the app under test
MB = 1_000_000


@pytest.fixture
def provider(tmp_path):
    """A local OIDC provider with the users above; its base URL."""
    with oidc_provider(tmp_path / "oidc.log", USERS) as url:
        yield url


@pytest.fixture
def app(seeded_url, provider, tmp_path, monkeypatch):
    """The app with [auth] on the local provider and max_upload_mb = 5; the pm has one
    project, the exec is a viewer. Yields (base URL, server process)."""
    engine = store.get_engine(seeded_url)
    grant(engine, None, "admin@example.org", "admin")
    admin = Identity(email="admin@example.org")
    grant(engine, admin, USERS[0]["email"], "pm", sorted(known_projects(engine))[:1])
    grant(engine, admin, USERS[1]["email"], "viewer")
    conf = tmp_path / "pmo_lens.toml"
    conf.write_text(f"[ingest]\nmax_upload_mb = {MAX_UPLOAD_MB}\n")
    monkeypatch.setenv("PMO_CONFIG", str(conf))

    port = free_port()
    run = signed_in_folder(tmp_path / "run", port, provider)
    proc, url = start_app(seeded_url, tmp_path / "streamlit.log", cwd=run, port=port)
    yield url, proc
    stop_app(proc)


class Visitor:
    """One browser context (its own cookies) with a page, and the Streamlit session ids its
    page was given (read from the NewSession message on the websocket)."""

    def __init__(self, browser, url: str) -> None:
        self.url = url
        self.context = browser.new_context(viewport={"width": 1600, "height": 1000})
        self.context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.sessions: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        msg = forward_msg(payload)
        if msg is not None and msg.WhichOneof("type") == "new_session":
            self.sessions.append(msg.new_session.initialize.session_id)

    def open(self, path: str = "") -> None:
        self.page.goto(f"{self.url}/{path}")
        settle(self.page)

    def sign_in(self, sub: str) -> None:
        self.open()
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/oauth2/authorize**")
        self.page.locator(f'button[name="sub"][value="{sub}"]').click()
        self.page.wait_for_url(f"{self.url}/**")
        self.page.get_by_text("Signed in as").wait_for()
        settle(self.page)

    @property
    def session(self) -> str:
        """The session of the page as it is now (the last one it was given)."""
        assert self.sessions, "the page got no session"
        return self.sessions[-1]

    @property
    def cookies(self) -> dict[str, str]:
        return {c["name"]: c["value"] for c in self.context.cookies()}


@contextmanager
def _browser(chromium: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            yield browser
        finally:
            browser.close()


def _get(url: str, cookies: dict[str, str] | None = None) -> tuple[int, bytes]:
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers)) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


BOUNDARY = "pmo-lens-test-boundary"
HEAD = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n'
    "Content-Type: text/csv\r\n\r\n"
).encode()
TAIL = f"\r\n--{BOUNDARY}--\r\n".encode()


def _put(
    url: str,
    session: str,
    cookies: dict[str, str],
    size: int,
    *,
    declared: int | None = None,
    chunked: bool = False,
    send_body: bool = True,
) -> int | None:
    """PUT a file of ``size`` bytes to the upload endpoint as the browser does (multipart form,
    the XSRF cookie echoed in X-Xsrftoken); its status, or None when the server closed the
    connection before answering. ``declared`` overrides Content-Length; ``chunked`` sends none;
    ``send_body=False`` sends the headers only and waits 15 s for the answer (None if none)."""
    host = urlparse(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60 if send_body else 15)
    conn.putrequest("PUT", f"/_stcore/upload_file/{session}/{uuid.uuid4()}")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    if chunked:
        conn.putheader("Transfer-Encoding", "chunked")
    else:
        conn.putheader("Content-Length", str(declared or len(HEAD) + size + len(TAIL)))
    if cookies:
        conn.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    if "_streamlit_xsrf" in cookies:
        conn.putheader("X-Xsrftoken", cookies["_streamlit_xsrf"])
    conn.endheaders()
    try:
        if send_body:
            pieces = [HEAD, *[b"a" * min(MB, size - i) for i in range(0, size, MB)], TAIL]
            for piece in pieces:
                conn.send(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            if chunked:
                conn.send(b"0\r\n\r\n")
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server answered and closed without reading the rest: see the status
    try:
        return conn.getresponse().status
    except (ConnectionResetError, http.client.RemoteDisconnected, TimeoutError):
        return None
    finally:
        conn.close()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_download_is_served_only_to_the_signed_in_session_that_made_it(app, chromium):
    url, _ = app
    with _browser(chromium) as browser:
        pm, viewer = Visitor(browser, url), Visitor(browser, url)
        pm.sign_in("pm-1")
        viewer.sign_in("exec-1")  # signed in and live: only not the session that made it
        pm.open("export")
        with pm.page.expect_download() as info:
            pm.page.locator(".st-key-download_review_csv button").click()
        download = info.value
        made = Path(download.path()).read_bytes()
        assert b"project_id" in made.split(b"\n", 1)[0]
        media = download.url
        assert urlparse(media).path.startswith("/media/") and media.endswith(".csv")

        status, body = _get(media)  # the link alone
        assert (status, body) == (403, b"Forbidden: sign in first.\n")
        status, body = _get(media, viewer.cookies)  # another signed-in user
        assert status == 403, (status, body[:200])
        assert b"only to the signed-in session that made it" in body
        forged = {**pm.cookies, "_streamlit_user": pm.cookies["_streamlit_user"][:-4] + "AAAA"}
        assert _get(media, forged)[0] == 403  # a cookie that is not signed by the server
        assert _get(media, pm.cookies) == (200, made)  # its owner, as the browser got it

        copied = pm.cookies
        pm.context.close()  # the browser that made it has gone: its session is not live
        deadline = time.monotonic() + 30
        while _get(media, copied)[0] == 200 and time.monotonic() < deadline:
            time.sleep(0.5)
        assert _get(media, copied)[0] == 403
        viewer.context.close()


def test_the_upload_endpoint_takes_only_a_pms_own_session_and_bounded_bodies(app, chromium):
    url, proc = app
    small = 1000
    with _browser(chromium) as browser:
        visitor = Visitor(browser, url)
        visitor.open()  # the sign-in screen: a real session, the XSRF cookie, no user
        visitor.page.get_by_role("button", name="Sign in").wait_for()
        viewer, pm = Visitor(browser, url), Visitor(browser, url)
        viewer.sign_in("exec-1")
        pm.sign_in("pm-1")

        assert _put(url, visitor.session, visitor.cookies, small) == 403
        assert _put(url, "made-up-session-id", visitor.cookies, small) == 403
        assert _put(url, viewer.session, viewer.cookies, small) == 403
        assert _put(url, pm.session, viewer.cookies, small) == 403  # a viewer, pm's session
        assert _put(url, viewer.session, pm.cookies, small) == 403  # a pm, someone's session
        assert _put(url, pm.session, pm.cookies, small) == 204

        # Over max_upload_mb: refused on the headers alone; the body is never sent.
        over = (MAX_UPLOAD_MB + 1) * MB
        assert _put(url, pm.session, pm.cookies, over, send_body=False) == 413
        # Without Content-Length: refused once the streamed body passes the limit.
        chunked = _put(url, pm.session, pm.cookies, over, chunked=True)
        print(f"chunked {over} bytes: {chunked}")
        assert chunked == 413
        # One session holds at most 2 x max_upload_mb.
        assert _put(url, pm.session, pm.cookies, 4 * MB) == 204
        assert _put(url, pm.session, pm.cookies, 4 * MB) == 204
        assert _put(url, pm.session, pm.cookies, 4 * MB) == 413

        # A signed-out visitor's ten 20 MB PUTs: refused, and the memory stays where it was.
        before = _rss_mb(proc.pid)
        answers = [_put(url, visitor.session, visitor.cookies, 20 * MB) for _ in range(10)]
        assert set(answers) <= {403, None}, answers
        time.sleep(1)
        after = _rss_mb(proc.pid)
        print(f"server RSS {before:.0f} MB -> {after:.0f} MB after {answers}")
        assert after - before < 50, f"server RSS {before:.0f} MB -> {after:.0f} MB"
        for who in (visitor, viewer, pm):
            who.context.close()


def test_without_sign_in_downloads_and_uploads_still_work(live_app, browser_page, tmp_path):  # noqa: F811
    """Local mode (no [auth], loopback): the guard checks no identity; the size limit stays."""
    page, url = browser_page, live_app
    page.goto(f"{url}/export")
    settle(page)
    with page.expect_download() as info:
        page.locator(".st-key-download_review_csv button").click()
    assert b"project_id" in Path(info.value.path()).read_bytes().split(b"\n", 1)[0]

    workbook = write_pm_workbooks(tmp_path / "books")[0]
    page.goto(f"{url}/upload")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(workbook)
    settle(page)
    load = page.get_by_role("button", name=re.compile(r"^Load \d"))
    load.wait_for(timeout=120_000)  # parsed in a sandboxed child process
    load.click()
    page.get_by_text("Loaded as upload").wait_for()

    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    over = 26 * MB  # the shipped [ingest] max_upload_mb is 25
    assert _put(url, str(uuid.uuid4()), cookies, over, send_body=False) == 413
