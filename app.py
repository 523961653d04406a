"""PMO Lens: entry point. Builds the navigation and the shared sidebar, then runs the page."""

import streamlit as st

from ui.context import render_sidebar

# An emoji favicon is drawn locally; a :material/…: page icon is fetched from fonts.gstatic.com.
st.set_page_config(page_title="PMO Lens", page_icon="📊", layout="wide")

PAGES = {
    "Review": [
        st.Page(
            "pages/review/this_week.py", title="This week", icon=":material/event:", default=True
        ),
        st.Page(
            "pages/review/health.py", title="Portfolio health", icon=":material/monitor_heart:"
        ),
    ],
    "Portfolio": [
        st.Page("pages/portfolio/risks.py", title="Risks", icon=":material/warning:"),
        st.Page("pages/portfolio/raid.py", title="RAID log", icon=":material/checklist:"),
        st.Page(
            "pages/portfolio/governance.py",
            title="Governance vs execution",
            icon=":material/balance:",
        ),
        st.Page(
            "pages/portfolio/project.py", title="Project detail", icon=":material/folder_open:"
        ),
    ],
    "Data": [
        st.Page("pages/data/upload.py", title="Upload", icon=":material/upload_file:"),
        st.Page("pages/data/quality.py", title="Data quality", icon=":material/fact_check:"),
        st.Page("pages/data/sources.py", title="SQL sources", icon=":material/database:"),
        st.Page("pages/data/export.py", title="Export", icon=":material/slideshow:"),
    ],
}

nav = st.navigation(PAGES)
render_sidebar()
nav.run()
