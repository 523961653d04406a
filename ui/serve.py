"""Start the app's server: ``python -m ui.serve [streamlit run options]``.

Use this rather than ``streamlit run app.py``. Streamlit 1.67 takes any top-level ``pages/``
folder as a sign of its legacy multipage mode until the first script run calls
``st.navigation``. The first visitor after a restart who follows a deep link
(``/project?project=…``) then sees a "Page not found" dialog. The page scripts sit in
``pages/<section>/`` and are all registered by app.py's ``st.navigation``, so we tell Streamlit
that before the server starts.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

APP = Path(__file__).resolve().parent.parent / "app.py"


def main(argv: list[str] | None = None) -> None:
    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
