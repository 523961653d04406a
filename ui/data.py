"""The one caching boundary between the database and the pages: the frames and the reviews
built from them.

Every rerun asks the database for its data version (one cheap query); frames are cached per
(database URL, version), so an upload on any replica shows on every replica's next rerun, and
the review (analytics.review.Review) per (URL, version, config, review date, compare date,
filters), so a rerun recomputes nothing it has seen. A database that cannot be reached stops
the page with a plain message, never a traceback. The server fills the cache before its
viewers ask (``reading_ahead``, started by launcher.py): the frames and the landing page's
review, at start and after each new data version.

Both use st.cache_resource, not st.cache_data: cache_data unpickles its value on every hit
(the frames of 2,000 projects x 156 weeks, 264 MB: 0.8 s of every rerun, and a fresh copy
in memory each time) and could not keep a review's lazily computed results at all.
cache_resource hands every session the same objects, so the frames, a review and every result
a review returns are read-only: derive with ``assign`` or a copy, never write into them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

import models
import store
from access import audit, grants
from analytics.portfolio import previous_review, review_dates
from analytics.review import Review, filter_key
from cadence import remind
from config import Config, get_config
from ui.escape import plain

if TYPE_CHECKING:
    from ui.review_context import ReviewContext

T = TypeVar("T")
LOG = logging.getLogger(__name__)


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def or_stop(read: Callable[[], T]) -> T:
    """``read()``, or the database error shown on the page and the run stopped."""
    try:
        return read()
    except store.StoreError as exc:
        st.error(f"**The app database is not available.** {plain(exc)}", icon=":material/database:")
        st.stop()


def engine() -> Engine:
    return or_stop(lambda: _engine(store.database_url()))


def version() -> int:
    return or_stop(lambda: store.data_version(engine()))


def _current() -> tuple[str, int]:
    """The database URL and its data version now: the key of every cached read."""
    url = store.database_url()
    return url, store.data_version(_engine(url))


# Two versions: the current one, and the one before for a session mid-rerun during an upload.
@st.cache_resource(show_spinner="Loading portfolio…", max_entries=2)
def _frames(url: str, version: int) -> dict[str, pd.DataFrame]:
    # A new version retires every review: they hold the frames they were built from.
    _review.clear()
    return store.read_frames(_engine(url))


def frames() -> dict[str, pd.DataFrame]:
    """The frames of the current data version (shared: never write into them)."""
    return or_stop(lambda: _frames(*_current()))


# A review keeps what its pages computed (a few MB at 2,000 projects): enough entries for a
# handful of people looking at different dates and filters at once.
@st.cache_resource(show_spinner=False, max_entries=16)
def _review(
    url: str,
    version: int,
    config_key: str,
    review_date: str,
    compare_date: str | None,
    filters: tuple,
    _config: Config,
) -> Review:
    return Review(_frames(url, version), _config, review_date, compare_date, dict(filters))


def review(
    ctx: ReviewContext,
    review_date: pd.Timestamp | None = None,
    filters: dict[str, list[str]] | None = None,
) -> Review:
    """The review the sidebar chose (its date, compare date and filters), shared by every page
    and session; ``review_date`` and ``filters`` override the sidebar's (the project page
    shows any project, so it asks for the whole portfolio)."""
    config = get_config()
    when = review_date if review_date is not None else ctx.review_date
    chosen = ctx.filters if filters is None else filters

    def read() -> Review:
        url, version = _current()
        # Frames first, outside _review: loading a new version clears _review, and a clear
        # during a _review computation would discard what it computes.
        _frames(url, version)
        return _cached_review(url, version, config, when, ctx.compare_date, chosen)

    return or_stop(read)


def _cached_review(
    url: str, version: int, config: Config, when, compare, filters: dict[str, list[str]]
) -> Review:
    """``_review`` keyed the one way every caller keys it (a page, the read-ahead): dates as
    ISO text, filters order-free, and the config by its repr, so a config file edited or
    switched ($PMO_CONFIG) is another review."""
    return _review(
        url, version, repr(config), pd.Timestamp(when).isoformat(),
        None if compare is None else pd.Timestamp(compare).isoformat(), filter_key(filters),
        config,
    )  # fmt: skip


@st.cache_resource(show_spinner=False, max_entries=4)
def _due_projects(
    url: str, version: int, config_key: str, review_date: str, _config: Config
) -> pd.DataFrame:
    return remind.due_projects(_frames(url, version), date.fromisoformat(review_date), _config)


def due_projects(review_date: date, config: Config) -> pd.DataFrame:
    """``cadence.remind.due_projects`` for the Data quality page's reminder panel, kept per
    data version, config and review date: a snapshot of the whole portfolio, not redone on
    every rerun (shared: never write into it)."""
    return or_stop(
        lambda: _due_projects(*_current(), repr(config), review_date.isoformat(), config)
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _project_text(url: str, version: int, table: str, project_id: str) -> pd.DataFrame:
    return store.read_project_text(_engine(url), table, project_id)


def with_project_text(rows: pd.DataFrame, table: str, project_id: str) -> pd.DataFrame:
    """``rows`` of one project with the long text the frames leave out (``store.PROJECT_TEXT``),
    read for that project only."""
    text = or_stop(lambda: _project_text(*_current(), table, project_id))
    keys = models.KEYS[table]
    # Categorical ids of two reads have different categories: merge them as plain text.
    ids = dict.fromkeys([k for k in keys if k in store.CATEGORICAL], str)
    return rows.astype(ids).merge(text.astype(ids), on=keys, how="left")


@st.cache_data(show_spinner=False, max_entries=16)
def _text(url: str, version: int, table: str, project_ids: tuple[str, ...]) -> pd.DataFrame:
    return store.read_text(_engine(url), table, project_ids)


def with_text(rows: pd.DataFrame, table: str) -> pd.DataFrame:
    """``with_project_text`` for rows of several projects: one read for all their projects
    (the RAID log's chosen rows), not one per project."""
    ids = tuple(sorted({str(p) for p in rows["project_id"]}))
    text = or_stop(lambda: _text(*_current(), table, ids))
    keys = models.KEYS[table]
    ids_as_text = dict.fromkeys([k for k in keys if k in store.CATEGORICAL], str)
    return rows.astype(ids_as_text).merge(text.astype(ids_as_text), on=keys, how="left")


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_reports(url: str, version: int) -> dict[int, dict]:
    return store.upload_reports(_engine(url))


def upload_reports() -> dict[int, dict]:
    """Each upload's stored validation report (skipped rows, warnings), cached like frames."""
    return or_stop(lambda: _upload_reports(*_current()))


@st.cache_data(show_spinner=False, max_entries=16)
def _upload_report(url: str, version: int, upload_id: int) -> dict | None:
    return store.upload_report(_engine(url), upload_id)


def upload_report(upload_id: int) -> dict | None:
    """One upload's stored validation report (None when it kept none), cached per upload and
    data version: the Upload page's history shows it on every rerun."""
    return or_stop(lambda: _upload_report(*_current(), int(upload_id)))


def upload_content(upload_id: int) -> tuple[str, bytes | None]:
    """One upload's original file name and bytes (None for the sample or a SQL sync). Not
    cached: a file can be large, and it is read only while the history shows that upload."""
    return or_stop(lambda: store.upload_content(engine(), int(upload_id)))


def _access_events(eng: Engine) -> pd.DataFrame:
    try:
        with eng.connect() as conn:
            return audit.read_events(conn)
    except DBAPIError as exc:
        raise store.explain(exc, eng.url) from None


def audit_trail() -> pd.DataFrame:
    """Who did what, newest first (``access.audit.activity``): every upload and sync with the
    rows it replaced or removed, every role change and refused write. Read on every run, not
    cached: a role change writes no data version."""
    eng = engine()
    events = or_stop(lambda: _access_events(eng))
    replaced = or_stop(lambda: store.replaced_counts(eng))
    return audit.activity(frames()["uploads"], replaced, events)


def pm_grants() -> pd.DataFrame:
    """The pm grants of the roles table (principal, project_id): who may write which project,
    for the People page's e-mails. Read on each run (a handful of rows; a grant changes no data
    version), empty when roles are not used."""
    held = or_stop(lambda: grants.assignments(engine()))
    rows = [(e["principal"], p) for e in held if e["role"] == "pm" for p in e["projects"]]
    return pd.DataFrame(rows, columns=["principal", "project_id"])


# --- reading ahead -----------------------------------------------------------------------------


READ_AHEAD_THREAD = "read-ahead"


class _NoSessionNeeded(logging.Filter):
    """Streamlit warns on every cached call made outside a session's script run ("missing
    ScriptRunContext"): the read-ahead thread has none by design."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.threadName != READ_AHEAD_THREAD


# What the landing page (pages/review/this_week.py) reads of its review: the read-ahead makes
# them for the view every viewer starts from. tests/pages/test_this_week_page.py fails when the
# page asks for more.
LANDING = ("snapshot", "source", "headline", "needs_attention", "comparison", "narrative")


def default_review(url: str, version: int) -> Review | None:
    """The review of the view a viewer gets without choosing (ui.context's defaults): the
    latest reporting date, compared with the one before, no filter. None without data."""
    dates = review_dates(_frames(url, version)["status_reports"])
    if not dates:
        return None
    return _cached_review(
        url, version, get_config(), dates[-1], previous_review(dates, dates[-1]), {}
    )


def read_ahead() -> tuple[str, int]:
    """Read the current data version into the cache, as a viewer's first page would: its
    frames and the landing page of the default view. Returns the version's key."""
    now = _current()
    rv = default_review(*now)
    for name in LANDING if rv is not None else ():
        getattr(rv, name)
    return now


def _read_ahead(stop: threading.Event, every: float) -> None:
    seen = None
    while not stop.is_set():
        try:
            if _current() != seen:
                started = time.perf_counter()
                seen = read_ahead()
                LOG.info("read ahead data version %s (frames and landing page) in %.1f s",
                         seen[1], time.perf_counter() - started)  # fmt: skip
        except Exception as exc:  # no database yet, or down: a viewer's page says why
            why = store.explain(exc, store.database_url()) if isinstance(exc, DBAPIError) else exc
            LOG.warning(
                "reading ahead failed: %s",
                why if isinstance(why, store.StoreError) else type(why).__name__,
            )
        stop.wait(every)


@contextmanager
def reading_ahead(every: float):
    """While the server runs, the current data version is read into the cache before a viewer
    asks for it (``read_ahead``): at start, and within ``every`` seconds of an upload through
    any process. A viewer who comes during a read waits for that read (the cache computes a
    key once), never starts a second one. No thread when ``every`` is 0
    (``config.read_ahead_seconds``)."""
    if every <= 0:
        yield None
        return
    logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context").addFilter(
        _NoSessionNeeded()
    )
    stop = threading.Event()
    thread = threading.Thread(
        target=_read_ahead, args=(stop, every), name=READ_AHEAD_THREAD, daemon=True
    )
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
