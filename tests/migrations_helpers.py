"""Migration tests: a database brought to one alembic revision, to test the next one on it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine

import store


def alembic_config():
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(store.ROOT / "migrations"))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@contextmanager
def at_revision(url: str, revision: str, downgrade: bool = False) -> Iterator:
    """A connection to ``url`` after upgrading (or ``downgrade``-ing) its schema to
    ``revision``, in the same transaction: rows written there are what the next revision
    finds. The engine is disposed afterwards."""
    from alembic import command

    engine = create_engine(url)
    cfg = alembic_config()
    try:
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if downgrade else command.upgrade)(cfg, revision)
            yield conn
    finally:
        engine.dispose()
