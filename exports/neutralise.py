"""Moved to ``vocabulary.neutralise`` (the ground floor, so the loaders can use it without
importing exports). Kept so existing imports (pages/data/export.py) keep working."""

from vocabulary.neutralise import *  # noqa: F403
from vocabulary.neutralise import (  # noqa: F401
    FORMULA_STARTS,
    cell,
    frame,
    restore,
    slide_text,
    to_csv_bytes,
)
