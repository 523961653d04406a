"""The upload page's grid of offending cells, where a PM types a corrected value and revalidates.

The corrections live in the session (``FIXES``) until the next file; the page passes them to
the parse as ``Options.corrections``, so a corrected cell is checked like a typed one and the
preview shows what a commit would write. The file itself is never changed.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_loaders.ingest import ParsedFile
from data_loaders.report import BLANKED, SKIPPED

FIXES = "upload_fixes"  # session: {(sheet, row, column): text} applied to the current file
NEW = "corrected value"


def chosen() -> dict[tuple[str, int, str], str]:
    return dict(st.session_state.get(FIXES, {}))


def cells(parsed: ParsedFile) -> pd.DataFrame:
    """Every cell that skipped a row or was left empty, and every cell corrected so far."""
    out: dict[tuple, dict] = {}
    for s in parsed.sheets:
        if s.report.header_row is None:  # a transposed table: its rows are not sheet rows
            continue
        for p in s.report.problems:
            if p.outcome in (SKIPPED, BLANKED) and p.row is not None and p.column in s.headers:
                cell = (p.sheet, p.row, p.column)
                out.setdefault(cell, {"in the file": p.value, "problem": p.message})
    for c in parsed.report.corrections:
        cell = (c["sheet"], c["row"], c["column"])
        out.setdefault(cell, {"problem": "passes with the corrected value"})
        out[cell]["in the file"] = c["original"]
    fixes = chosen()
    rows = [
        {"sheet": k[0], "row": k[1], "column": k[2], **v, NEW: fixes.get(k, "")}
        for k, v in sorted(out.items())
    ]
    # the editable column before the long problem text, so it is on screen at any width
    cols = ["sheet", "row", "column", "in the file", NEW, "problem"]
    return pd.DataFrame(rows, columns=cols)


def grid(parsed: ParsedFile) -> None:
    """The cells a PM can correct, and Revalidate, which parses the file again with them."""
    frame = cells(parsed)
    if frame.empty:
        return
    st.write("**Fix cells before loading**")
    st.caption(
        "Type a corrected value for a cell and press Revalidate: it is checked like a typed "
        "cell. The file stays as uploaded; each correction is recorded with the upload (cell, "
        "value in the file, corrected value, your name)."
    )
    edited = st.data_editor(
        frame,
        key="upload_fix_grid",
        hide_index=True,
        disabled=[c for c in frame.columns if c != NEW],
        column_config={
            "row": st.column_config.NumberColumn("row", format="%d"),
            "problem": st.column_config.TextColumn("problem", width="large"),
            NEW: st.column_config.TextColumn(
                NEW, help="empty: keep the value in the file", pinned=True
            ),
        },
        width="stretch",
    )
    if st.button("Revalidate", key="upload_revalidate", icon=":material/refresh:"):
        texts = edited[NEW].fillna("").astype(str).str.strip()
        cells_ = zip(edited["sheet"], edited["row"], edited["column"], texts, strict=True)
        st.session_state[FIXES] = {(s, int(r), c): t for s, r, c, t in cells_ if t}
        st.rerun()
