"""Real-browser helpers: start the app (`python -m ui.serve`, as `make run` does) on a free
loopback port against a given database, and drive Debian's Chromium with Playwright (never a
downloaded browser).

Use in a test module:  from tests.browser import live_app, browser_page  (both are fixtures).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"  # screenshots from test runs; git-ignored


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(
    database_url: str,
    log: Path,
    cwd: Path = ROOT,
    port: int | None = None,
    timeout: float = 90,
) -> tuple[subprocess.Popen, str]:
    """Start the app on a free port (or ``port``) with ``cwd`` as its working directory (where
    Streamlit reads .streamlit/); return the process and its base URL once it answers (within
    ``timeout`` seconds)."""
    port = port or free_port()
    env = {**os.environ, "PMO_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    cmd = [
        sys.executable, "-m", "ui.serve",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    wait_for_health(proc, url, log, timeout)
    return proc, url


def wait_for_health(proc: subprocess.Popen, url: str, log: Path, timeout: float = 90) -> None:
    """Wait until the app at ``url`` answers its health check; stop it and raise with the end
    of its ``log`` when it exits or does not answer within ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer on {url}: {log.read_text()[-2000:]}")


def computed(url: str, cache: str) -> int:
    """How many times the app at ``url`` computed its cached function ``ui.data.<cache>``
    (Streamlit's own metrics, ``/_stcore/metrics``)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=5) as resp:
        text = resp.read().decode()
    counts = rf'cache_compute_duration_seconds_count\{{cache="ui\.data\.{cache}"[^}}]*\}} (\d+)'
    return sum(int(n) for n in re.findall(counts, text))


def wait_computed(url: str, cache: str, count: int, timeout: float = 60) -> int:
    """``computed(url, cache)`` once it reaches ``count``, or at ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while (seen := computed(url, cache)) < count and time.monotonic() < deadline:
        time.sleep(0.2)
    return seen


def forward_msg(payload):
    """A websocket frame from the app as Streamlit's ``ForwardMsg``; None for a text frame or
    bytes that are not one."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    if isinstance(payload, str):
        return None
    msg = ForwardMsg()
    try:
        msg.ParseFromString(payload)
    except Exception:  # noqa: BLE001 - any frame that is not a ForwardMsg is not ours to read
        return None
    return msg


def stop_app(proc: subprocess.Popen) -> None:
    """Stop the server by its process id (its whole process group)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)


@contextmanager
def oidc_provider(log: Path, users: list[dict]):
    """A local OIDC provider (oidc-provider-mock on 127.0.0.1) offering ``users`` (their
    claims); yields its base URL."""
    port = free_port()
    claims = [arg for user in users for arg in ("--user-claims", json.dumps(user))]
    proc = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--port", str(port), *claims],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                urllib.request.urlopen(f"{url}/.well-known/openid-configuration", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(log.read_text()[-2000:]) from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def signed_in_folder(run: Path, port: int, provider: str) -> Path:
    """``run`` with the repository's .streamlit/config.toml and a secrets.toml whose [auth]
    points at ``provider`` for an app on ``port``, as the docs say; returns ``run``."""
    folder = run / ".streamlit"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", folder / "config.toml")
    (folder / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a-long-random-secret-for-the-test-only"\n'
        'client_id = "pmo-lens"\n'
        'client_secret = "test-secret"\n'
        f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n'
    )
    return run


@pytest.fixture
def live_app(seeded_url, tmp_path, chromium):
    """Base URL of a running app on a private copy of the seeded sample database."""
    proc, url = start_app(seeded_url, tmp_path / "streamlit.log")
    yield url
    stop_app(proc)


@contextmanager
def chromium_page(chromium: str):
    """A Playwright page in headless Debian Chromium, 1600x1000, downloads allowed."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        context = browser.new_context(
            viewport={"width": 1600, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.set_default_timeout(60_000)
        yield page
        context.close()
        browser.close()


@pytest.fixture
def browser_page(chromium, tmp_path):
    """A Playwright page in headless Debian Chromium for one test (see chromium_page)."""
    with chromium_page(chromium) as page:
        yield page


def wait_for_app(page) -> None:
    """Wait until Streamlit finished running the script (no 'Running...' status widget)."""
    page.wait_for_selector('[data-testid="stApp"]')
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000
    )
    time.sleep(0.5)  # let the last deltas paint


def settle(page) -> None:
    """wait_for_app, then until the page stops adding elements and no skeleton is left (long
    pages keep painting after the script finished)."""
    wait_for_app(page)
    page.wait_for_function(
        """() => {
          const n = document.querySelectorAll('[data-testid="stElementContainer"]').length;
          const same = n === window.__pmoElements;
          window.__pmoElements = n;
          return same && !document.querySelector('[data-testid="stSkeleton"]');
        }""",
        polling=700,
        timeout=90_000,
    )
