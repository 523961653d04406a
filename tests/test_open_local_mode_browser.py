"""Open local mode (no [auth]: every visitor is the local admin) serves only this machine: a
browser reaching the app from another address sees a refusal on every page, unless
``[access] allow_open_local_mode`` says otherwise. The app is started with ``streamlit run``
directly, as ui.serve would refuse the address; the browser reaches it on the machine's own
network address, which is not loopback."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.browser import (
    browser_page,  # noqa: F401  (a fixture)
    free_port,
    settle,
    stop_app,
)
from tests.conftest import ROOT
from ui import navigation

pytestmark = pytest.mark.browser


def _network_address() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("192.0.2.254", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def _start(tmp_path, database_url: str, module: list[str], address: str, **env):
    """The app from a folder without secrets.toml, on ``address``; returns (process, url)."""
    run = tmp_path / "run"
    (run / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", run / ".streamlit" / "config.toml")
    port = free_port()
    log = tmp_path / "streamlit.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", *module, "--server.address", address, "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=run, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PMO_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
             "HOME": str(run), **env},
    )  # fmt: skip
    url = f"http://{address}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                return proc, url
        except OSError:
            time.sleep(0.3)
    stop_app(proc)
    raise RuntimeError(f"the app did not answer on {url}: {log.read_text()[-2000:]}")


@pytest.fixture
def address():
    found = _network_address()
    if found is None:
        pytest.skip("this machine has no network address besides loopback")
    return found


def test_local_mode_refuses_a_visitor_from_another_address(
    seeded_url,
    tmp_path,
    address,
    browser_page,  # noqa: F811
):
    page = browser_page
    proc, url = _start(tmp_path, seeded_url, ["streamlit", "run", str(ROOT / "app.py")], address)
    try:
        for script in (navigation.START, "pages/admin/roles.py", "pages/data/upload.py"):
            page.goto(f"{url}/{navigation.url_path(script)}")
            page.get_by_text("Sign-in is off, so this app serves only").wait_for()
            settle(page)
            body = page.locator("body").inner_text()
            assert f"this request comes from {address}" in body
            assert "allow_open_local_mode = true" in body and "Sign-in and roles" in body
            assert "you are the local admin" not in body
            assert page.locator('[data-testid="stMetric"]').count() == 0
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
    finally:
        stop_app(proc)


def test_allowed_open_local_mode_serves_the_network(seeded_url, tmp_path, address, browser_page):  # noqa: F811
    settings = tmp_path / "open.toml"
    settings.write_text("[access]\nallow_open_local_mode = true\n")
    page = browser_page
    proc, url = _start(tmp_path, seeded_url, ["ui.serve"], address, PMO_CONFIG=str(settings))
    try:
        page.goto(url)
        page.get_by_text("Sign-in is off: you are the local admin").wait_for()
        settle(page)
        assert page.locator('[data-testid="stMetric"]').count() > 0
    finally:
        stop_app(proc)
