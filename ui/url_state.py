"""A page's view state (filters, toggles, the chosen cell) in the URL, so a reload or a shared
link shows the same view: one widget key, one query parameter of the same name.

``bound(st.multiselect, "Owner", owners, key="risk_owner", multi=True)`` draws the widget and

* the first time the key is drawn in a session, seeds it from ``?risk_owner=…`` (values the
  options do not offer, from a stale or hand-made link, are dropped, never an error);
* drops remembered values the options no longer offer (another review date);
* writes the value back after every run, and removes the parameter at the default, so the
  address bar stays short.

Values travel as ``str(option)``, never as the shown label: a label may carry a count that
changes with the data (``4 risks``), which would break every link made before.

Streamlit 1.67's own ``bind="query-params"`` is not used: it stores the formatted label, and it
cannot express "empty" for a multi-choice whose default is everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

EMPTY = ""  # ``?change_kinds=``: the user cleared a multi-choice whose default is not empty
_LABELS = "_url_state_labels"  # the labels of each widget's chosen options last run, by key
_DEFAULTS = "_url_state_defaults"  # the default each multi-choice widget last had, by key


def _by_text(options: Sequence) -> dict[str, Any]:
    return {str(o): o for o in options}


def _from_url(key: str, options: Sequence, multi: bool) -> list | None:
    """The URL's valid values for ``key`` (None: nothing usable in the URL)."""
    raw = st.query_params.get_all(key)
    if not raw:
        return None
    if multi and raw == [EMPTY]:
        return []
    known = _by_text(options)
    values = list(dict.fromkeys(known[v] for v in raw if v in known))
    return values or None


def seed(
    key: str,
    options: Sequence,
    *,
    multi: bool = False,
    default: Any = None,
    format_func: Callable[[Any], str] | None = None,
) -> None:
    """Set ``st.session_state[key]`` before its widget is drawn (see the module docstring).

    A widget seeded here must not also get ``default``/``index``: pass the default to this
    function instead (Streamlit warns when both set a value)."""
    state = st.session_state
    if key not in state:
        wanted = _from_url(key, options, multi)
        if wanted is not None:
            state[key] = wanted if multi else wanted[0]
        elif default is not None:
            state[key] = list(default) if multi else default
    else:
        current = state[key]
        known = set(_by_text(options))
        if multi:
            kept = [v for v in current or [] if str(v) in known]
            before = state.get(_DEFAULTS, {}).get(key)
            if default is not None and before is not None and set(current or []) == set(before):
                kept = list(default)  # "everything" stays everything when the options change
            if kept != list(current or []):
                state[key] = kept
        elif current is not None and str(current) not in known:
            del state[key]  # the widget starts again from its default
    if multi and default is not None:
        state.setdefault(_DEFAULTS, {})[key] = list(default)
    if format_func is not None:
        _follow_labels(key, format_func, multi)


def _follow_labels(key: str, format_func: Callable[[Any], str], multi: bool) -> None:
    """Selectboxes and segmented controls send their labels as their value: when the label of
    a chosen option changes (its count under the other assessment, or since another compare
    date) the browser keeps showing the old label unless the value is set again from here,
    which sends the new one."""
    state = st.session_state
    seen = state.setdefault(_LABELS, {})
    current = state.get(key)
    values = (current or []) if multi else ([] if current is None else [current])
    labels = [format_func(v) for v in values]
    if labels and seen.get(key) not in (None, labels):
        state[key] = current
    seen[key] = labels


def publish(key: str, value: Any, *, multi: bool = False, default: Any = None) -> None:
    """Write the widget's value to ``?key=`` (removed when it is the default)."""
    if multi:
        values = [str(v) for v in value or []]
        at_default = sorted(values) == sorted(str(v) for v in default or [])
        text: list[str] | str | None = None if at_default else (values or EMPTY)
    else:
        text = None if value is None or value == default else str(value)
    if text is None:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get_all(key) != ([text] if isinstance(text, str) else text):
        st.query_params[key] = text


def bound(
    widget: Callable,
    label: str,
    options: Sequence,
    *,
    key: str,
    multi: bool = False,
    default: Any = None,
    **kwargs,
):
    """Draw ``widget(label, options, key=key, **kwargs)`` with its value kept in ``?key=``.

    ``default`` is the widget's value without a URL value (a list when ``multi``); it is
    left out of the URL. Returns the widget's value."""
    seed(key, options, multi=multi, default=default, format_func=kwargs.get("format_func"))
    value = widget(label, options, key=key, **kwargs)
    publish(key, value, multi=multi, default=default)
    return value
