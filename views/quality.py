"""Data quality (being built)."""

import streamlit as st

st.title("Data quality")
st.info("This page is being built.", icon=":material/construction:")
