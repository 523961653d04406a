"""Open local mode (no [auth]: every visitor is the local admin) serves only this machine: a
browser reaching the app from another address sees a refusal on every page, unless
``[access] allow_open_local_mode`` says otherwise. The app runs in a network namespace this
test makes (a veth pair, 10.213.7.1 on this side and 10.213.7.2 in the namespace), so the
browser reaches it from an address that is not loopback and no packet leaves the machine. The
refusal test starts it with ``streamlit run`` directly, as ui.serve would refuse the address."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser import (
    browser_page,  # noqa: F401  (a fixture)
    free_port,
    settle,
    stop_app,
    wait_for_health,
)
from tests.conftest import ROOT, require
from ui import navigation

pytestmark = pytest.mark.browser


HOST_SIDE, APP_SIDE = "10.213.7.1", "10.213.7.2"


@pytest.fixture
def namespace():
    """A network namespace holding the app's address, reached over a veth pair; its name."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        require("a network namespace for the app needs root and iproute2 (ip)")
    name = f"pmo{os.getpid()}"
    outside, inside = f"pmo{os.getpid()}a", f"pmo{os.getpid()}b"
    steps = [
        ["ip", "netns", "add", name],
        ["ip", "link", "add", outside, "type", "veth", "peer", "name", inside],
        # No IPv6 link-local addresses: one appearing a second later is a network change,
        # on which Chromium aborts the page's requests in flight (net::ERR_NETWORK_CHANGED).
        ["ip", "link", "set", outside, "addrgenmode", "none"],
        ["ip", "link", "set", inside, "addrgenmode", "none"],
        ["ip", "link", "set", inside, "netns", name],
        ["ip", "addr", "add", f"{HOST_SIDE}/30", "dev", outside],
        ["ip", "link", "set", outside, "up"],
        ["ip", "netns", "exec", name, "ip", "addr", "add", f"{APP_SIDE}/30", "dev", inside],
        ["ip", "netns", "exec", name, "ip", "link", "set", inside, "up"],
        ["ip", "netns", "exec", name, "ip", "link", "set", "lo", "up"],
    ]
    try:
        for step in steps:
            subprocess.run(step, check=True, capture_output=True, timeout=30)
        yield name
    finally:  # deleting the namespace deletes the veth pair with it
        subprocess.run(["ip", "netns", "del", name], capture_output=True, timeout=30)
        subprocess.run(["ip", "link", "del", outside], capture_output=True, timeout=30)


def _start(tmp_path, database_url: str, module: list[str], namespace: str, **env):
    """The app from a folder without secrets.toml, in ``namespace`` on its address there;
    returns (process, url)."""
    address = APP_SIDE
    run = tmp_path / "run"
    (run / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", run / ".streamlit" / "config.toml")
    port = free_port()
    log = tmp_path / "streamlit.log"
    proc = subprocess.Popen(
        ["ip", "netns", "exec", namespace,
         sys.executable, "-m", *module, "--server.address", address, "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=run, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "PMO_DATABASE_URL": database_url, "PYTHONPATH": str(ROOT),
             "HOME": str(run), **env},
    )  # fmt: skip
    url = f"http://{address}:{port}"
    wait_for_health(proc, url, log)
    return proc, url


def _seen(page, tmp_path) -> str:
    """What the browser and the server saw, for a failure message (CI keeps no screenshots)."""
    body = page.locator("body").inner_text()
    log = (tmp_path / "streamlit.log").read_text()
    return f"page:\n{body[-1500:]}\nserver log:\n{log[-1500:]}"


def _wait_for_text(page, text: str, tmp_path) -> None:
    """Wait for ``text`` on the page; on a timeout, fail with what the browser and the server
    saw."""
    try:
        page.get_by_text(text).wait_for()
    except PlaywrightTimeout:
        pytest.fail(f"{text!r} never appeared.\n{_seen(page, tmp_path)}")


def test_local_mode_refuses_a_visitor_from_another_address(
    seeded_url,
    tmp_path,
    namespace,
    browser_page,  # noqa: F811
):
    page = browser_page
    proc, url = _start(tmp_path, seeded_url, ["streamlit", "run", str(ROOT / "app.py")], namespace)
    try:
        for script in (navigation.START, "pages/admin/roles.py", "pages/data/upload.py"):
            page.goto(f"{url}/{navigation.url_path(script)}")
            _wait_for_text(page, "Sign-in is off, so this app serves only", tmp_path)
            settle(page)
            body = page.locator("body").inner_text()
            assert f"this request comes from {HOST_SIDE}" in body
            assert "allow_open_local_mode = true" in body and "Sign-in and roles" in body
            assert "you are the local admin" not in body
            assert page.locator('[data-testid="stMetric"]').count() == 0
            assert page.locator('[data-testid="stFileUploader"]').count() == 0
    finally:
        stop_app(proc)


def test_allowed_open_local_mode_serves_the_network(seeded_url, tmp_path, namespace, browser_page):  # noqa: F811
    settings = tmp_path / "open.toml"
    settings.write_text("[access]\nallow_open_local_mode = true\n")
    page = browser_page
    proc, url = _start(tmp_path, seeded_url, ["ui.serve"], namespace, PMO_CONFIG=str(settings))
    try:
        page.goto(url)
        _wait_for_text(page, "Sign-in is off: you are the local admin", tmp_path)
        settle(page)
        assert page.locator('[data-testid="stMetric"]').count() > 0, _seen(page, tmp_path)
    finally:
        stop_app(proc)
