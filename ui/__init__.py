"""Streamlit glue shared by the pages: the cached data boundary, the sidebar, chart display."""
