"""The one caching boundary between the database and the frames.

Every rerun asks the database for its data version (one cheap query); frames are cached per
(database URL, version), so an upload on any replica shows on every replica's next rerun.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

import store


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return store.get_engine(url)


def engine() -> Engine:
    return _engine(store.database_url())


@st.cache_data(show_spinner="Loading portfolio…", max_entries=4)
def _frames(url: str, version: int) -> dict[str, pd.DataFrame]:
    return store.read_frames(_engine(url))


def frames() -> dict[str, pd.DataFrame]:
    url = store.database_url()
    return _frames(url, store.data_version(_engine(url)))


@st.cache_data(show_spinner=False, max_entries=4)
def _upload_reports(url: str, version: int) -> dict[int, dict]:
    return store.upload_reports(_engine(url))


def upload_reports() -> dict[int, dict]:
    """Each upload's stored validation report (skipped rows, warnings), cached like frames."""
    url = store.database_url()
    return _upload_reports(url, store.data_version(_engine(url)))


def version() -> int:
    return store.data_version(engine())
