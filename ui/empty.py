"""The no-report state: say so plainly and, on an empty database, offer the sample portfolio."""

import streamlit as st

from sample_data import seed_if_empty
from ui import data, identity


def offer_sample() -> None:
    registered = len(data.frames()["projects"])
    if registered:
        # The sample only loads into a database without projects, so no button here.
        st.info(
            f"{registered} projects are in the project register, but no status report has been "
            "loaded yet. Upload a status sheet on the Upload page; the Project detail page "
            "already shows each project's register entry.",
            icon=":material/inbox:",
        )
        return
    st.info(
        "The database has no status reports yet. Upload a status sheet on the Upload page, "
        "or load the sample portfolio to look around.",
        icon=":material/inbox:",
    )
    if st.button("Load the sample portfolio", type="primary", key="load_sample"):
        with st.spinner("Writing 26 weeks of sample reports…"):
            seed_if_empty(data.engine(), identity=identity.current())
        st.rerun()
