"""Sign-in and roles below the pages: the rules, role changes (python -m access), and the store
refusing a write the acting identity may not make, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select, text

import models
import store
from access import audit
from access.__main__ import main as access_main
from access.grants import assignments, grant, revoke
from access.roles import Identity, from_claims, refusal, resolve
from config import parse_config
from data_loaders.cli import main as ingest_main
from data_loaders.sync_cli import main as sync_main
from sample_data import write_sample
from tests.conftest import ROOT
from tests.db.test_store import _projects, _status
from tests.db.test_sync_db import create_source, write_toml
from tests.ingest_helpers import xlsx

ADMIN, PM, PMO, VIEWER = (
    "admin@example.org",
    "pm@example.org",
    "pmo@example.org",
    "exec@example.org",
)


def _meta(label: str, who: Identity | None, source: str = "upload") -> store.UploadMeta:
    sha = hashlib.sha256(label.encode()).hexdigest()
    return store.UploadMeta(f"{label}.xlsx", sha, 3, "someone", source, b"abc", identity=who)


def _counts(engine) -> dict[str, int]:
    tables = [*models.FACT_TABLES.values(), models.uploads, models.replaced_rows]
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar() for t in tables}


def _events(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return audit.read_events(conn)


@pytest.fixture
def portfolio(db_url):
    """Two projects with one report each, written in open mode; then an admin, a pm of P1, a
    pmo and a viewer."""
    engine = store.get_engine(db_url)
    frames = {
        "projects": _projects("P1", "P2"),
        "status_reports": pd.concat([_status("P1", "2026-03-06"), _status("P2", "2026-03-06")]),
    }
    assert store.write_batch(engine, frames, _meta("base", None)).status == "loaded"
    grant(engine, None, ADMIN, "admin")
    admin = Identity(email=ADMIN)
    grant(engine, admin, PM, "pm", ["P1"])
    grant(engine, admin, PMO, "pmo")
    grant(engine, admin, VIEWER, "viewer")
    return engine


def test_open_mode_every_identity_is_admin_and_nobody_may_write(sqlite_url):
    engine = store.get_engine(sqlite_url)
    with engine.connect() as conn:
        who = resolve(conn, Identity(email=VIEWER))
        nobody = resolve(conn, None)
    assert who.open_mode and who.roles == {"admin"} and refusal(who, "sync") is None
    assert refusal(nobody, "upload", ["P9"]) is None
    frames = {"projects": _projects("P9")}
    assert store.write_batch(engine, frames, _meta("open", None)).status == "loaded"


def test_rules():
    pm = Identity(email=PM, roles=frozenset({"pm"}), projects=frozenset({"P1", "P3"}))
    assert refusal(pm, "upload", ["P1", "P3"]) is None
    assert refusal(pm, "upload", ["P1", "P2"]) == (
        f"{PM} may load data only for their projects (P1, P3), not for P2"
    )
    assert "only pmo or admin may run a SQL sync" in refusal(pm, "sync")
    viewer = Identity(email=VIEWER, roles=frozenset({"viewer"}))
    assert "has the role viewer: only pm (for their own projects), pmo or admin" in refusal(
        viewer, "upload", ["P1"]
    )
    pmo = Identity(email=PMO, roles=frozenset({"pmo"}))
    assert refusal(pmo, "upload", ["P2"]) is None and refusal(pmo, "sync") is None
    assert "only admin may load the sample" in refusal(pmo, "seed")
    assert "only admin may change roles" in refusal(pmo, "roles")
    assert "no role in PMO Lens" in refusal(Identity(email="x@example.org"), "upload")
    assert "--as EMAIL" in refusal(Identity(), "upload")
    assert refusal(Identity(roles=frozenset({"admin"})), "roles") is None


def test_claims_groups_and_unverified_email(sqlite_url):
    cfg = parse_config({"access": {"groups_claim": "roles", "groups": {"PMO Office": "PMO"}}})
    assert cfg.access.groups == {"PMO Office": "pmo"}
    with pytest.raises(ValueError, match="access.groups must map to"):
        parse_config({"access": {"groups": {"Board": "boss"}}})
    with pytest.raises(ValueError, match="access.service_identity: not an e-mail"):
        parse_config({"access": {"service_identity": "etl job"}})
    who = from_claims(
        {
            "email": "Ann@Example.org",
            "email_verified": True,
            "name": "Ann",
            "sub": "abc",
            "roles": ["PMO Office"],
        },
        cfg,
    )
    assert (who.email, who.subject, who.groups) == ("ann@example.org", "abc", ("PMO Office",))
    assert (
        from_claims({"email": "a@example.org", "email_verified": False, "sub": "s"}).email is None
    )
    engine = store.get_engine(sqlite_url)
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), "sub:xyz", "pm", ["P1"])
    with engine.connect() as conn:
        assert resolve(conn, who, cfg).roles == {"pmo"}  # through the group mapping
        assert resolve(conn, who).roles == frozenset()  # without it: no role
        by_subject = resolve(conn, Identity(subject="xyz", email="other@example.org"))
    assert by_subject.roles == {"pm"} and by_subject.projects == {"P1"}


def test_pm_write_of_another_project_changes_nothing(portfolio):
    engine = portfolio
    before = _counts(engine)
    frames = {
        "status_reports": pd.concat(
            [_status("P1", "2026-03-06", "Red"), _status("P2", "2026-03-13")]
        )
    }
    with pytest.raises(store.WriteRefused, match=r"only for their projects \(P1\), not for P2"):
        store.write_batch(engine, frames, _meta("pm-both", Identity(email=PM)))
    assert _counts(engine) == before  # not even P1's row: the whole batch is refused
    refused = _events(engine).iloc[0]
    assert (refused["event"], refused["actor"]) == ("refused", PM)
    assert "upload: " in refused["detail"] and "not for P2" in refused["detail"]


def test_pm_writes_their_project_and_is_recorded(portfolio):
    engine = portfolio
    who = Identity(email=PM, name="Pat Manager", subject="sub-42")
    res = store.write_batch(
        engine, {"status_reports": _status("P1", "2026-03-06", "Red")}, _meta("pm", who)
    )
    assert res.status == "loaded" and res.replaced == {"status_reports": 1}
    with engine.connect() as conn:
        u = models.uploads
        row = conn.execute(
            select(u.c.uploaded_by_email, u.c.uploaded_by_subject).where(
                u.c.upload_id == res.upload_id
            )
        ).one()
    assert tuple(row) == (PM, "sub-42")


def test_viewer_nobody_and_stale_roles_are_refused(portfolio):
    engine = portfolio
    before = _counts(engine)
    frames = {"status_reports": _status("P2", "2026-03-20")}
    # The store reads the roles itself: roles claimed by the caller do not count.
    for who in (Identity(email=VIEWER), None, Identity(email=VIEWER, roles=frozenset({"admin"}))):
        with pytest.raises(store.WriteRefused, match="nothing was written"):
            store.write_batch(engine, frames, _meta(f"viewer-{who}", who))
    with pytest.raises(store.WriteRefused, match="only pmo or admin may run a SQL sync"):
        store.write_batch(engine, frames, _meta("pm-sync", Identity(email=PM), "sql"))
    assert _counts(engine) == before
    assert (_events(engine)["event"] == "refused").sum() == 4
    assert store.write_batch(engine, frames, _meta("pmo", Identity(email=PMO))).status == "loaded"


def test_revoked_role_stops_the_next_write(portfolio):
    engine = portfolio
    assert revoke(engine, Identity(email=ADMIN), PMO) == [("pmo", None)]
    with pytest.raises(store.WriteRefused, match="no role in PMO Lens"):
        store.write_batch(engine, {"projects": _projects("P3")}, _meta("x", Identity(email=PMO)))


def test_seed_only_by_admin(sqlite_url):
    engine = store.get_engine(sqlite_url)
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), PMO, "pmo")
    with pytest.raises(store.WriteRefused, match="only admin may load the sample"):
        write_sample(engine, n_projects=2, identity=Identity(email=PMO))
    assert _counts(engine)["uploads"] == 0
    assert write_sample(engine, n_projects=2, identity=Identity(email=ADMIN)) > 0


def test_roles_on_mariadb(mariadb_url):
    """The migration and a refused and an allowed write on MariaDB, in a private database."""
    name = f"pmo_access_{uuid.uuid4().hex[:10]}"
    admin = create_engine(mariadb_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    try:
        engine = store.get_engine(mariadb_url.rsplit("/", 1)[0] + f"/{name}")
        store.write_batch(engine, {"projects": _projects("P1", "P2")}, _meta("base", None))
        grant(engine, None, ADMIN, "admin")
        grant(engine, Identity(email=ADMIN), PM, "pm", ["P1"])
        before = _counts(engine)
        with pytest.raises(store.WriteRefused, match="not for P2"):
            store.write_batch(
                engine, {"projects": _projects("P2")}, _meta("p2", Identity(email=PM))
            )
        assert _counts(engine) == before
        frames = {"status_reports": _status("P1", "2026-03-06")}
        assert store.write_batch(engine, frames, _meta("p1", Identity(email=PM))).status == "loaded"
        engine.dispose()
    finally:
        store.get_engine.cache_clear()
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


# --- python -m access --------------------------------------------------------------------------


def test_access_cli_grant_list_revoke(sqlite_url, capsys):
    def run(*args):
        code = access_main([*args, "--db", sqlite_url])
        out = capsys.readouterr()
        return code, out.out, out.err

    assert run("list")[1].startswith("no role is granted: the app is open")
    code, _, err = run("grant", PM, "pm", "--project", "P1")
    assert code == 1 and "the first one must be an admin" in err
    assert run("grant", "Admin@Example.org", "admin") == (0, f"granted admin to {ADMIN}\n", "")
    code, _, err = run("grant", VIEWER, "viewer")
    assert code == 1 and "--as EMAIL" in err and "nothing was changed" in err
    assert run("grant", VIEWER, "viewer", "--as", ADMIN)[0] == 0
    code, _, err = run("grant", PMO, "pmo", "--as", VIEWER)
    assert code == 1 and "only admin may change roles" in err
    code, out, err = run("grant", PM, "pm", "--project", "P1", "--project", "P2", "--as", ADMIN)
    assert code == 0 and out == f"granted pm to {PM} for P1, P2\n"
    assert "not in the database yet: P1, P2" in err
    assert "already holds" in run("grant", PM, "pm", "--project", "P1", "--as", ADMIN)[1]
    # usage errors: exit 2, one line, no traceback
    for args in (
        ("grant", PM, "pm", "--as", ADMIN),
        ("grant", VIEWER, "viewer", "--project", "P1", "--as", ADMIN),
        ("grant", "not-an-email", "viewer"),
        ("grant", PM, "boss"),
    ):
        code, _, err = run(*args)
        assert code == 2 and "Traceback" not in err and "error" in err
    _, out, _ = run("list")
    assert [line.split()[:3] for line in out.splitlines()] == [
        [ADMIN, "admin", "(granted"],
        [VIEWER, "viewer", "(granted"],
        [PM, "pm", "P1,"],
    ]
    assert run("revoke", PM, "pm", "--project", "P2", "--as", ADMIN)[1] == (
        f"revoked pm of {PM} for P2\n"
    )
    code, _, err = run("revoke", ADMIN, "--as", ADMIN)
    assert code == 1 and "without any admin" in err
    code, _, err = run("revoke", PMO, "--as", ADMIN)
    assert code == 1 and "does not hold any role" in err
    assert run("revoke", VIEWER, "--as", ADMIN)[0] == 0
    assert run("revoke", PM, "--as", ADMIN)[0] == 0
    code, out, _ = run("revoke", ADMIN, "--as", ADMIN)  # the last role: open again
    assert code == 0 and "the app is open again" in out
    engine = store.get_engine(sqlite_url)
    assert assignments(engine) == []
    events = _events(engine).iloc[::-1]
    changes = events[events["event"] != "refused"]
    assert changes[["actor", "event", "principal", "role", "project_id"]].fillna(
        ""
    ).values.tolist()[:4] == [
        [changes.iloc[0]["actor"], "grant", ADMIN, "admin", ""],
        [ADMIN, "grant", VIEWER, "viewer", ""],
        [ADMIN, "grant", PM, "pm", "P1"],
        [ADMIN, "grant", PM, "pm", "P2"],
    ]
    assert changes.iloc[0]["actor"].startswith("command line (")
    assert (events["event"] == "refused").sum() == 3  # the refusals of who may change roles
    assert "revoke" in run("log")[1]


def test_access_cli_database_problem_is_one_line(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "access", "list", "--db", "postgresql://nobody@127.0.0.1:1/x"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 1 and run.stderr.startswith("error: cannot use the app database")
    assert "Traceback" not in run.stderr


# --- --as on the command lines that write -------------------------------------------------------


def test_ingest_cli_as(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = store.get_engine(url)
    store.write_batch(engine, {"projects": _projects("P1", "P2")}, _meta("base", None))
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), PM, "pm", ["P1"])
    rows = [["Project ID", "Report date", "Overall RAG"], ["P1", "2026-03-06", "Green"]]
    own = tmp_path / "p1.xlsx"
    own.write_bytes(xlsx({"Status": rows}))
    other = tmp_path / "p2.xlsx"
    other.write_bytes(xlsx({"Status": [rows[0], ["P2", "2026-03-06", "Red"]]}))
    before = _counts(engine)

    assert ingest_main(["ingest", str(own), "--db", url]) == 1  # nobody named
    assert "--as EMAIL" in capsys.readouterr().err
    assert ingest_main(["ingest", str(own), "--db", url, "--as", VIEWER]) == 1
    assert "has no role" in capsys.readouterr().err
    assert ingest_main(["ingest", str(other), "--db", url, "--as", PM]) == 1
    assert "only for their projects (P1), not for P2" in capsys.readouterr().out
    assert _counts(engine) == before
    assert ingest_main(["ingest", str(own), "--db", url, "--as", PM, "--dry-run"]) == 0
    assert ingest_main(["ingest", str(own), "--db", url, "--as", PM.upper()]) == 0
    up = store.read_frames(engine)["uploads"].iloc[0]
    assert (up["uploaded_by"], up["uploaded_by_email"], up["source"]) == (PM, PM, "cli")


def test_sync_cli_as_and_service_identity(tmp_path, monkeypatch, capsys):
    prefix = f"s{uuid.uuid4().hex[:8]}_"
    source_url = f"sqlite:///{tmp_path / 'ppm_source.db'}"
    create_source(source_url, prefix)
    monkeypatch.setenv("PPM_DB_URL", source_url)
    path = str(write_toml(tmp_path / "sources", prefix))
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = store.get_engine(url)
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), PM, "pm", ["P1"])
    grant(engine, Identity(email=ADMIN), "etl@example.org", "pmo")

    assert sync_main([path, "--db", url]) == 1
    assert "--as EMAIL" in capsys.readouterr().err
    assert sync_main([path, "--db", url, "--as", PM]) == 1
    assert "only pmo or admin may run a SQL sync" in capsys.readouterr().err
    assert _counts(engine)["uploads"] == 0
    assert sync_main([path, "--db", url, "--dry-run"]) == 0  # reads only: no identity needed
    capsys.readouterr()
    conf = tmp_path / "pmo_lens.toml"
    conf.write_text('[access]\nservice_identity = "ETL@example.org"\n')
    monkeypatch.setenv("PMO_CONFIG", str(conf))
    assert sync_main([path, "--db", url]) == 0, capsys.readouterr().err
    up = store.read_frames(engine)["uploads"].iloc[0]
    assert (up["uploaded_by"], up["uploaded_by_email"]) == ("etl@example.org", "etl@example.org")


@pytest.mark.slow
def test_sample_seed_cli_as(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    grant(store.get_engine(url), None, ADMIN, "admin")
    env = {**os.environ, "PMO_DATABASE_URL": url}
    cmd = [sys.executable, "-m", "sample_data", "seed"]
    run = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "--as EMAIL" in run.stderr and "Traceback" not in run.stderr
    run = subprocess.run(
        [*cmd, "--as", ADMIN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0 and "weekly uploads written" in run.stdout
