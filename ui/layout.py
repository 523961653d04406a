"""Page-wide layout rules for narrow and common screens (800, 1280 and 1600 px), drawn once
per run by app.py. Style and a small script only: they take no space on the page.

* Below NARROW px the sidebar starts collapsed, so the page gets the whole width. Streamlit's
  own ``initial_sidebar_state="auto"`` collapses it only up to 768 px; at 800 the sidebar took
  a third of the screen and the tiles read "£2…". A choice the person made (the sidebar opened
  or closed by hand, which Streamlit keeps in the browser) is never overridden.
* A tile's figure is never cut with "…": it wraps at its spaces ("£211.9m · $19.7bn") and is
  drawn smaller on a narrow screen.
"""

from __future__ import annotations

import streamlit as st

NARROW = 1000  # px: below this the sidebar starts collapsed and tile figures are smaller

_STYLE = f"""<style>
[data-testid="stMetricValue"] > div, [data-testid="stMetricValue"] > div p {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: break-word; line-height: 1.15;
}}
@media (max-width: {NARROW - 1}px) {{
  [data-testid="stMetricValue"] {{ font-size: 1.6rem !important; }}
}}
</style>"""

# Once per browser tab: collapse the sidebar below NARROW px unless the person chose (the key
# Streamlit keeps their choice under); the key our click writes is removed again, so a wider
# window next time starts with the sidebar open.
_SCRIPT = f"""<script>
(() => {{
  if (window.__pmoNarrowChecked || window.innerWidth >= {NARROW}) return;
  window.__pmoNarrowChecked = true;
  const chosen = Object.keys(window.localStorage).some((k) => k.startsWith('stSidebarCollapsed-'));
  if (chosen) return;
  const tryCollapse = (left) => {{
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    const sidebar = document.querySelector('[data-testid="stSidebar"]');
    if (button && sidebar && sidebar.getAttribute('aria-expanded') !== 'false') {{
      button.click();
      setTimeout(() => Object.keys(window.localStorage)
        .filter((k) => k.startsWith('stSidebarCollapsed-'))
        .forEach((k) => window.localStorage.removeItem(k)), 0);
    }} else if (left > 0) {{
      setTimeout(() => tryCollapse(left - 1), 100);
    }}
  }};
  tryCollapse(50);
}})();
</script>"""


def apply() -> None:
    """The layout rules above, for the page being drawn."""
    st.html(_STYLE)
    st.html(_SCRIPT, unsafe_allow_javascript=True)
