"""Project detail (being built)."""

import streamlit as st

st.title("Project detail")
st.info("This page is being built.", icon=":material/construction:")
