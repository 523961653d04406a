"""SQL sources (being built)."""

import streamlit as st

st.title("SQL sources")
st.info("This page is being built.", icon=":material/construction:")
