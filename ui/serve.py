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

import ipaddress
import sys
import tomllib
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"
LAUNCHER = APP.with_name("launcher.py")  # an st.App of APP: Streamlit serves it as ASGI


# Where Streamlit reads secrets by default: the user's, then the working directory's.
SECRETS = [Path.home() / ".streamlit" / "secrets.toml", Path(".streamlit") / "secrets.toml"]
OPEN_WARNING = (
    "warning: sign-in is off (no [auth] in .streamlit/secrets.toml) and the app serves on {}: "
    "everyone who can reach it is the local admin and may upload, sync and change roles. "
    "Serve on 127.0.0.1, or configure sign-in (README: Sign-in and roles)."
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


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # empty (every interface) or a host name
        return False


def sign_in_configured(paths: list[Path] = SECRETS) -> bool:
    """Whether a secrets file Streamlit reads has an ``[auth]`` section."""
    for path in paths:
        try:
            if "auth" in tomllib.loads(path.read_text(encoding="utf-8")):
                return True
        except (OSError, tomllib.TOMLDecodeError):
            continue
    return False


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    args = sys.argv[1:] if argv is None else argv
    host = address(args)
    if not is_loopback(host) and not sign_in_configured():
        print(OPEN_WARNING.format(host or "every network interface"), file=sys.stderr)
    sys.argv = ["streamlit", "run", str(LAUNCHER), *args]
    cli.main()


if __name__ == "__main__":
    main()
