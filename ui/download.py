"""The "Download PNG" button under every chart: the same figure rendered server-side.

The PNG is rendered only when the user clicks (deferred ``st.download_button`` data runs the
callable on click, on its own thread), so a page with many charts starts no browser at all.
"""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from analytics import money as fmt
from exports.png import file_name, render_png
from ui.review_context import ReviewContext


def png_download_button(fig: go.Figure, key: str, ctx: ReviewContext, source: str) -> None:
    """A small button that downloads ``fig`` as a 1920x1080 PNG with title/as-of/source footer."""
    as_of = fmt.day(ctx.review_date, missing="")
    filters = fmt.filters_text(ctx.filters)
    footer_source = f"{source} · {filters}" if filters else source
    # No copy: figures are never changed once shown (the pages keep them with the review,
    # read-only), and render_png draws on a copy of its own (exports.png.with_footer).

    def render() -> bytes:
        return render_png(fig, as_of, footer_source)

    st.download_button(
        "Download PNG",
        render,
        file_name=file_name(key, as_of),
        mime="image/png",
        key=f"png_{key}",
        on_click="ignore",
        type="tertiary",
        icon=":material/image:",
        help="1920×1080 PNG for slides, with the title, as-of date and source in a footer",
    )
