"""What the database user of a SQL source can do beyond reading, checked at sync start.

A read-only transaction does not stop server functions that act outside it: ``dblink_exec``
writes through a connection of its own, ``pg_terminate_backend`` ends other sessions,
``pg_read_file`` and MariaDB's ``LOAD_FILE`` read the server's files. The query check
(``sql_source.check_query``) refuses such calls in a source query, but a view or a mistake in the
check could still reach them; a user that has only SELECT cannot do harm either way. So a sync
refuses a user that can do more (see docs/security.md, "SQL sources: run them with a read-only
user"), unless the source file says ``allow_privileged_user = true``.

``privileges(conn)`` returns what is wrong, one short phrase each; an empty list is a reader.
It raises ``Unchecked`` for a backend it cannot check.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

README = 'docs/security.md, "SQL sources: run them with a read-only user"'
# Built-in roles that reach outside the database's own tables. Not refused: pg_read_all_data,
# pg_read_all_stats, pg_read_all_settings, pg_monitor (they read, and the query check keeps
# catalogs out of source queries) and BYPASSRLS (it widens which rows are read, writes nothing).
PG_ROLES = {
    "pg_read_server_files": "reads the server's files",
    "pg_write_server_files": "writes the server's files",
    "pg_execute_server_program": "runs programs on the server",
    "pg_signal_backend": "can cancel and end other sessions",
    "pg_write_all_data": "can write every table",
    "pg_checkpoint": "can force checkpoints",
}
# Built-in functions that read or write the server's files or disturb the server. PUBLIC may not
# run them by default; an explicit GRANT EXECUTE would let a reader run them all the same.
PG_FUNCTIONS = (
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "lo_import",
    "lo_export",
    "pg_file_write",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "pg_promote",
    "pg_switch_wal",
    "pg_create_restore_point",
)
# Extensions whose functions connect to other databases (and write there): dblink's functions
# are executable by PUBLIC once it is installed, unless the DBA revokes that.
PG_EXTENSIONS = ("dblink",)
# MySQL / MariaDB privileges a reader may hold.
MYSQL_READING = {"SELECT", "SHOW VIEW", "USAGE"}


class Unchecked(Exception):
    """This backend's privileges cannot be checked here."""


def privileges(conn: Connection) -> list[str]:
    """What the connection's user can do beyond reading; [] for a read-only user."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        return []  # the file is opened read-only (sync.source_engine): nothing to check
    if dialect == "postgresql":
        return _postgres(conn)
    if dialect in ("mysql", "mariadb"):
        return _mysql(conn)
    raise Unchecked(dialect)


def user(conn: Connection) -> str:
    dialect = conn.dialect.name
    if dialect == "postgresql":
        return str(conn.exec_driver_sql("SELECT current_user").scalar())
    if dialect in ("mysql", "mariadb"):
        return str(conn.exec_driver_sql("SELECT CURRENT_USER()").scalar())
    return "(unknown)"


# --- PostgreSQL ----------------------------------------------------------------------------


def _postgres(conn: Connection) -> list[str]:
    found: list[str] = []
    role = conn.execute(
        text(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user"
        )
    ).one()
    if role.rolsuper:
        return ["is a superuser (can do anything, also outside the database)"]
    if role.rolcreaterole:
        found.append("has CREATEROLE (can grant itself other roles)")
    if role.rolcreatedb:
        found.append("has CREATEDB (can create databases)")
    members = conn.execute(
        text(
            "SELECT rolname FROM pg_roles WHERE rolname = ANY(:names) "
            "AND pg_has_role(current_user, oid, 'MEMBER') ORDER BY rolname"
        ),
        {"names": list(PG_ROLES)},
    ).scalars()
    found += [f"is a member of {name} ({PG_ROLES[name]})" for name in members]
    found += _pg_writable(conn)
    found += _pg_writer_roles(conn)
    functions = conn.execute(
        text(
            "SELECT DISTINCT proname FROM pg_proc WHERE proname = ANY(:names) "
            "AND has_function_privilege(oid, 'EXECUTE') ORDER BY proname"
        ),
        {"names": list(PG_FUNCTIONS)},
    ).scalars()
    found += [f"may run {name}()" for name in functions]
    extensions = conn.execute(
        text(
            "SELECT DISTINCT e.extname FROM pg_extension e "
            "JOIN pg_depend d ON d.refclassid = 'pg_extension'::regclass AND d.refobjid = e.oid "
            "AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' "
            "WHERE e.extname = ANY(:names) AND has_function_privilege(d.objid, 'EXECUTE') "
            "ORDER BY e.extname"
        ),
        {"names": list(PG_EXTENSIONS)},
    ).scalars()
    found += [
        f"may run the {name} extension's functions (they connect to other databases and "
        "write there)"
        for name in extensions
    ]
    if conn.exec_driver_sql("SHOW default_transaction_read_only").scalar() != "on":
        found.append(
            "does not have default_transaction_read_only = on (ALTER ROLE ... SET "
            "default_transaction_read_only = on)"
        )
    return found


def _pg_writable(conn: Connection) -> list[str]:
    """CREATE on the database or a schema; a write privilege on any table, view or column."""
    found = []
    if conn.execute(text("SELECT has_database_privilege(current_database(), 'CREATE')")).scalar():
        found.append("has CREATE on the database (can create schemas)")
    schemas = conn.execute(
        text(
            "SELECT nspname FROM pg_namespace WHERE has_schema_privilege(oid, 'CREATE') "
            "AND nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema' ORDER BY 1"
        )
    ).scalars()
    found += [f"has CREATE on schema {name} (can create tables there)" for name in schemas]
    tables = (
        conn.execute(
            text(
                "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                "AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
                "AND (has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER') "
                "OR has_any_column_privilege(c.oid, 'INSERT, UPDATE')) "
                "ORDER BY 1 LIMIT 6"
            )
        )
        .scalars()
        .all()
    )
    if tables:
        more = ", ..." if len(tables) > 5 else ""
        found.append(
            f"may INSERT, UPDATE, DELETE or TRUNCATE (or owns) {', '.join(tables[:5])}{more}"
        )
    return found


def _pg_writer_roles(conn: Connection) -> list[str]:
    """Roles the user may SET ROLE to that can write: a NOINHERIT member does not have their
    privileges until it switches, so has_table_privilege above does not see them."""
    roles = conn.execute(
        text(
            "SELECT r.rolname FROM pg_roles r WHERE r.rolname <> current_user "
            "AND r.rolname NOT LIKE 'pg\\_%' AND pg_has_role(current_user, r.oid, 'MEMBER') "
            "AND (r.rolsuper OR EXISTS (SELECT 1 FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') "
            "AND n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' "
            "AND has_table_privilege(r.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE'))) "
            "ORDER BY 1"
        )
    ).scalars()
    return [f"is a member of {name}, which can write (SET ROLE {name})" for name in roles]


# --- MySQL and MariaDB ---------------------------------------------------------------------

_GRANT = re.compile(r"^GRANT (?P<privs>.+?) ON (?P<on>.+?) TO ", re.IGNORECASE)
_ROLE = re.compile(r"^GRANT (?P<roles>.+?) TO ", re.IGNORECASE)


def _mysql(conn: Connection) -> list[str]:
    lines = [str(row[0]) for row in conn.exec_driver_sql("SHOW GRANTS FOR CURRENT_USER()")]
    return [problem for line in lines for problem in grant_problems(line)]


def grant_problems(line: str) -> list[str]:
    """What one line of SHOW GRANTS allows beyond SELECT, SHOW VIEW and USAGE."""
    found = []
    grant = _GRANT.match(line)
    if grant:
        extra = [p for p in _privileges(grant["privs"]) if p not in MYSQL_READING]
        if extra:
            found.append(f"has {', '.join(extra)} on {grant['on'].strip()}")
    elif (role := _ROLE.match(line)) is not None:
        # A role's privileges are not in this user's SHOW GRANTS: refuse rather than guess.
        found.append(
            f"is granted the role {role['roles'].strip()} (grant SELECT to the user itself)"
        )
    if re.search(r"WITH\s+(?:ADMIN|GRANT)\s+OPTION", line, re.IGNORECASE):
        found.append("may grant its privileges to others (WITH GRANT OPTION)")
    return found


def _privileges(text_: str) -> list[str]:
    """``SELECT (a, b), INSERT`` -> ["SELECT", "INSERT"]: split on commas outside brackets."""
    parts, depth, current = [], 0, ""
    for char in text_:
        depth += (char == "(") - (char == ")")
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [re.sub(r"\(.*\)", "", p).strip().upper() for p in parts if p.strip()]
