"""A dry run applies the same access check as the real write: a pm's ``--dry-run`` for a project
they do not own says the load would be refused (not "1 row will load"), and a dry run writes
nothing, not even the audit's record of a refusal."""

from __future__ import annotations

import store
from access.grants import grant
from access.roles import Identity
from data_loaders.cli import main as ingest_main
from tests.access.test_access import ADMIN, PM, VIEWER, _counts, _events, _meta
from tests.db.test_store import _projects
from tests.ingest_helpers import xlsx

ROWS = [["Project ID", "Report date", "Overall RAG"], ["P1", "2026-03-06", "Green"]]


def _setup(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = store.get_engine(url)
    store.write_batch(engine, {"projects": _projects("P1", "P2")}, _meta("base", None))
    grant(engine, None, ADMIN, "admin")
    grant(engine, Identity(email=ADMIN), PM, "pm", ["P1"])
    other = tmp_path / "p2.xlsx"
    other.write_bytes(xlsx({"Status": [ROWS[0], ["P2", "2026-03-06", "Red"]]}))
    own = tmp_path / "p1.xlsx"
    own.write_bytes(xlsx({"Status": ROWS}))
    return url, engine, own, other


def test_pm_dry_run_for_a_project_they_do_not_own_says_refused(tmp_path, capsys):
    url, engine, own, other = _setup(tmp_path)
    before, events = _counts(engine), len(_events(engine))

    assert ingest_main(["ingest", str(other), "--db", url, "--as", PM, "--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "rejected" in out and "will load" not in out
    assert "only for their projects (P1), not for P2" in out
    assert "the real run would be refused" in out

    assert ingest_main(["ingest", str(own), "--db", url, "--as", PM, "--dry-run"]) == 0
    assert "1 row will load" in capsys.readouterr().out  # their own project: as before
    assert _counts(engine) == before and len(_events(engine)) == events  # nothing written


def test_dry_run_without_a_role_is_refused_like_the_write(tmp_path, capsys):
    url, engine, own, _other = _setup(tmp_path)
    events = len(_events(engine))
    assert ingest_main(["ingest", str(own), "--db", url, "--dry-run"]) == 1
    assert "--as EMAIL" in capsys.readouterr().err  # nobody named
    assert ingest_main(["ingest", str(own), "--db", url, "--as", VIEWER, "--dry-run"]) == 1
    err = capsys.readouterr().err
    assert "has no role" in err and "the real run would be refused" in err
    assert len(_events(engine)) == events
