"""Registers that arrive as weekly snapshots (risks, milestones): the one in force on a date."""

from __future__ import annotations

import numpy as np
import pandas as pd

import models

_REGISTER_TEXT = {c for columns in models.REGISTER_TEXT.values() for c in columns}


def open_labels(values: pd.Series) -> pd.Series:
    """A categorical column as plain objects, so it can take a value outside its categories
    (Grey, a placeholder) or be compared with another table's; other columns as they are.
    For small results (a snapshot's rows), not whole tables."""
    return values.astype(object) if isinstance(values.dtype, pd.CategoricalDtype) else values


def plain_text(snapshot: pd.DataFrame) -> pd.DataFrame:
    """A register's item text (``models.REGISTER_TEXT``, held as categoricals across every
    snapshot) as plain text: one snapshot is small, and what is derived from it may take
    values outside the categories (a placeholder, a join with another table)."""
    text = [
        c
        for c in snapshot.columns
        if c in _REGISTER_TEXT and isinstance(snapshot[c].dtype, pd.CategoricalDtype)
    ]
    return snapshot.astype(dict.fromkeys(text, "str")) if text else snapshot


def latest_snapshot(frame: pd.DataFrame, as_of) -> pd.DataFrame:
    """Each project's most recent snapshot (all its rows) on or before ``as_of``, its item
    text plain (``plain_text``)."""
    dates = frame["report_date"]
    upto = dates <= pd.Timestamp(as_of)
    if not upto.any():
        return plain_text(frame[upto])
    # the masks are built on two columns, so the whole frame is cut once
    last = dates.where(upto).groupby(frame["project_id"]).transform("max")
    return plain_text(frame[upto & (dates == last)])


def asof_grid(ids: pd.Series, dates, frame: pd.DataFrame) -> pd.DataFrame:
    """For every id and date, the id's last row of ``frame`` dated on or before the date, in one
    ``merge_asof`` over the grid (a trend without one full sort per date).

    One row per (id, date): ``pos`` (position in ``ids``), ``week`` (position in ``dates``),
    ``date``, and the other columns of ``frame`` (missing where the id has no row yet).
    ``frame`` holds ``project_id`` (matched against ``ids``) and ``report_date``.
    """
    n = len(ids)
    grid = pd.DataFrame(
        {
            "pos": np.tile(np.arange(n), len(dates)),
            "week": np.repeat(np.arange(len(dates)), n),
            "date": np.repeat(pd.to_datetime(list(dates)).astype("datetime64[ns]").to_numpy(), n),
        }
    )
    rows = frame.assign(
        pos=pd.Index(ids).get_indexer(frame["project_id"]),
        report_date=frame["report_date"].astype("datetime64[ns]"),
    )
    rows = rows[(rows["pos"] >= 0) & rows["report_date"].notna()]
    return pd.merge_asof(
        grid.sort_values("date"),
        rows.drop(columns="project_id").sort_values("report_date"),
        left_on="date",
        right_on="report_date",
        by="pos",
        direction="backward",
    )
