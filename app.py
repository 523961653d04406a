"""PMO Lens: entry point. Builds the navigation and the shared sidebar, then runs the page."""

import streamlit as st

from ui.context import render_sidebar

# An emoji favicon is drawn locally; a :material/…: page icon is fetched from fonts.gstatic.com.
st.set_page_config(page_title="PMO Lens", page_icon="📊", layout="wide")

PAGES = {
    "Review": [
        st.Page("views/this_week.py", title="This week", icon=":material/event:", default=True),
        st.Page("views/health.py", title="Portfolio health", icon=":material/monitor_heart:"),
    ],
    "Portfolio": [
        st.Page("views/risks.py", title="Risks", icon=":material/warning:"),
        st.Page("views/governance.py", title="Governance vs execution", icon=":material/balance:"),
        st.Page("views/project.py", title="Project detail", icon=":material/folder_open:"),
    ],
    "Data": [
        st.Page("views/upload.py", title="Upload", icon=":material/upload_file:"),
        st.Page("views/quality.py", title="Data quality", icon=":material/fact_check:"),
        st.Page("views/sources.py", title="SQL sources", icon=":material/database:"),
        st.Page("views/export.py", title="Export", icon=":material/slideshow:"),
    ],
}

nav = st.navigation(PAGES)
render_sidebar()
nav.run()
