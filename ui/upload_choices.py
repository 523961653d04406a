"""The upload page's questions about money units, currency and new projects, as choices.

Each choice is a keyed widget; its value feeds the next parse (``chosen_*`` read them back
before the file is parsed again), so the preview always shows what a commit would write.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from config import get_config
from data_loaders.ingest import ParsedFile, far_report_date
from data_loaders.report import NEEDS
from data_loaders.units import CHOICE_LABELS, CODES
from ui.components import plain

NEW_PROJECT = "➕ A new project…"
UNIT_KEY = "upload_unit::"
MAP_KEY = "upload_map::"


def chosen_project() -> str | None:
    """The project chosen for a sheet without a project column: an existing one, or the id
    typed for a new one (created with the "Create new projects" tick, like any new project)."""
    picked = st.session_state.get("upload_project")
    if picked == NEW_PROJECT:
        typed = (st.session_state.get("upload_new_project") or "").strip()
        return typed or None
    return picked


def needs(needed: list[str], chosen: dict, known: dict[str, str]) -> None:
    """Everything the file lacks, asked together; a choice stays shown once made."""
    show = [n for n in NEEDS if n in needed or chosen.get(n) is not None]
    if not show:
        return
    with st.container(border=True):
        if needed:
            st.warning(
                "To load this file, choose " + " and ".join(NEEDS[n] for n in needed) + ".",
                icon=":material/edit_note:",
            )
        cols = st.columns(len(show))
        for col, need in zip(cols, show, strict=True):
            if need == "project":
                picked = col.selectbox(
                    "Project the sheet belongs to",
                    [*sorted(known), NEW_PROJECT],
                    index=None,
                    placeholder="Choose a project",
                    key="upload_project",
                    format_func=lambda i: i if i == NEW_PROJECT else f"{i} {known.get(i, '')}",
                )
                if picked == NEW_PROJECT:
                    col.text_input(
                        "Id of the new project", key="upload_new_project", max_chars=64,
                        placeholder="e.g. PRJ-0123",
                    )  # fmt: skip
            else:
                _date_input(col, "Report date of the sheet", "upload_date")


def chosen_report_date() -> tuple[date | None, bool]:
    """The report date chosen on the page, and whether it replaces the sheet's own (the
    answer to a far-date warning) or only fills a missing one."""
    replacement = st.session_state.get("upload_date_replace")
    if replacement is not None:
        return replacement, True
    return st.session_state.get("upload_date"), False


def replace_report_date(parsed: ParsedFile) -> None:
    """After a warning that the sheet's report date is far from the latest review (a cached
    =TODAY(), last year's file): a date that replaces the one the sheet states."""
    if not far_report_date(parsed) and st.session_state.get("upload_date_replace") is None:
        return
    _date_input(
        st, "Replace the sheet's report date with", "upload_date_replace",
        help="For a sheet that states one report date; a sheet with several keeps them.",
    )  # fmt: skip


def _date_input(where, label: str, key: str, help: str | None = None) -> None:
    """A report-date input within the years ``[ingest]`` allows, empty until chosen."""
    ingest = get_config().ingest
    where.date_input(
        label,
        value=None,
        min_value=date(ingest.min_year, 1, 1),
        max_value=date(ingest.max_year, 12, 31),
        format="YYYY-MM-DD",
        key=key,
        help=help,
    )


def currency_choice(default: str) -> str:
    codes = [default, *sorted(CODES - {default})]
    return st.selectbox(
        "Currency of money the sheet does not state",
        codes,
        key="upload_currency",
        help="Used when no header, title line or cell shows a currency symbol or code.",
    )


def chosen_units() -> dict[str, str]:
    return {
        k[len(UNIT_KEY) :]: v
        for k, v in st.session_state.items()
        if isinstance(k, str) and k.startswith(UNIT_KEY) and v
    }


def chosen_mappings() -> dict[str, str]:
    out = {}
    for k, v in st.session_state.items():
        if isinstance(k, str) and k.startswith(MAP_KEY) and v:
            written, _, pid = k[len(MAP_KEY) :].rpartition("::")
            out[written] = pid
    return out


def unit_questions(parsed: ParsedFile) -> None:
    """Per money column with no unit whose values look like millions or thousands: a choice."""
    asked = [
        c
        for s in parsed.sheets
        for c in s.money.columns.values()
        if c.question or c.source.startswith("chosen")
    ]
    if not asked:
        return
    st.warning(
        "Some money columns state no unit and their values look like millions or thousands. "
        "Choose the unit of each: money is stored in currency units (7.9 in millions is "
        "7,900,000).",
        icon=":material/currency_exchange:",
    )
    cols = st.columns(min(len(asked), 3))
    for i, c in enumerate(asked):
        cols[i % len(cols)].selectbox(
            f"Unit of '{plain(c.label)}' (median {c.median:,.4g})",
            list(CHOICE_LABELS),
            index=None,
            format_func=CHOICE_LABELS.get,
            placeholder="choose the unit",
            key=f"{UNIT_KEY}{c.label}",
        )


def new_projects(parsed: ParsedFile) -> None:
    """The projects the file would create, the tick that allows it, and near-match choices."""
    for sg in parsed.suggestions:
        st.checkbox(
            f"{plain(sg.text)} Use {plain(sg.project_id)} for these rows",
            key=f"{MAP_KEY}{sg.written}::{sg.project_id}",
        )
    new = parsed.new_projects
    if not new:
        return
    st.write(f"**This file names {len(new)} project(s) that are not in the database:**")
    st.dataframe(
        pd.DataFrame({"project id": list(new), "name": list(new.values())}),
        hide_index=True,
        width="stretch",
        height=min(38 + 35 * len(new), 300),
    )
    ticked = st.checkbox(f"Create {len(new)} new projects", key="upload_create")
    if not ticked:
        st.info(
            f"Not ticked: the rows of these {len(new)} projects will not be loaded; the rest of "
            "the file will. Tick the box to create them, or accept a suggestion above when a "
            "row means a project that already exists.",
            icon=":material/info:",
        )


def overwrites(parsed: ParsedFile) -> None:
    """Stored snapshots the commit would replace: before and after, jumps first."""
    found = parsed.overwrites
    if found.empty:
        return
    jumps = int((found["jumps"] != "").sum())
    st.warning(
        f"This upload replaces {len(found)} stored status snapshot(s)"
        + (f", {jumps} with a jump in EV, AC or forecast end" if jumps else "")
        + ". The old versions stay in history.",
        icon=":material/history:",
    )
    shown = found.assign(_j=found["jumps"] == "").sort_values(["_j", "project_id"])
    st.dataframe(shown.drop(columns="_j"), hide_index=True, width="stretch", key="overwrites")


def kept_values(parsed: ParsedFile) -> None:
    """Stored project values the commit keeps instead of the file's, with the reason."""
    kept = parsed.kept_values
    if kept.empty:
        return
    st.info(
        f"{len(kept)} stored project value(s) stay as they are: the file's report is older "
        "than the latest stored one, or its cell is empty.",
        icon=":material/lock:",
    )
    shown = kept.astype({"stored": "str", "file": "str"}).replace({"None": ""})
    st.dataframe(shown, hide_index=True, width="stretch", key="kept_values")
