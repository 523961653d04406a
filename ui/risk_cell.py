"""The Risks page's cell picker: a click on the 5x5 matrix or a selectbox (for keyboard users)
chooses a cell; the choice is kept in the URL (``?risk_cell=4,3``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.url_state import bound

KEY = "risk_cell"  # the selectbox and the URL parameter
LAST_CLICK = "risk_last_click"  # a click sets the picker once; a rerun keeps what was chosen


def clicked_cell(event) -> str | None:
    """The "likelihood,impact" of the clicked matrix point (customdata, else its y and x)."""
    points = event.selection.points if event is not None else []
    if not points:
        return None
    data = points[0].get("customdata")
    if isinstance(data, dict):  # an encoded array arrives as {"0": .., "1": ..}
        data = [data.get("0"), data.get("1")]
    li, im = data if data else (points[0].get("y"), points[0].get("x"))
    return f"{int(li)},{int(im)}"


def picker(event, cells: pd.DataFrame) -> tuple[int, int] | None:
    """The chosen cell as (likelihood, impact), or None. ``event`` is the matrix chart's
    selection (``show_chart(..., on_select="rerun")``); ``cells`` its 25 cells with their risk
    counts and bands (``RiskView.cells``). Cells with most risks are offered first."""
    keys = [f"{li},{im}" for li, im in zip(cells["likelihood"], cells["impact"], strict=True)]
    count = dict(zip(keys, cells["risks"], strict=True))
    band = dict(zip(keys, cells["band"], strict=True))
    clicked = clicked_cell(event)
    if clicked and clicked != st.session_state.get(LAST_CLICK):
        st.session_state[KEY] = clicked
    st.session_state[LAST_CLICK] = clicked
    # Its label (the count) follows the assessment, and bound() makes the browser show the new
    # label.
    chosen = bound(
        st.selectbox,
        "Cell (click the matrix, or choose here)",
        sorted(keys, key=lambda k: (-count[k], k)),
        key=KEY,
        index=None,
        placeholder="Click a cell of the matrix",
        format_func=lambda k: (
            f"likelihood {k.split(',')[0]} × impact {k.split(',')[1]} · {band[k]} · "
            f"{count[k]} risk{'s' if count[k] != 1 else ''}"
        ),
    )
    if not chosen:
        return None
    li, im = (int(v) for v in chosen.split(","))
    return li, im
