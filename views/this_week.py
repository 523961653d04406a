"""This week (being built)."""

import streamlit as st

st.title("This week")
st.info("This page is being built.", icon=":material/construction:")
