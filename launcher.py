"""The server ``python -m ui.serve`` starts: app.py, with Streamlit's download and upload
endpoints behind ui.guard.

ui.serve runs ``streamlit run launcher.py [options]``. Streamlit sees the ``st.App`` below and
serves it as an ASGI app (uvicorn), with every ``streamlit run`` option and config file as
before. This file sits beside app.py on purpose: Streamlit reads the script-level
``.streamlit/`` folder and puts the script's folder on ``sys.path`` from the file it is given,
so both stay what they were with ``streamlit run app.py``.
"""

from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from config import read_ahead_seconds
from ui import guard


@asynccontextmanager
async def lifespan(asgi_app):
    """The guard's checks, then the frames read ahead while the server runs (ui.data)."""
    from ui import data  # the app's Streamlit caches: imported once the runtime exists

    async with guard.lifespan(asgi_app):
        with data.reading_ahead(read_ahead_seconds()):
            yield


app = st.App(
    Path(__file__).resolve().parent / "app.py",
    middleware=[Middleware(guard.Guard)],
    lifespan=lifespan,
)
