"""Every write of the app's own data goes through the store's one write path (``store.writing``).

On SQLite that path takes the write lock up front (BEGIN IMMEDIATE): a deferred transaction that
writes beside an upload fails at once in WAL mode when the other writer committed meanwhile.
The test watches the statements a real SQLite database receives (an event listener, nothing of
ours replaced) and asserts each write of the column mappings runs in a writer's transaction.
"""

from __future__ import annotations

from sqlalchemy import event, func, select

import models
import store
from data_loaders.ingest import commit, remember_mappings, remembered_mappings
from tests.ingest_helpers import STATUS_HEADER, TODAY, load, parse, xlsx


def _statements(engine) -> list[tuple[int, str]]:
    """(connection id, SQL) of every statement run on ``engine`` from now on."""
    seen: list[tuple[int, str]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _record(conn, _cursor, statement, _params, _context, _many):
        seen.append((id(conn.connection.dbapi_connection), " ".join(statement.split())))

    return seen


def _begin_of(seen: list[tuple[int, str]], marker: str) -> str:
    """The BEGIN of the transaction in which the first statement containing ``marker`` ran."""
    at = next(i for i, (_, sql) in enumerate(seen) if marker in sql)
    conn = seen[at][0]
    return next(sql for c, sql in reversed(seen[:at]) if c == conn and sql.startswith("BEGIN"))


def test_remembered_mappings_are_written_through_the_write_path(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    book = xlsx({"Status": [STATUS_HEADER, ["P1", TODAY, "Green", 40, 1000000, "Fine"]]})
    written, _ = load(url, book, new_projects="create")  # the project and the layout, once
    assert written.status == "loaded"
    engine = store.get_engine(url)
    parsed = parse(book, known={"P1": "P1"})
    seen = _statements(engine)
    remember_mappings(engine, parsed)  # the same layout again: an UPDATE of its row
    assert _begin_of(seen, "UPDATE column_mappings") == "BEGIN IMMEDIATE"
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(models.column_mappings)).scalar()
    assert count == 1 and len(remembered_mappings(engine)) == 1


def test_a_new_layout_is_inserted_through_the_write_path(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    engine = store.get_engine(url)
    book = xlsx({"Status": [STATUS_HEADER, ["P1", TODAY, "Green", 40, 1000000, "Fine"]]})
    parsed = parse(book, new_projects="create")
    seen = _statements(engine)
    report = commit(engine, parsed, "test", source="upload")
    assert report.status == "loaded", report.all_problems
    assert _begin_of(seen, "INSERT INTO column_mappings") == "BEGIN IMMEDIATE"
