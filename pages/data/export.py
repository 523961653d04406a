"""Export: the weekly review as a PowerPoint deck, and the review data as a safe CSV."""

import streamlit as st

from analytics import money as fmt
from analytics.review import filter_key
from exports.deck import SECTIONS, DeckError, build_deck
from exports.neutralise import to_csv_bytes
from exports.png import ExportError
from ui import data
from ui.components import plain, provenance
from ui.page import page_setup, stop_if_no_match

DECK_KEY = "export_deck"

ctx = page_setup("Export")

rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
source = rv.source
provenance(
    ctx,
    f"{len(rv.snapshot)} projects",
    f"source: {source}",
    "change the review date and filters in the sidebar",
)

st.subheader("Review deck (PowerPoint, 16:9)")
chosen = st.pills(
    "Sections",
    list(SECTIONS),
    selection_mode="multi",
    default=list(SECTIONS),
    format_func=SECTIONS.get,
    key="export_sections",
    help="The title slide is always included. The worst Red projects get a slide each "
    "(`[deck] max_project_slides`), the others one appendix table.",
)
as_of = fmt.day(ctx.review_date)
# The deck belongs to one data version, review, compare date, filter set and section choice;
# any change invalidates it so a stale deck is never offered.
request = (
    data.version(),
    as_of,
    fmt.day(rv.compare_date),
    filter_key(ctx.filters),
    tuple(chosen or ()),
)

if st.button("Build deck", type="primary", icon=":material/slideshow:", disabled=not chosen):
    bar = st.progress(0.0, text="Starting…")
    try:
        deck = build_deck(
            rv,
            sections=list(chosen),
            progress=lambda fraction, message: bar.progress(fraction, text=message),
        )
    except (DeckError, ExportError) as exc:
        bar.empty()
        st.error(f"The deck could not be built: {plain(exc)}", icon=":material/error:")
    else:
        st.session_state[DECK_KEY] = (request, deck)
if not chosen:
    st.caption("Pick at least one section.")

built = st.session_state.get(DECK_KEY)
if built and built[0] == request:
    deck = built[1]
    st.download_button(
        "Download the deck",
        lambda: deck,  # stored on click, for that session only (see ui/guard.py)
        file_name=f"pmo-review-{as_of}.pptx",
        mime="application/vnd.openxmlformats-officedocument.presentationml.presentation",
        icon=":material/download:",
        key="download_deck",
        on_click="ignore",
    )
    provenance(ctx, f"{len(deck) / 1024:,.0f} KiB", f"source: {source}")

st.subheader("Review data (CSV)")
st.caption(
    "One row per project in this review: reported and computed RAG, earned value, risk. "
    "Text from uploads is neutralised so a spreadsheet never runs it as a formula."
)
st.download_button(
    "Download the review data (CSV)",
    lambda: to_csv_bytes(rv.table),
    file_name=f"pmo-review-{as_of}.csv",
    mime="text/csv",
    icon=":material/table:",
    key="download_review_csv",
    on_click="ignore",
)
