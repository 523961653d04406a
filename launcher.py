"""The server ``python -m ui.serve`` starts: app.py, with Streamlit's download and upload
endpoints behind ui.guard.

ui.serve runs ``streamlit run launcher.py [options]``. Streamlit sees the ``st.App`` below and
serves it as an ASGI app (uvicorn), with every ``streamlit run`` option and config file as
before. This file sits beside app.py on purpose: Streamlit reads the script-level
``.streamlit/`` folder and puts the script's folder on ``sys.path`` from the file it is given,
so both stay what they were with ``streamlit run app.py``.
"""

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from ui import guard

app = st.App(
    Path(__file__).resolve().parent / "app.py",
    middleware=[Middleware(guard.Guard)],
    lifespan=guard.lifespan,
)
