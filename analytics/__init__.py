"""Domain logic as pure functions over pandas frames. Never imports streamlit."""
