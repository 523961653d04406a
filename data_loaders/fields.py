"""Moved to ``vocabulary.fields`` (the ground floor, so ``config`` can check ``[synonyms]``
without importing the loaders). Kept so existing imports (pages/data/upload.py) keep working."""

from vocabulary.fields import *  # noqa: F403
from vocabulary.fields import (  # noqa: F401
    ALL_FIELDS,
    KINDS,
    SYNONYMS,
    TYPES,
    field_choices,
    lookup,
    norm,
)
