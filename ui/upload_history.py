"""The Upload page's history: every upload with the rows it wrote, one upload's stored
validation report and corrected cells, and its original file to download."""

from __future__ import annotations

import streamlit as st

from data_loaders.report import (
    Problem,
    corrections_frame,
    problems_frame,
    rows_written,
    stored_problems,
)
from ui import data
from ui.components import data_table, plain


def show() -> None:
    st.subheader("Upload history")
    uploads = data.frames()["uploads"]
    if uploads.empty:
        st.info("No uploads yet.")
        return
    shown = uploads.assign(rows=uploads["row_counts"].map(rows_written))[
        ["upload_id", "file_name", "uploaded_by", "uploaded_at", "source", "status", "rows"]
    ]
    data_table(
        shown,
        "upload_history",
        hide_index=True,
        width="stretch",
        column_config={
            "upload_id": "Upload",
            "file_name": "File",
            "uploaded_by": "By",
            "uploaded_at": st.column_config.DatetimeColumn("When (UTC)"),
            "source": "Source",
            "status": "Status",
            "rows": st.column_config.TextColumn("Rows written", width="large"),
        },
    )
    st.caption(f"{len(uploads)} uploads · source: app database")
    pick = st.selectbox(
        "Download an original file",
        list(uploads["upload_id"]),
        format_func=lambda i: f"{i}: {uploads.set_index('upload_id').loc[i, 'file_name']}",
        key="upload_history_pick",
    )
    report = data.upload_report(pick)
    if report:
        found = problems_frame([Problem(**p) for p in stored_problems(report)])
        st.caption(f"Validation report of upload {pick}: {len(found)} problems kept with it")
        if not found.empty:
            st.dataframe(found, hide_index=True, width="stretch")
        fixed = corrections_frame({int(pick): report})
        if not fixed.empty:
            st.caption(f"Cells corrected in the preview of upload {pick}")
            st.dataframe(fixed, hide_index=True, width="stretch", key="upload_history_fixes")
    name, content = data.upload_content(pick)
    if content is None:
        st.caption("This upload kept no original file (sample or SQL sync).")
    else:
        st.download_button(
            f"Download {plain(name)}",
            lambda: content,  # stored on click, for that session only (see ui/guard.py)
            file_name=name,
            key="upload_history_download",
            on_click="ignore",
        )
