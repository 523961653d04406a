"""Two app processes behind nginx on one PostgreSQL database, as deploy/ configures them: the
nginx config rendered by deploy/nginx/render.py, nginx run in the foreground from a temporary
folder, two ``python -m ui.serve`` processes with the same .streamlit/ (one [auth] cookie
secret) and the same database, a local OIDC provider and Debian Chromium.

One browser is pinned to process A by its route cookie, another to B (the access log says
which process served each request). The first signs in once, through the proxy (the page is
drawn over the websocket through nginx); its sign-in cookies sign the second in on B. A sheet
uploaded through A shows on B's open page at its next rerun. A is stopped: the browser pinned
to A is served by B, still signed in, with A's upload; A started again on its port gets that
browser back and serves the upload too."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import store
from access.grants import grant
from sample_data.seed import write_sample
from tests.browser import (
    ARTIFACTS,
    chromium_page,
    free_port,
    oidc_provider,
    settle,
    signed_in_folder,
    start_app,
    stop_app,
)
from tests.conftest import require
from tests.ingest_helpers import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
RENDER = ROOT / "deploy" / "nginx" / "render.py"
USER = {"sub": "pmo-1", "email": "pat.pmo@example.org", "name": "Pat PMO", "email_verified": True}
PROJECT = "PRJ-0001"
TOKEN = "Cutover rehearsal passed on both data centres"  # the summary the upload brings


@pytest.fixture
def nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        require("nginx missing (make proxy, or apt-get install nginx)")
    return found


class Proxy:
    """nginx in the foreground with deploy/nginx's config for ``upstreams``; its access log
    tells which process served each request."""

    def __init__(self, nginx: str, folder: Path, port: int, upstreams: list[str]) -> None:
        folder.mkdir()
        self.folder, self.url = folder, f"http://127.0.0.1:{port}"
        self.log = folder / "access.log"
        ports = ",".join(u.rsplit(":", 1)[1] for u in upstreams)
        site = subprocess.run(
            [sys.executable, str(RENDER), "--ports", ports, "--listen", f"127.0.0.1:{port}",
             "--access-log", str(self.log)],
            check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        (folder / "pmo-lens.conf").write_text(site)
        # The main context a Debian nginx.conf would give; as root the workers run as root so
        # they may write the temporary folders under pytest's private tmp.
        user = "user root;\n" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(
            f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
            "worker_processes 1;\nevents { worker_connections 256; }\n"
            f"http {{\n  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
            f"  include {folder}/pmo-lens.conf;\n}}\n"
        )
        self.proc = subprocess.Popen(
            [nginx, "-e", str(folder / "error.log"), "-p", str(folder), "-c",
             str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=(folder / "nginx.out").open("w"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self._answers():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(self._errors())
            time.sleep(0.2)

    def _answers(self) -> bool:
        try:
            urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2)
            return True
        except OSError:
            return False

    def _errors(self) -> str:
        out = [p.read_text() for p in (self.folder / "nginx.out", self.folder / "error.log")
               if p.exists()]  # fmt: skip
        return "nginx did not start: " + "\n".join(out)[-2000:]

    def served(self, route: str) -> list[str]:
        """The upstream that finally answered each logged request of ``route``."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        return [
            m.group(1).split(", ")[-1]
            for line in lines
            if f" route={route} " in line and (m := re.search(r" upstream=(.+?) route=", line))
        ]

    def route_to(self, upstream: str) -> str:
        """A route cookie value that nginx hashes to ``upstream`` (asked through the proxy)."""
        for i in range(200):
            route = f"pin{i}"
            req = urllib.request.Request(
                f"{self.url}/_stcore/health", headers={"Cookie": f"pmo_lens_route={route}"}
            )
            urllib.request.urlopen(req, timeout=10).read()
            deadline = time.monotonic() + 5  # nginx logs a request after its response
            while not self.served(route) and time.monotonic() < deadline:
                time.sleep(0.05)
            if self.served(route) == [upstream]:
                return route
        raise AssertionError(f"no route of 200 went to {upstream}: {self.served('pin0')}")

    def stop(self) -> None:
        stop_app(self.proc)


class Cluster:
    def __init__(self, db: str, run: Path, logs: Path, ports: dict[str, int]) -> None:
        self.db, self.run, self.logs, self.ports = db, run, logs, ports
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str) -> None:
        log = self.logs / f"{name}-{len(list(self.logs.glob(f'{name}-*')))}.log"
        self.procs[name], _ = start_app(self.db, log, cwd=self.run, port=self.ports[name])

    def stop(self, name: str) -> None:
        stop_app(self.procs.pop(name))

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.ports[name]}"

    def upstream(self, name: str) -> str:
        return f"127.0.0.1:{self.ports[name]}"


@pytest.fixture
def deployment(pg_url, nginx, chromium, tmp_path):
    """The sample portfolio (12 projects) in a private PostgreSQL database, Pat an admin there;
    processes A and B with one .streamlit/ whose [auth] redirects to the proxy; nginx before
    them. Yields (cluster, proxy)."""
    engine = store.get_engine(pg_url)
    write_sample(engine, n_projects=12)
    grant(engine, None, USER["email"], "admin")
    engine.dispose()
    ports = {"A": free_port(), "B": free_port(), "proxy": free_port()}
    with oidc_provider(tmp_path / "oidc.log", [USER]) as provider:
        run = signed_in_folder(tmp_path / "run", ports["proxy"], provider)
        logs = tmp_path / "logs"
        logs.mkdir()
        cluster = Cluster(pg_url, run, logs, ports)
        proxy = None
        try:
            with ThreadPoolExecutor(2) as both:  # each takes seconds to import and answer
                list(both.map(cluster.start, ["A", "B"]))
            upstreams = [cluster.upstream("A"), cluster.upstream("B")]
            proxy = Proxy(nginx, tmp_path / "nginx", ports["proxy"], upstreams)
            yield cluster, proxy
        finally:
            if proxy:
                proxy.stop()
            for name in list(cluster.procs):
                cluster.stop(name)


def _summary_shown(page) -> str:
    """The Summary text of the project page (after it settled)."""
    settle(page)
    return page.locator('[data-testid="stText"]').first.inner_text()


def _pinned_page(browser, proxy: Proxy, route: str, cookies: list | None = None):
    """A page in a fresh browser context whose route cookie pins it to one process."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.add_cookies([{"name": "pmo_lens_route", "value": route, "url": proxy.url}])
    context.add_cookies(cookies or [])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.route("https://cdn.jsdelivr.net/**", lambda r: r.abort())  # the provider's CSS
    return page


def _leave(page) -> None:
    """Close the page's websocket (a blank page) and let nginx log it."""
    page.goto("about:blank")
    time.sleep(0.5)


def test_two_processes_behind_nginx_share_sign_in_data_and_survive_a_restart(
    deployment, chromium, tmp_path
):
    cluster, proxy = deployment
    on_a, on_b = cluster.upstream("A"), cluster.upstream("B")
    route_a, route_b = proxy.route_to(on_a), proxy.route_to(on_b)
    project_page = f"{proxy.url}/project?project={PROJECT}"
    with chromium_page(chromium) as first:
        # Sign in once, through the proxy, pinned to A: the page is drawn over the websocket
        # through nginx, and every request of it (the sign-in's redirects too) went to A.
        page = _pinned_page(first.context.browser, proxy, route_a)
        page.goto(proxy.url)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/oauth2/authorize**")
        page.locator(f'button[name="sub"][value="{USER["sub"]}"]').click()
        page.wait_for_url(f"{proxy.url}/**")
        page.get_by_text("Signed in as Pat PMO").first.wait_for()
        settle(page)
        assert set(proxy.served(route_a)) == {on_a} and len(proxy.served(route_a)) >= 5

        # The same sign-in cookies in a browser pinned to B: signed in there (one cookie
        # secret), with B's page left open.
        signed_in = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
        assert signed_in
        other = _pinned_page(first.context.browser, proxy, route_b, signed_in)
        other.goto(project_page)
        other.get_by_text("Signed in as Pat PMO").first.wait_for()
        assert TOKEN not in _summary_shown(other)
        assert set(proxy.served(route_b)) == {on_b}

        # An upload through A ...
        sheet = tmp_path / "pmo-status.xlsx"
        sheet.write_bytes(
            xlsx({"Status": [["Project ID", "Report Date", "Overall RAG", "Summary", "Reported By"],
                             [PROJECT, "2026-11-20", "Green", TOKEN, "Pat PMO"]]})
        )  # fmt: skip
        page.goto(f"{proxy.url}/upload")
        settle(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(sheet)
        settle(page)
        load = page.get_by_role("button", name=re.compile(r"^Load \d"))
        load.wait_for(timeout=120_000)  # the file is parsed in a sandboxed child process
        load.click()
        page.get_by_text("Loaded as upload").wait_for()
        assert set(proxy.served(route_a)) == {on_a}  # the upload's PUT went to A's session
        # ... shows on B's open page at its next rerun ("r", Streamlit's rerun key).
        other.locator("body").press("r")
        other.get_by_text(TOKEN).wait_for()
        assert TOKEN in _summary_shown(other)

        # A stops (a restart): the browser pinned to A is carried to B by nginx, still signed
        # in, and sees the upload.
        _leave(page)  # its websocket is logged when it closes: not part of what follows
        cluster.stop("A")
        stopped = time.monotonic()
        seen = len(proxy.served(route_a))
        page.goto(project_page)
        page.get_by_text("Signed in as Pat PMO").first.wait_for()
        assert TOKEN in _summary_shown(page)
        assert set(proxy.served(route_a)[seen:]) == {on_b}
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=ARTIFACTS / "deploy_failover_to_b.png", full_page=True)

        # A again, on its port: once nginx tries it again (fail_timeout, 5 s after it failed)
        # the browser is back on A, which serves the upload.
        _leave(page)
        cluster.start("A")
        time.sleep(max(0.0, stopped + 6 - time.monotonic()))
        seen = len(proxy.served(route_a))
        page.goto(project_page)
        page.get_by_text("Signed in as Pat PMO").first.wait_for()
        assert TOKEN in _summary_shown(page)
        assert set(proxy.served(route_a)[seen:]) == {on_a}
