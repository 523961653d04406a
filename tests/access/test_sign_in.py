"""Sign-in and the pages by role (AppTest with a signed-in user): what a viewer, a pm, a pmo and
an admin may open; the "not allowed" page at a forbidden address; a pm's Upload offering and
loading only their projects; the Roles and Audit pages; local mode and the server's warning."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

import models
import store
from access.grants import assignments, grant
from access.roles import Identity
from data_loaders.ingest import known_projects, parse_file
from sample_data.excel import write_pm_workbooks
from tests.conftest import ROOT, app_test
from ui import serve
from ui.components import WORD_JOINER

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AUTH = {
    "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
    "cookie_secret": "a-test-secret-that-is-long-enough",
    "client_id": "pmo-lens",
    "client_secret": "secret",
    "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
}
SECRETS_TOML = "[auth]\n" + "".join(f'{key} = "{value}"\n' for key, value in AUTH.items())
ADMIN, PMO, PM, VIEWER = "admin@example.org", "pmo@example.org", "pm@example.org", "exec@x.org"
RESTRICTED = {  # page -> the roles that may open it
    "pages/data/upload.py": {"pm", "pmo", "admin"},
    "pages/data/sources.py": {"pmo", "admin"},
    "pages/admin/audit.py": {"pmo", "admin"},
    "pages/admin/roles.py": {"admin"},
}
ROLE_OF = {ADMIN: "admin", PMO: "pmo", PM: "pm", VIEWER: "viewer"}


def _shown(text: str) -> str:
    """Text as the reader sees it: without the word joiners that stop autolinks (ui.plain)."""
    return text.replace(WORD_JOINER, "")


def _user(email: str | None, name: str = "Someone", **claims) -> dict:
    """st.user as Streamlit fills it after a sign-in: the ID token's claims (a verified e-mail,
    issued now) and the provider's name."""
    if email is None:
        return {"is_logged_in": False}
    return {
        "is_logged_in": True, "email": email, "name": name, "sub": f"sub-{email}",
        "email_verified": True, "iat": int(time.time()), "provider": "default", **claims,
    }  # fmt: skip


def _signed_in(email: str | None, page: str | None = None):
    at = app_test()
    at.secrets["auth"] = AUTH
    at.user = _user(email)
    if page:
        return at.run().switch_page(page).run()
    return at.run()


@pytest.fixture
def roles(seeded_url, tmp_path):
    """The sample with an admin, a pmo, a viewer and a pm of the first PM workbook's projects."""
    engine = store.get_engine(seeded_url)
    workbook = write_pm_workbooks(tmp_path)[0]
    grant(engine, None, ADMIN, "admin")
    admin = Identity(email=ADMIN)
    grant(engine, admin, PMO, "pmo")
    grant(engine, admin, VIEWER, "viewer")
    with engine.connect() as conn:
        ids = sorted(conn.execute(select(models.projects.c.project_id)).scalars())
    return engine, admin, workbook, ids


def _grant_pm_of(engine, admin, workbook) -> list[str]:
    """Grant the pm the projects their workbook reports on; returns them."""
    parsed = parse_file(workbook.name, workbook.read_bytes(), known_projects(engine))
    mine = sorted({p for df in parsed.frames.values() for p in df["project_id"]})
    grant(engine, admin, PM, "pm", mine)
    return mine


def _uploads(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(models.uploads)).scalar()


def test_signed_out_sees_only_the_sign_in_button(seeded_url):
    at = _signed_in(None)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe  # no portfolio data before sign-in


def test_signed_in_without_a_role_sees_nothing(roles):
    at = _signed_in("stranger@example.org")
    assert any("no role in PMO Lens" in w.value for w in at.warning)
    assert not at.metric and not at.dataframe


def test_open_mode_lets_every_signed_in_user_in_and_says_so(seeded_url):
    at = _signed_in("first@example.org")
    assert not at.exception
    assert at.title[0].value == "This week"
    assert any("No role is granted yet" in w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("email", [VIEWER, PM, PMO, ADMIN])
@pytest.mark.slow
def test_each_role_opens_its_pages_and_is_refused_the_others(roles, email):
    engine, admin, workbook, _ = roles
    _grant_pm_of(engine, admin, workbook)
    role = ROLE_OF[email]
    at = _signed_in(email)
    assert not at.exception and at.title[0].value == "This week"
    assert any(f"({email}) · {role}" in _shown(c.value) for c in at.sidebar.caption)
    for page, allowed in RESTRICTED.items():
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        refused = [e.value for e in at.error if e.value.startswith("Not allowed: this page")]
        assert bool(refused) == (role not in allowed), (role, page, refused)
        if refused:  # nothing of the page itself is drawn
            assert not at.get("file_uploader") and not at.dataframe and not at.main.button


@pytest.mark.slow
def test_pm_upload_offers_and_loads_only_their_projects(roles):
    engine, admin, workbook, ids = roles
    mine = _grant_pm_of(engine, admin, workbook)
    at = _signed_in(PM, "pages/data/upload.py")
    assert not at.get("text_input")  # no free-text name: the signed-in identity is recorded
    assert any(f"Your projects: {', '.join(mine)}" in c.value for c in at.caption)
    at.file_uploader(key="upload_file").set_value((workbook.name, workbook.read_bytes(), XLSX))
    at.run()
    assert not at.exception and not at.button(key="upload_commit").disabled
    before = _uploads(engine)
    at.button(key="upload_commit").click().run()
    assert any("Loaded as upload" in s.value for s in at.success)
    assert _uploads(engine) == before + 1
    with engine.connect() as conn:
        row = conn.execute(
            select(models.uploads).order_by(models.uploads.c.upload_id.desc()).limit(1)
        ).one()
    assert (row.uploaded_by, row.uploaded_by_email, row.uploaded_by_subject) == (
        "Someone",
        PM,
        f"sub-{PM}",
    )

    # Another PM's workbook: refused on the page with the pm's projects, and nothing is written.
    other = write_pm_workbooks(workbook.parent / "other")[1]
    at.file_uploader(key="upload_file").set_value((other.name, other.read_bytes(), XLSX)).run()
    refused = [e.value for e in at.error if e.value.startswith("Not allowed")]
    assert refused and ", ".join(mine) in refused[0]
    assert at.button(key="upload_commit").disabled
    assert _uploads(engine) == before + 1


def test_admin_grants_on_the_roles_page_and_the_audit_lists_it(roles):
    engine, _, _, ids = roles
    at = _signed_in(ADMIN, "pages/admin/roles.py")
    assert not at.exception
    at.text_input(key="grant_who").input("new.pm@example.org")
    at.selectbox(key="grant_role").select("pm")
    at.multiselect(key="grant_projects").select(ids[0])
    at.button(key="grant_submit").click()
    at.run()
    assert any("Granted pm to new.pm@example.org" in _shown(s.value) for s in at.success)
    held = {(a["principal"], a["role"]): a["projects"] for a in assignments(engine)}
    assert held[("new.pm@example.org", "pm")] == [ids[0]]

    # A mistake is said plainly and changes nothing.
    at.text_input(key="grant_who").input("not an e-mail")
    at.button(key="grant_submit").click()
    at.run()
    assert any("Nothing was changed" in e.value for e in at.error)
    assert len(assignments(engine)) == len(held)

    at.switch_page("pages/admin/audit.py").run()
    audit = at.dataframe[0].value
    newest = audit.iloc[0]
    assert (newest["who"], newest["action"]) == (ADMIN, "role granted")
    assert "new.pm@example.org" in newest["detail"] and ids[0] in newest["detail"]
    assert (audit["action"] == "sample portfolio").sum() == 26


def test_local_mode_is_the_local_admin_with_a_visible_note(seeded_url):
    at = app_test().run()
    assert any("Sign-in is off" in c.value for c in at.sidebar.caption)
    for page in RESTRICTED:
        at.switch_page(page).run()
        assert not at.exception
        assert not [e for e in at.error if e.value.startswith("Not allowed")], page


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        (["--server.address", "127.0.0.1"], False),
        (["--server.address=::1"], False),
        (["--server.address", "localhost"], False),
        (["--server.address", "0.0.0.0"], True),
        ([], True),  # Streamlit's default listens on every interface
        (["--server.address", "pmo.example.org"], True),
    ],
)
def test_serving_beyond_loopback_without_sign_in_is_refused(args, refused, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here: sign-in is off
    monkeypatch.setenv("HOME", str(tmp_path))
    assert (not serve.is_loopback(serve.address(args))) == refused
    assert (serve.start_refusal(args) is not None) == refused


def _serve(cwd, *args, **env) -> subprocess.CompletedProcess:
    """The real start command, run in ``cwd`` (where Streamlit reads .streamlit/); a port that
    is not a number makes Streamlit itself refuse to start right after our checks."""
    return subprocess.run(
        [sys.executable, "-m", "ui.serve", *args, "--server.port", "x"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_open_local_mode_beyond_loopback_is_refused_unless_allowed(tmp_path):
    out = _serve(tmp_path, "--server.address", "0.0.0.0")
    assert out.returncode == 1
    assert "sign-in is off" in out.stderr and "0.0.0.0" in out.stderr
    assert "allow_open_local_mode = true" in out.stderr  # how to allow it, said plainly
    assert "Traceback" not in out.stderr

    allowed = tmp_path / "open.toml"
    allowed.write_text("[access]\nallow_open_local_mode = true\n")
    out = _serve(tmp_path, "--server.address", "0.0.0.0", PMO_CONFIG=str(allowed))
    assert out.returncode != 0 and "sign-in is off" not in out.stderr  # Streamlit's port error

    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(SECRETS_TOML)
    out = _serve(tmp_path, "--server.address", "0.0.0.0")
    assert out.returncode != 0 and "error:" not in out.stderr  # sign-in on: no refusal


def test_audit_activity_on_an_empty_database_and_with_only_role_changes(empty_url):
    from access import audit

    engine = store.get_engine(empty_url)
    frames = store.read_frames(engine)
    with engine.connect() as conn:
        assert audit.activity(
            frames["uploads"], store.replaced_counts(engine), audit.read_events(conn)
        ).empty
    grant(engine, None, ADMIN, "admin")
    with engine.connect() as conn:
        table = audit.activity(
            frames["uploads"], store.replaced_counts(engine), audit.read_events(conn)
        )
    assert table[["who", "action", "detail"]].values.tolist() == [
        ["nobody", "role granted", f"admin {ADMIN}"]
    ]


def test_one_sign_in_button_per_named_provider(seeded_url):
    at = app_test()
    provider = {k: v for k, v in AUTH.items() if k not in ("redirect_uri", "cookie_secret")}
    at.secrets["auth"] = {
        "redirect_uri": AUTH["redirect_uri"],
        "cookie_secret": AUTH["cookie_secret"],
        "microsoft": provider,
        "keycloak": provider,
    }
    at.user = _user(None)
    at.run()
    assert [b.label for b in at.button] == ["Sign in with Microsoft", "Sign in with Keycloak"]
