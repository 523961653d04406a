"""Signing in through a real OIDC provider in a real browser: a local provider
(oidc-provider-mock on 127.0.0.1), the app configured with ``[auth]`` as the README says, Debian
Chromium. A pm signs in, uploads their projects' workbook and the upload records their identity;
a viewer signs in, has no Upload in the menu and is refused at its address."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest
from sqlalchemy import select

import models
import store
from access.grants import grant
from access.roles import Identity
from data_loaders.ingest import known_projects, parse_file
from sample_data.excel import write_pm_workbooks
from tests.browser import (
    ARTIFACTS,
    browser_page,  # noqa: F401  (a fixture)
    free_port,
    oidc_provider,
    settle,
    signed_in_folder,
    start_app,
    stop_app,
    wait_for_app,
)
from ui import navigation

pytestmark = pytest.mark.browser

USERS = [
    {"sub": "pm-1", "email": "pat.pm@example.org", "name": "Pat PM", "email_verified": True},
    {"sub": "exec-1", "email": "eve.exec@example.org", "name": "Eve Exec", "email_verified": True},
    # The admin's address, typed into accounts the provider never verified: neither may get the
    # admin role (issue "Fail closed", finding 1).
    {
        "sub": "mallory-1",
        "email": "admin@example.org",
        "name": "Mallory",
        "email_verified": "false",
    },
    {"sub": "entra-1", "email": "admin@example.org", "name": "Ann Entra"},  # no claim at all
]


@pytest.fixture
def provider(tmp_path):
    """A local OIDC provider with the users above; its base URL."""
    with oidc_provider(tmp_path / "oidc.log", USERS) as url:
        yield url


@pytest.fixture
def signed_in_app(seeded_url, provider, tmp_path, chromium):
    """The app with [auth] pointing at the local provider, run from a folder holding its
    .streamlit/ (the repository's config.toml and a secrets.toml); roles: the pm has the
    projects of the first PM workbook, the exec is a viewer. Yields (url, engine, workbook)."""
    engine = store.get_engine(seeded_url)
    workbook = write_pm_workbooks(tmp_path / "books")[0]
    parsed = parse_file(workbook.name, workbook.read_bytes(), known_projects(engine))
    mine = sorted({p for df in parsed.frames.values() for p in df["project_id"]})
    grant(engine, None, "admin@example.org", "admin")
    admin = Identity(email="admin@example.org")
    grant(engine, admin, USERS[0]["email"], "pm", mine)
    grant(engine, admin, USERS[1]["email"], "viewer")

    port = free_port()
    run = signed_in_folder(tmp_path / "run", port, provider)
    proc, url = start_app(seeded_url, tmp_path / "streamlit.log", cwd=run, port=port)
    yield url, engine, workbook
    stop_app(proc)


def _sign_in(page, url: str, sub: str, landing: str = "Signed in as") -> None:
    """Sign in as ``sub`` at the provider; wait for ``landing`` (the sidebar's "Signed in as",
    or the no-role screen's words)."""
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/oauth2/authorize**")
    page.locator(f'button[name="sub"][value="{sub}"]').click()
    page.wait_for_url(f"{url}/**")
    page.get_by_text(landing).first.wait_for()
    settle(page)


def _sign_out(page, url: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/end_session**")  # the mock provider's end-session page
    page.goto(url)
    page.get_by_role("button", name="Sign in").wait_for()


def _menu(page) -> list[str]:
    """The page titles in the sidebar menu (each link's text is its icon's name, then the
    title)."""
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    return [text.split("\n")[-1] for text in links]


def test_pm_signs_in_and_uploads_viewer_is_refused(signed_in_app, browser_page):  # noqa: F811
    url, engine, workbook = signed_in_app
    page = browser_page
    # Nothing of the portfolio before sign-in, at any address.
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())  # provider's CSS
    page.goto(f"{url}/risks")
    page.get_by_role("button", name="Sign in").wait_for()
    settle(page)
    assert page.locator('[data-testid="stMetric"]').count() == 0
    assert "Page not found" not in page.locator("body").inner_text()  # the deep link answers

    _sign_in(page, url, "pm-1")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Signed in as Pat PM" in sidebar and "pm" in sidebar
    assert "Upload" in _menu(page) and "Roles" not in _menu(page)
    page.goto(f"{url}/upload")
    settle(page)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(workbook)
    settle(page)
    load = page.get_by_role("button", name=re.compile(r"^Load \d"))  # "Load 242 rows"
    load.wait_for(timeout=120_000)  # the file is parsed in a sandboxed child process
    load.click()
    page.get_by_text("Loaded as upload").wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "sign_in_pm_upload.png", full_page=True)
    with engine.connect() as conn:
        last = conn.execute(
            select(models.uploads).order_by(models.uploads.c.upload_id.desc()).limit(1)
        ).one()
    assert (last.uploaded_by, last.uploaded_by_email, last.uploaded_by_subject) == (
        "Pat PM",
        "pat.pm@example.org",
        "pm-1",
    )

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/end_session**")  # Streamlit sends the user to the provider's
    page.goto(url)  # end-session page (the mock only shows it; a real one signs out there)
    page.get_by_role("button", name="Sign in").wait_for()

    _sign_in(page, url, "exec-1")
    assert "Signed in as Eve Exec" in page.locator('[data-testid="stSidebar"]').inner_text()
    menu = _menu(page)
    assert "This week" in menu and not {"Upload", "SQL sources", "Roles", "Audit"} & set(menu)
    page.goto(f"{url}/upload")
    page.get_by_text("Not allowed: this page is for the pm or pmo or admin role").wait_for()
    assert page.locator('[data-testid="stFileUploader"]').count() == 0


NO_ROLE = "but you have no role in PMO Lens yet"


@pytest.fixture
def trust_default(tmp_path, monkeypatch):
    """pmo_lens.toml trusting the e-mail of the lone [auth] provider ("default") without an
    email_verified claim, as an admin would for Entra ID. Requested before signed_in_app."""
    settings = tmp_path / "pmo_lens.toml"
    settings.write_text('[access]\ntrust_email_without_verified_claim = ["default"]\n')
    monkeypatch.setenv("PMO_CONFIG", str(settings))


def test_unverified_email_never_gets_that_addresss_roles(signed_in_app, browser_page):  # noqa: F811
    url, engine, _ = signed_in_app
    page = browser_page
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    for sub in ("mallory-1", "entra-1"):  # email_verified "false"; no claim, provider not trusted
        _sign_in(page, url, sub, landing=NO_ROLE)
        assert "Roles" not in _menu(page)
        page.goto(f"{url}/roles")
        page.get_by_text(NO_ROLE).wait_for()
        settle(page)
        assert page.get_by_text("Grant a role", exact=True).count() == 0
        assert page.locator('[data-testid="stTextInput"]').count() == 0
        _sign_out(page, url)
    with engine.connect() as conn:  # and nothing was granted
        held = conn.execute(select(models.role_assignments.c.principal)).scalars().all()
    assert sorted(set(held)) == ["admin@example.org", "eve.exec@example.org", "pat.pm@example.org"]


def test_a_trusted_provider_without_the_claim_gets_the_roles(
    trust_default,
    signed_in_app,
    browser_page,  # noqa: F811
):
    url, _, _ = signed_in_app
    page = browser_page
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    _sign_in(page, url, "entra-1")
    sidebar = page.locator('[data-testid="stSidebar"]').inner_text()
    assert "Signed in as Ann Entra" in sidebar and "admin" in sidebar
    assert "Roles" in _menu(page)
    page.goto(f"{url}/roles")
    page.get_by_text("Grant a role", exact=True).wait_for()
    _sign_out(page, url)
    # A claim that is present decides, trusted provider or not: "false" is never verified.
    _sign_in(page, url, "mallory-1", landing=NO_ROLE)
    assert "Roles" not in _menu(page)


def test_cookies_copied_before_sign_out_no_longer_sign_in(signed_in_app, browser_page):  # noqa: F811
    url, engine, _ = signed_in_app
    page = browser_page
    page.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
    _sign_in(page, url, "pm-1")
    copied = [c for c in page.context.cookies() if c["name"].startswith("_streamlit_user")]
    assert copied

    def fresh_browser_with_the_copied_cookies():
        context = page.context.browser.new_context(viewport={"width": 1600, "height": 1000})
        context.add_cookies(copied)
        other = context.new_page()
        other.set_default_timeout(60_000)
        other.goto(url)
        wait_for_app(other)
        return context, other

    # Before sign-out the copy signs in: what the test below takes away.
    context, other = fresh_browser_with_the_copied_cookies()
    other.get_by_text("Signed in as Pat PM").wait_for()
    context.close()

    _sign_out(page, url)
    context, other = fresh_browser_with_the_copied_cookies()
    other.get_by_role("button", name="Sign in").wait_for()
    settle(other)
    text = other.locator("body").inner_text()
    assert "Your session has ended" in text and "signed out after this sign-in" in text
    assert "Signed in as" not in text and other.locator('[data-testid="stMetric"]').count() == 0
    other.goto(f"{url}/upload")  # a deep link: the same sign-in screen
    other.get_by_role("button", name="Sign in").wait_for()
    assert other.locator('[data-testid="stFileUploader"]').count() == 0
    context.close()
    with engine.connect() as conn:  # what ended it: the sign-out kept in the app database
        row = conn.execute(select(models.sign_outs)).one()
    assert (row.provider, row.subject) == ("default", "pm-1")
    # Streamlit's upload endpoint (ui.guard) applies the same rule to the copied cookies.
    put = urllib.request.Request(
        f"{url}/_stcore/upload_file/some-session/some-file",
        data=b"x",
        method="PUT",
        headers={"Cookie": "; ".join(f"{c['name']}={c['value']}" for c in copied)},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(put, timeout=30)
    assert refused.value.code == 403
    assert "signed out after this sign-in" in refused.value.read().decode()


def test_a_secrets_file_broken_while_running_stops_every_page(
    signed_in_app,
    browser_page,  # noqa: F811
    tmp_path,
):
    url, _, _ = signed_in_app
    page = browser_page
    secrets = tmp_path / "run" / ".streamlit" / "secrets.toml"  # as signed_in_app wrote it
    secrets.write_text(secrets.read_text() + 'client_kwargs = { prompt = "login"\n')
    for script in navigation.SCRIPTS:
        page.goto(f"{url}/{navigation.url_path(script)}")
        page.get_by_text("is not valid TOML").wait_for()
        settle(page)
        body = page.locator("body").inner_text()
        assert str(secrets) in body and "Sign-in and roles" in body, script
        assert "Sign-in is off" not in body and "local admin" not in body, script
        assert page.get_by_role("button").filter(has_text="Sign in").count() == 0
        assert page.locator('[data-testid="stMetric"]').count() == 0, script
