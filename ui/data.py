"""The one caching boundary between the database and the frames.

Every rerun asks the database for its data version (one cheap query); frames are cached per
(database URL, version), so an upload on any replica shows on every replica's next rerun.
A database that cannot be reached stops the page with a plain message, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import models
import store

T = TypeVar("T")


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def _or_stop(read: Callable[[], T]) -> T:
    """``read()``, or the database error shown on the page and the run stopped."""
    try:
        return read()
    except store.StoreError as exc:
        from ui.components import plain  # not at the top: ui.components imports ui.context

        st.error(f"**The app database is not available.** {plain(exc)}", icon=":material/database:")
        st.stop()


def engine() -> Engine:
    return _or_stop(lambda: _engine(store.database_url()))


@st.cache_data(show_spinner="Loading portfolio…", max_entries=4)
def _frames(url: str, version: int) -> dict[str, pd.DataFrame]:
    return store.read_frames(_engine(url))


def frames() -> dict[str, pd.DataFrame]:
    url = store.database_url()
    return _or_stop(lambda: _frames(url, store.data_version(_engine(url))))


@st.cache_data(show_spinner=False, max_entries=16)
def _project_text(url: str, version: int, table: str, project_id: str) -> pd.DataFrame:
    return store.read_project_text(_engine(url), table, project_id)


def with_project_text(rows: pd.DataFrame, table: str, project_id: str) -> pd.DataFrame:
    """``rows`` of one project with the long text the frames leave out (``store.PROJECT_TEXT``),
    read for that project only."""
    url = store.database_url()
    text = _or_stop(lambda: _project_text(url, store.data_version(_engine(url)), table, project_id))
    keys = models.KEYS[table]
    # Categorical ids of two reads have different categories: merge them as plain text.
    ids = dict.fromkeys([k for k in keys if k in store.CATEGORICAL], str)
    return rows.astype(ids).merge(text.astype(ids), on=keys, how="left")


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_reports(url: str, version: int) -> dict[int, dict]:
    return store.upload_reports(_engine(url))


def upload_reports() -> dict[int, dict]:
    """Each upload's stored validation report (skipped rows, warnings), cached like frames."""
    url = store.database_url()
    return _or_stop(lambda: _upload_reports(url, store.data_version(_engine(url))))


def version() -> int:
    return _or_stop(lambda: store.data_version(engine()))
