"""Identity fails closed (issue "Fail closed"): only a verified e-mail gets that address's roles;
a secrets.toml or pmo_lens.toml that cannot be used stops every page and the server's start,
never falling back to local mode; sign-out and the session lifetime end a sign-in server-side;
role changes record the acting account. Real SQLite/PostgreSQL databases, AppTest and the real
start command; the browser halves are in test_sign_in_browser.py."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text
from streamlit import config as st_config

import models
import store
from access import sessions
from access.__main__ import main as access_main
from access.grants import assignments, grant, revoke
from access.roles import Identity, from_claims, resolve
from config import ConfigError, get_config, parse_config
from tests.access.test_sign_in import AUTH, SECRETS_TOML
from tests.conftest import ROOT, app_test
from tests.migrations_helpers import at_revision, head_revision
from ui import auth_settings
from ui.components import WORD_JOINER

ADMIN = "admin@example.org"
TRUST_DEFAULT = parse_config({"access": {"trust_email_without_verified_claim": ["default"]}})


def _shown(text: str) -> str:
    return text.replace(WORD_JOINER, "").replace("\\", "")


# --- 1. only a verified e-mail counts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("claims", "config", "email"),
    [
        ({"email_verified": True}, None, ADMIN),
        ({"email_verified": "true"}, None, None),  # a string is not the boolean the spec sends
        ({"email_verified": "false"}, None, None),
        ({"email_verified": False}, None, None),
        ({"email_verified": None}, None, None),
        ({"email_verified": 1}, None, None),
        ({}, None, None),  # no claim at all (Entra ID): not trusted by default
        ({}, TRUST_DEFAULT, ADMIN),  # the admin trusts this provider's e-mail
        ({"provider": "microsoft"}, TRUST_DEFAULT, None),  # another provider: not trusted
        ({"email_verified": "false"}, TRUST_DEFAULT, None),  # a present claim always decides
        (
            {"provider": "microsoft"},
            parse_config({"access": {"trust_email_without_verified_claim": ["microsoft"]}}),
            ADMIN,
        ),
    ],
)
def test_only_a_verified_email_is_used(claims, config, email):
    who = from_claims({"sub": "x", "email": ADMIN, "name": "X", **claims}, config)
    assert who.email == email
    assert who.subject == "x"  # without the e-mail the user is still someone: sub:x


def test_unverified_email_gets_no_roles_but_the_subject_does(sqlite_url):
    engine = store.get_engine(sqlite_url)
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), "sub:x", "viewer")
    with engine.connect() as conn:
        for verified in ("false", "true", None):
            claims = {"sub": "x", "email": ADMIN, "email_verified": verified}
            assert resolve(conn, from_claims(claims)).roles == {"viewer"}
        no_claim = {"sub": "x", "email": ADMIN}
        assert resolve(conn, from_claims(no_claim)).roles == {"viewer"}
        assert resolve(conn, from_claims(no_claim, TRUST_DEFAULT)).roles == {"viewer", "admin"}


def test_trusted_providers_setting_is_checked():
    with pytest.raises(ValueError, match="list of provider names"):
        parse_config({"access": {"trust_email_without_verified_claim": "microsoft"}})
    with pytest.raises(ValueError, match="session_hours must be a number of hours above 0"):
        parse_config({"access": {"session_hours": 0}})
    with pytest.raises(ValueError, match="allow_open_local_mode must be true or false"):
        parse_config({"access": {"allow_open_local_mode": "yes"}})
    shipped = get_config().access
    assert shipped.trust_email_without_verified_claim == ()
    assert shipped.session_hours == 12.0 and shipped.allow_open_local_mode is False


# --- 6. sessions end at sign-out and after the session lifetime --------------------------------

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def _info(issued: datetime | None, sub: str = "pm-1", provider: str = "default") -> dict:
    info = {"sub": sub, "email": "pat@example.org", "provider": provider, "is_logged_in": True}
    return info if issued is None else {**info, "iat": int(issued.timestamp())}


def test_session_refusal(any_db):
    engine = store.get_engine(any_db)
    hour = timedelta(hours=1)
    with engine.connect() as conn:
        assert sessions.session_refusal(conn, _info(NOW - hour), now=NOW) is None
        assert "no issue time" in sessions.session_refusal(conn, _info(None), now=NOW)
        undated = {**_info(None), "iat": "1765097000"}  # a string is no issue time either
        assert "no issue time" in sessions.session_refusal(conn, undated, now=NOW)
        old = _info(NOW - 13 * hour)
        assert "older than 12 hours" in sessions.session_refusal(conn, old, now=NOW)
        longer = parse_config({"access": {"session_hours": 24}})
        assert sessions.session_refusal(conn, old, longer, now=NOW) is None
        no_subject = {k: v for k, v in _info(NOW).items() if k != "sub"}
        assert "no subject" in sessions.session_refusal(conn, no_subject, now=NOW)

    sessions.record_sign_out(engine, _info(NOW - hour), now=NOW - 2 * hour)
    with engine.connect() as conn:  # signed out before this sign-in: it counts
        assert sessions.session_refusal(conn, _info(NOW - hour), now=NOW) is None
    sessions.record_sign_out(engine, _info(NOW - hour), now=NOW - hour)
    with engine.connect() as conn:
        # signed out at the very second it was issued, or after: refused
        assert "signed out" in sessions.session_refusal(conn, _info(NOW - hour), now=NOW)
        assert "signed out" in sessions.session_refusal(conn, _info(NOW - 2 * hour), now=NOW)
        # a later sign-in counts; another subject or provider is not touched
        later = _info(NOW - hour + timedelta(seconds=1))
        assert sessions.session_refusal(conn, later, now=NOW) is None
        assert sessions.session_refusal(conn, _info(NOW - hour, sub="pm-2"), now=NOW) is None
        other = _info(NOW - hour, provider="microsoft")
        assert sessions.session_refusal(conn, other, now=NOW) is None
    # in the caller's transaction too
    with engine.connect().execution_options(pmo_write=True) as conn, conn.begin():
        sessions.record_sign_out(conn, _info(NOW, sub="pm-2"), now=NOW)
    with engine.connect() as conn:
        assert "signed out" in sessions.session_refusal(conn, _info(NOW, sub="pm-2"), now=NOW)


def _user(email: str, **claims) -> dict:
    return {
        "is_logged_in": True, "email": email, "name": "Someone", "sub": f"sub-{email}",
        "email_verified": True, "iat": int(time.time()), "provider": "default", **claims,
    }  # fmt: skip


def _app(user: dict, page: str | None = None):
    at = app_test()
    at.secrets["auth"] = AUTH
    at.user = user
    at.run()
    return at.switch_page(page).run() if page else at


def test_sign_out_is_recorded_and_ends_every_copy_of_the_sign_in(seeded_url):
    engine = store.get_engine(seeded_url)
    grant(engine, None, ADMIN, "admin")
    user = _user(ADMIN, iat=int(time.time()) - 5)
    at = _app(user)
    assert at.title[0].value == "This week"
    at.button(key="sign_out").click().run()
    with engine.connect() as conn:
        row = conn.execute(select(models.sign_outs)).one()
    assert (row.provider, row.subject) == ("default", f"sub-{ADMIN}")
    # The same user info again, as a copy of the cookies would give it: the sign-in screen.
    again = _app(dict(user))
    assert [b.label for b in again.button] == ["Sign in"]
    assert any("Your session has ended" in i.value for i in again.info)
    assert not again.metric and not again.dataframe


@pytest.mark.parametrize(
    "claims", [{"iat": int(time.time()) - 13 * 3600}, {"iat": None}, {"iat": "soon"}]
)
def test_an_old_or_undated_sign_in_shows_the_sign_in_screen(seeded_url, claims):
    grant(store.get_engine(seeded_url), None, ADMIN, "admin")
    user = {k: v for k, v in _user(ADMIN, **claims).items() if v is not None}
    at = _app(user)
    assert not at.exception
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe


def test_unverified_admin_email_sees_the_no_role_screen(seeded_url):
    grant(store.get_engine(seeded_url), None, ADMIN, "admin")
    for verified in ("false", None):
        user = {k: v for k, v in _user(ADMIN, email_verified=verified).items() if v is not None}
        at = _app(user)
        assert any("no role in PMO Lens" in w.value for w in at.warning)
        assert any("does not confirm it as verified" in c.value for c in at.caption)
        assert not at.metric and not at.dataframe


# --- 2. a configuration that cannot be used stops every page and the start ---------------------


@pytest.fixture
def secrets_files():
    """Point Streamlit's secrets.files option (as --secrets.files would) at test files."""
    saved = st_config.get_option("secrets.files")

    def use(*paths):
        st_config.set_option("secrets.files", [str(p) for p in paths])

    yield use
    st_config.set_option("secrets.files", saved)


BROKEN = SECRETS_TOML + 'client_kwargs = { prompt = "login" \n'  # the table is never closed


def _is_stopped(at, *words: str) -> None:
    """The app shows only the error (every address answers with the same screen: the browser
    test opens each)."""
    assert not at.exception
    errors = [_shown(e.value) for e in at.error]
    assert errors and all(w in errors[0] for w in words), errors
    assert "See “Sign-in and roles” in the docs" in errors[0]
    assert not at.sidebar.caption and not at.metric and not at.dataframe and not at.button
    assert not at.get("file_uploader") and not at.get("text_input")


def test_broken_secrets_file_stops_the_app(seeded_url, tmp_path, secrets_files):
    grant(store.get_engine(seeded_url), None, ADMIN, "admin")  # roles exist
    broken = tmp_path / "secrets.toml"
    broken.write_text(BROKEN)
    secrets_files(broken)
    at = app_test().run()
    _is_stopped(at, str(broken), "not valid TOML", "stays closed")
    assert not any("Sign-in is off" in c.value for c in at.sidebar.caption)


def test_unreadable_secrets_file_stops_the_app(seeded_url, tmp_path, secrets_files):
    folder = tmp_path / "secrets.toml"
    folder.mkdir()  # exists, cannot be read as a file (as root, mode 000 would still read)
    secrets_files(folder)
    at = app_test().run()
    assert any("cannot read the secrets file" in _shown(e.value) for e in at.error)


@pytest.mark.parametrize(
    ("auth", "words"),
    [
        ("not a table", "[auth] must be a table"),
        ({k: v for k, v in AUTH.items() if k != "cookie_secret"}, "lacks cookie_secret"),
        ({k: v for k, v in AUTH.items() if k != "client_id"}, "lacks client_id"),
        ({**AUTH, "redirect_uri": "http://127.0.0.1:8501/"}, "end with /oauth2callback"),
        (
            {
                "redirect_uri": AUTH["redirect_uri"],
                "cookie_secret": "s" * 32,
                "microsoft": {"client_id": "x"},
            },
            "[auth.microsoft] lacks client_secret and server_metadata_url",
        ),  # fmt: skip
    ],
)
def test_unusable_auth_stops_the_app(seeded_url, auth, words):
    at = app_test()
    at.secrets["auth"] = auth
    at.run()
    _is_stopped(at, words, "cannot work")


def test_broken_pmo_config_stops_the_app(seeded_url, tmp_path, monkeypatch):
    bad = tmp_path / "pmo.toml"
    bad.write_text("[access\nsession_hours = 1\n")
    monkeypatch.setenv("PMO_CONFIG", str(bad))
    with pytest.raises(ConfigError, match="not valid TOML"):
        get_config()
    at = app_test().run()
    assert not at.exception
    assert any(str(bad) in _shown(e.value) for e in at.error)
    assert not any("Sign-in is off" in c.value for c in at.sidebar.caption)
    monkeypatch.setenv("PMO_CONFIG", str(tmp_path / "typo.toml"))
    with pytest.raises(ConfigError, match="PMO_CONFIG names .*typo.toml, which is not a file"):
        get_config()


def _serve(cwd, *args, **env) -> subprocess.CompletedProcess:
    """The real start command in ``cwd``; a port that is not a number makes Streamlit itself
    refuse to start right after our checks."""
    return subprocess.run(
        [sys.executable, "-m", "ui.serve", "--server.address", "127.0.0.1", *args,
         "--server.port", "x"],
        cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd), **env},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("secrets", "words"),
    [
        (BROKEN, "is not valid TOML"),
        ("[auth]\nredirect_uri = 'http://x/oauth2callback'\n", "lacks cookie_secret"),
        ("auth = 'on'\n", "[auth] must be a table"),
    ],
)
def test_serve_refuses_to_start_on_unusable_secrets(tmp_path, secrets, words):
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(secrets)
    out = _serve(tmp_path)
    assert out.returncode == 1, out.stderr
    assert out.stderr.startswith("error: ") and words in out.stderr
    assert "secrets.toml" in out.stderr and "Sign-in and roles" in out.stderr
    assert "Traceback" not in out.stderr


def test_serve_refuses_to_start_on_an_unusable_pmo_config(tmp_path):
    bad = tmp_path / "pmo.toml"
    bad.write_text("[access]\nsession_hours = 'long'\n")
    out = _serve(tmp_path, PMO_CONFIG=str(bad))
    assert out.returncode == 1 and "session_hours" in out.stderr and str(bad) in out.stderr
    out = _serve(tmp_path, PMO_CONFIG=str(tmp_path / "missing.toml"))
    assert out.returncode == 1 and "PMO_CONFIG names" in out.stderr
    assert "Traceback" not in out.stderr


def test_auth_settings_reads_the_files_as_streamlit_does(tmp_path):
    home, here = tmp_path / "home.toml", tmp_path / "here.toml"
    assert auth_settings.sign_in_configured([home, here]) is False  # neither file exists
    home.write_text(SECRETS_TOML)
    here.write_text("[other]\nkey = 1\n")
    assert auth_settings.sign_in_configured([home, here]) is True
    here.write_text("[auth]\nredirect_uri = 'http://x/oauth2callback'\n")  # replaces home's
    with pytest.raises(auth_settings.SignInMisconfigured, match=str(here)):
        auth_settings.sign_in_configured([home, here])


# --- role changes record the acting account -----------------------------------------------------


def test_role_changes_record_the_actors_email_and_subject(any_db, capsys):
    engine = store.get_engine(any_db)
    first = Identity(email=ADMIN, subject="adm-1", name="Ada Admin")
    grant(engine, first, ADMIN, "admin")
    grant(engine, first, "pm@example.org", "pm", ["P1"])
    revoke(engine, first, "pm@example.org")
    with pytest.raises(store.WriteRefused):
        grant(engine, Identity(subject="mallory", name="Mallory"), "evil@example.org", "admin")
    with engine.connect() as conn:
        events = conn.execute(select(models.access_events).order_by("id")).all()
        held = conn.execute(select(models.role_assignments)).one()
    assert [(e.event, e.actor, e.actor_email, e.actor_subject) for e in events] == [
        ("grant", ADMIN, ADMIN, "adm-1"),
        ("grant", ADMIN, ADMIN, "adm-1"),
        ("revoke", ADMIN, ADMIN, "adm-1"),
        ("refused", "sub:mallory", None, "mallory"),
    ]
    assert (held.granted_by, held.granted_by_email, held.granted_by_subject) == (
        ADMIN, ADMIN, "adm-1",
    )  # fmt: skip
    assert assignments(engine)[0]["granted_by"] == f"{ADMIN} (sub:adm-1)"

    assert access_main(["log", "--db", any_db]) == 0
    log = capsys.readouterr().out.splitlines()
    assert f"{ADMIN} (sub:adm-1)  grant pm@example.org pm P1" in log[-2]
    assert "sub:mallory  refused" in log[0]


def test_the_audit_page_shows_the_actors_email_and_subject(seeded_url):
    engine = store.get_engine(seeded_url)
    grant(engine, Identity(email=ADMIN, subject=f"sub-{ADMIN}"), ADMIN, "admin")
    at = _app(_user(ADMIN), "pages/admin/roles.py")
    at.text_input(key="grant_who").input("new.viewer@example.org")
    at.selectbox(key="grant_role").select("viewer")
    at.button(key="grant_submit").click().run()
    at.switch_page("pages/admin/audit.py").run()
    newest = at.dataframe[0].value.iloc[0]
    assert (newest["who"], newest["email"], newest["subject"], newest["action"]) == (
        ADMIN, ADMIN, f"sub-{ADMIN}", "role granted",
    )  # fmt: skip


def test_migration_0005_upgrades_an_existing_database(db_url):
    """A database at 0004 with a role and an event: upgrading keeps them (actor columns NULL)
    and adds the sign-outs table."""
    with at_revision(db_url, "0004") as conn:
        conn.execute(text(
            "INSERT INTO role_assignments (principal, role, granted_by, granted_at) "
            "VALUES ('old@example.org', 'admin', 'someone', '2026-01-01 00:00:00')"
        ))  # fmt: skip
        conn.execute(text(
            "INSERT INTO access_events (at, actor, event) "
            "VALUES ('2026-01-01 00:00:00', 'someone', 'grant')"
        ))  # fmt: skip
    upgraded = store.get_engine(db_url)
    columns = {t: {c["name"] for c in inspect(upgraded).get_columns(t)} for t in
               ("role_assignments", "access_events", "sign_outs")}  # fmt: skip
    assert {"granted_by_email", "granted_by_subject"} <= columns["role_assignments"]
    assert {"actor_email", "actor_subject"} <= columns["access_events"]
    assert assignments(upgraded)[0]["granted_by"] == "someone"
    grant(upgraded, Identity(email="old@example.org"), "new@example.org", "viewer")
    sessions.record_sign_out(upgraded, _info(NOW), now=NOW)
    with upgraded.connect() as conn:
        # upgraded to the head (0005 or a later revision)
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == head_revision()
        assert "signed out" in sessions.session_refusal(conn, _info(NOW), now=NOW)
