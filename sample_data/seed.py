"""Write the sample portfolio into the app database, one upload per reporting week."""

from __future__ import annotations

import hashlib

import pandas as pd
from sqlalchemy import Engine, func, select

import models
import store
from access.roles import Identity
from sample_data.generator import SEED, generate, with_long_names


def write_sample(
    engine: Engine,
    seed: int = SEED,
    n_projects: int = 60,
    identity: Identity | None = None,
    long_names: bool = False,
) -> int:
    """Load the sample as weekly uploads (so lineage looks like real life); returns uploads made.

    Once roles exist only an admin (``identity``) may: the store refuses anyone else.
    """
    sample = generate(seed, n_projects)
    if long_names:
        sample = with_long_names(sample)
    tables = sample.tables()
    dates = sorted(tables["status_reports"]["report_date"].unique())
    made = 0
    for week, d in enumerate(dates):
        frames = {
            name: df[df["report_date"] == d]
            for name, df in tables.items()
            if "report_date" in df.columns
        }
        if week == 0:  # the project register, decisions and RAID log arrive with the first week
            for name in ("projects", "decisions", "raid_items"):
                frames[name] = tables[name]
        label = f"sample-portfolio seed={seed} n={n_projects} week={pd.Timestamp(d).date()}"
        label += " long-names" if long_names else ""
        meta = store.UploadMeta(
            file_name=f"sample weekly return {pd.Timestamp(d).date()}.xlsx",
            sha256=hashlib.sha256(label.encode()).hexdigest(),
            size_bytes=0,
            uploaded_by="sample data generator",
            source="sample",
            identity=identity,
        )
        if store.write_batch(engine, frames, meta).status == "loaded":
            made += 1
    return made


def seed_if_empty(
    engine: Engine, seed: int = SEED, identity: Identity | None = None, long_names: bool = False
) -> int:
    """Seed the sample portfolio only into a database that has no projects yet."""
    with engine.connect() as conn:
        if conn.execute(select(func.count()).select_from(models.projects)).scalar():
            return 0
    return write_sample(engine, seed, identity=identity, long_names=long_names)
