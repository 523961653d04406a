"""Start the app's server: ``python -m ui.serve [streamlit run options]``.

Use this rather than ``streamlit run app.py``. Streamlit 1.67 takes any top-level ``pages/``
folder as a sign of its legacy multipage mode until the first script run calls
``st.navigation``. The first visitor after a restart who follows a deep link
(``/project?project=…``) then sees a "Page not found" dialog. The page scripts sit in
``pages/<section>/`` and are all registered by app.py's ``st.navigation``, so we tell Streamlit
that before the server starts.

It serves launcher.py (app.py behind ui.guard, which guards Streamlit's download and upload
endpoints) rather than app.py itself: see launcher.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

from config import ConfigError, get_config, read_ahead_seconds
from ui import auth_settings
from ui.auth_settings import SECRETS, is_loopback

APP = Path(__file__).resolve().parent.parent / "app.py"
LAUNCHER = APP.with_name("launcher.py")  # an st.App of APP: Streamlit serves it as ASGI


OPEN_REFUSAL = (
    "error: sign-in is off (no [auth] in .streamlit/secrets.toml) and the app would serve on "
    "{}: everyone who can reach it would be the local admin and may upload, sync and change "
    "roles. Serve on 127.0.0.1 (--server.address 127.0.0.1), or configure sign-in "
    "(docs/sign-in-and-roles.md). To serve open local mode beyond this machine anyway, set "
    "allow_open_local_mode = true under [access] in pmo_lens.toml."
)


def address(args: list[str]) -> str:
    """The address the server will listen on: ``--server.address`` (Streamlit's default, an
    empty address, listens on every interface)."""
    for i, arg in enumerate(args):
        if arg.startswith("--server.address="):
            return arg.partition("=")[2]
        if arg == "--server.address" and i + 1 < len(args):
            return args[i + 1]
    return ""


def sign_in_configured(paths: list[Path] = SECRETS) -> bool:
    """Whether a secrets file Streamlit reads has an ``[auth]`` section; raises
    ``SignInMisconfigured`` when a file cannot be read or its ``[auth]`` cannot work."""
    return auth_settings.sign_in_configured(paths)


def start_refusal(args: list[str]) -> str | None:
    """Why the server must not start with ``args``: a configuration that cannot be used, or
    open local mode beyond loopback without the explicit allowance. None: start."""
    try:
        config = get_config()
        read_ahead_seconds()
        signed_in = sign_in_configured()
    except (ConfigError, auth_settings.SignInMisconfigured) as exc:
        return f"error: {exc}"
    host = address(args)
    if signed_in or is_loopback(host) or config.access.allow_open_local_mode:
        return None
    return OPEN_REFUSAL.format(host or "every network interface")


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    args = sys.argv[1:] if argv is None else argv
    if refusal := start_refusal(args):
        print(refusal, file=sys.stderr)
        sys.exit(1)
    sys.argv = ["streamlit", "run", str(LAUNCHER), *args]
    cli.main()


if __name__ == "__main__":
    main()
