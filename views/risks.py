"""Risks (being built)."""

import streamlit as st

st.title("Risks")
st.info("This page is being built.", icon=":material/construction:")
