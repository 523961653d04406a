"""Read-only database users for SQL source tests, made exactly as the docs' recipe says.

The statements below are the recipe of docs/security.md, "SQL sources: run them with a
read-only user", with its names filled in, so the recipe itself is tested: a sync as such a
user must be accepted by the role check (``data_loaders.source_role``), and one as postgres
or root refused.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PASSWORD = "reader-pw"  # the test servers trust local connections; the recipe sets one anyway

# PostgreSQL: the README recipe, one statement per line ({tables}: the mapped tables).
PG_RECIPE = """\
CREATE ROLE {role} LOGIN PASSWORD '{password}'
GRANT CONNECT ON DATABASE {database} TO {role}
GRANT USAGE ON SCHEMA public TO {role}
GRANT SELECT ON {tables} TO {role}
ALTER ROLE {role} SET default_transaction_read_only = on"""

# Only where dblink is installed: its functions may be run by PUBLIC, so revoke that (then grant
# them back to the roles that need dblink).
PG_REVOKE_DBLINK = """\
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                           AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid
           WHERE e.extname = 'dblink'
  LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END $$"""

# MariaDB / MySQL: the README recipe ({tables}: one GRANT per mapped table, or database.*).
# SHOW VIEW: reading a view's columns needs it (SHOW CREATE VIEW).
MARIADB_RECIPE = """\
CREATE USER '{user}'@'%' IDENTIFIED BY '{password}'
GRANT SELECT, SHOW VIEW ON {tables} TO '{user}'@'%'"""


def run(url: str, statements: str | list[str], autocommit: bool = False) -> None:
    """Run statements (a string of one per line, or a list) as the URL's user."""
    if isinstance(statements, str):
        statements = statements.splitlines()
    options = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
    engine = create_engine(url, **options)
    try:
        with engine.begin() as conn:
            for statement in statements:
                conn.execute(text(statement))
    finally:
        engine.dispose()


def as_user(url: str, user: str) -> str:
    """``url`` with another user and the reader password."""
    return make_url(url).set(username=user, password=PASSWORD).render_as_string(False)


@contextmanager
def pg_reader(pg_url: str, tables: list[str], revoke_dblink: bool = True) -> Iterator[str]:
    """A PostgreSQL role made by the recipe, SELECT on ``tables``; yields its URL.

    ``revoke_dblink``: also run the recipe's dblink step when dblink is installed.
    """
    role = f"pmo_reader_{uuid.uuid4().hex[:8]}"
    database = make_url(pg_url).database
    recipe = PG_RECIPE.format(
        role=role, password=PASSWORD, database=f'"{database}"', tables=", ".join(tables)
    )
    run(pg_url, recipe)
    if revoke_dblink and has_dblink(pg_url):
        run(pg_url, [PG_REVOKE_DBLINK])
    try:
        yield as_user(pg_url, role)
    finally:
        run(pg_url, [f"DROP OWNED BY {role}"])  # its grants, in this database and on it
        run(pg_url, [f"DROP ROLE {role}"])


def has_dblink(pg_url: str) -> bool:
    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'dblink'"))
            return found.first() is not None
    finally:
        engine.dispose()


@contextmanager
def mariadb_reader(mariadb_url: str, tables: list[str]) -> Iterator[str]:
    """A MariaDB user made by the recipe, SELECT on ``tables`` of the URL's database."""
    user = f"pmo_reader_{uuid.uuid4().hex[:8]}"
    database = make_url(mariadb_url).database
    create, grant = MARIADB_RECIPE.splitlines()
    statements = [create.format(user=user, password=PASSWORD)] + [
        grant.format(user=user, tables=f"`{database}`.`{t}`") for t in tables
    ]
    run(mariadb_url, statements)
    try:
        yield as_user(mariadb_url, user)
    finally:
        run(mariadb_url, [f"DROP USER '{user}'@'%'"])


@contextmanager
def reader(server: str, url: str, tables: list[str]) -> Iterator[str]:
    """The recipe's read-only user on ``server`` ("postgres" or "mariadb")."""
    make = pg_reader if server == "postgres" else mariadb_reader
    with make(url, tables) as reader_url:
        yield reader_url
