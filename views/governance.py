"""Governance vs execution (being built)."""

import streamlit as st

st.title("Governance vs execution")
st.info("This page is being built.", icon=":material/construction:")
