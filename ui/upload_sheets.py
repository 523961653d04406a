"""The Upload page's panel per sheet of a file: what it holds, the rows it would load, the
column mapping (and, for a table we do not recognise, what it holds) and its problems."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data_loaders.fields import field_choices
from data_loaders.report import REFUSED, problems_frame
from data_loaders.sheet import KIND_ENTRY
from ui.components import plain

KIND_LABELS = {
    "status": "Status report",
    "projects": "Portfolio list (projects)",
    "risks": "Risk register",
    "milestones": "Milestones",
    "decisions": "Decisions",
    "raid": "RAID log",
    "benefits": "Benefits register",
    "unsupported": "Not loaded",
}


def panels(parsed, edits: dict) -> None:
    """One expander per sheet of ``parsed``; a mapping or kind chosen here goes into
    ``edits`` (the page's ``upload_mappings``, keyed by the sheet's layout) and reruns."""
    for sheet in parsed.sheets:
        rep = sheet.report
        refused = any(p.outcome == REFUSED for p in rep.problems)
        icon = (
            "➖"
            if rep.kind == "unsupported"
            else ("⛔" if refused else ("⚠️" if rep.rows_skipped else "✅"))
        )
        title = f"{icon} {plain(rep.sheet)}: {KIND_LABELS.get(rep.kind, rep.kind)}"
        # open when it loads, or when it waits for the PM to say what it holds
        asks = rep.kind == "unsupported" and bool(sheet.layout_key)
        with st.expander(title, expanded=rep.kind != "unsupported" or asks):
            where = f"header on row {rep.header_row}" if rep.header_row else "no header row"
            st.write(
                f"{where} · {rep.rows_loaded} rows to load · {rep.rows_skipped} skipped"
                + (f" · {rep.rows_ignored} not data (totals, footers)" if rep.rows_ignored else "")
            )
            if rep.reason:
                st.caption(plain(rep.reason))
            if rep.inferences:  # how it was read: languages, date order, separators, units
                st.caption("How it was read: " + " · ".join(plain(s) for s in rep.inferences))
            if rep.kind == "unsupported" and rep.suggestion and sheet.layout_key:
                _suggestion(rep.suggestion, sheet.layout_key, edits)
            # a table whose column names we do not know: the PM says what it holds
            shown = sheet.kind_chosen or sheet.kind_seen
            if sheet.layout_key and (sheet.kind_chosen or rep.kind == "unsupported"):
                kinds = [k for k in KIND_LABELS if k != "unsupported"]
                kind = st.selectbox(
                    "What this table holds",
                    kinds,
                    index=kinds.index(shown) if shown else None,
                    placeholder="Choose, then map its columns below",
                    format_func=KIND_LABELS.get,
                    key=f"kind_{sheet.layout_key}",
                )
                if kind and kind != shown:
                    edits[sheet.layout_key] = {**edits.get(sheet.layout_key, {}), KIND_ENTRY: kind}
                    st.rerun()
            # the kind being loaded, chosen, or seen while a project column is missing
            kind = rep.kind if rep.kind != "unsupported" else shown
            if kind and rep.mapping and sheet.layout_key:
                choices = ["", *field_choices(kind)]
                current = pd.DataFrame(
                    {"column": list(rep.mapping), "field": list(rep.mapping.values())}
                )
                edited = st.data_editor(
                    current,
                    key=f"map_{sheet.layout_key}",
                    hide_index=True,
                    disabled=["column"],
                    column_config={
                        "column": st.column_config.TextColumn("Column in your sheet"),
                        "field": st.column_config.SelectboxColumn(
                            "Loads into (blank = ignore)", options=choices, format_func=field_label
                        ),
                    },
                    width="stretch",
                )
                new = dict(zip(edited["column"], edited["field"].fillna(""), strict=True))
                if new != rep.mapping:
                    chosen = {KIND_ENTRY: sheet.kind_chosen} if sheet.kind_chosen else {}
                    edits[sheet.layout_key] = {**new, **chosen}
                    st.rerun()
            for table, frame in sheet.frames.items():
                st.write(f"**{table}**: {len(frame)} rows")
                st.dataframe(frame.head(200), hide_index=True, width="stretch")
            if rep.problems:
                st.dataframe(problems_frame(rep.problems), hide_index=True, width="stretch")


_CAPITALS = {"rag": "RAG", "id": "ID", "pv": "PV", "ev": "EV", "ac": "AC"}


def field_label(f: str) -> str:
    """A field as the mapping editor shows it: words, then the name the CLI's --map takes
    ("Cost RAG (cost_rag)")."""
    if not f:
        return ""
    words = " ".join(_CAPITALS.get(w, w) for w in f.strip("_").split("_"))
    return f"{words[:1].upper()}{words[1:]} ({f})"


def _suggestion(suggestion: dict, layout_key: str, edits: dict) -> None:
    """What the values suggest the table holds, column by column with the reason, and a button
    that takes it into the mapping below (where any column can still be changed)."""
    st.info(
        f"Its values suggest **{KIND_LABELS[suggestion['kind']].lower()}**:\n"
        + "\n".join(f"- {plain(line)}" for line in suggestion["reasons"]),
        icon=":material/lightbulb:",
    )
    if st.button("Use this suggestion", key=f"suggest_{layout_key}", icon=":material/check:"):
        chosen = {**edits.get(layout_key, {}), **suggestion["mapping"]}
        edits[layout_key] = {**chosen, KIND_ENTRY: suggestion["kind"]}
        st.rerun()
