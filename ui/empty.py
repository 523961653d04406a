"""The empty-database state: say so plainly and offer the sample portfolio in one click."""

import streamlit as st

from sample_data import seed_if_empty
from ui import data


def offer_sample() -> None:
    st.info(
        "The database has no status reports yet. Upload a status sheet on the Upload page, "
        "or load the sample portfolio to look around.",
        icon=":material/inbox:",
    )
    if st.button("Load the sample portfolio", type="primary", key="load_sample"):
        with st.spinner("Writing 26 weeks of sample reports…"):
            seed_if_empty(data.engine())
        st.rerun()
