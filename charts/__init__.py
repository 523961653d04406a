"""Pure plotly figure builders sharing one template. Never imports streamlit."""
