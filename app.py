"""PMO Lens: entry point. Builds the navigation and the shared sidebar, then runs the page."""

import streamlit as st

from ui.context import render_sidebar

st.set_page_config(page_title="PMO Lens", page_icon=":material/insights:", layout="wide")

# One line per page; sections with no pages yet are left out of the menu.
PAGES = {
    "Review": [
        st.Page("views/health.py", title="Portfolio health", icon=":material/monitor_heart:"),
    ],
    "Portfolio": [],
    "Data": [],
}

nav = st.navigation({section: pages for section, pages in PAGES.items() if pages})
render_sidebar()
nav.run()
