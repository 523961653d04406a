"""Upload: a PM's weekly sheet -> preview of what will load and what is wrong -> one commit."""

import copy
import hashlib
import json
from datetime import date

import pandas as pd
import streamlit as st

import store
from data_loaders.fields import field_choices
from data_loaders.ingest import Options, commit, known_projects, remembered_mappings
from data_loaders.report import Problem, problems_frame, rows_written, stored_problems
from data_loaders.sandbox import parse_isolated
from data_loaders.template import template_bytes
from ui import data
from ui.components import plain

TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv"]
KIND_LABELS = {
    "status": "Status report",
    "projects": "Portfolio list (projects)",
    "risks": "Risk register",
    "milestones": "Milestones",
    "decisions": "Decisions",
    "raid": "RAID log",
    "unsupported": "Not loaded",
}

st.title("Upload")
st.caption(
    "Upload the weekly status sheet, a risk register, RAID log or milestone plan: our template "
    "or your own layout. Nothing is written until you commit, and a file with errors is never "
    "half-loaded."
)
engine = data.engine()
st.download_button(
    "Download the official template",
    template_bytes(),
    file_name="pmo_lens_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)

uploaded = st.file_uploader("Spreadsheet or CSV (macros never run)", type=TYPES, key="upload_file")
known = known_projects(engine)
with st.expander("Values the sheet may lack", expanded=False):
    st.caption("Used only for sheets that name no project or have no report date.")
    ids = ["(none)", *sorted(known)]
    project = st.selectbox(
        "Project", ids, key="upload_project", format_func=lambda i: f"{i} {known.get(i, '')}"
    )
    use_date = st.checkbox("Set a report date", key="upload_use_date")
    report_date = st.date_input("Report date", value=date.today(), key="upload_date")
who = st.text_input("Your name (recorded with the upload)", value="pm", key="upload_who")

if uploaded is not None:
    raw = uploaded.getvalue()
    edits: dict = st.session_state.setdefault("upload_mappings", {})
    mappings = {**remembered_mappings(engine), **edits}
    options = Options(
        project_id=None if project == "(none)" else project,
        report_date=report_date if use_date else None,
        mappings=mappings,
    )
    sha = hashlib.sha256(raw).hexdigest()
    # Parsing runs in a child process (seconds to start): parse once per file and choices,
    # not on every rerun. A copy is shown, so a commit never changes the remembered preview.
    key = json.dumps([sha, repr(options), sorted(known)])  # every option, whatever it holds
    cached = st.session_state.get("upload_parsed")
    if cached is None or cached[0] != key:
        bar = st.progress(0.0, text="Reading…")
        parsed = parse_isolated(
            uploaded.name,
            raw,
            known,
            options=options,
            progress=lambda frac, text: bar.progress(min(frac, 1.0), text=text),
        )
        bar.empty()
        st.session_state["upload_parsed"] = cached = (key, parsed)
    parsed = copy.deepcopy(cached[1])
    report = parsed.report
    n_err = sum(p.severity == "error" for p in report.all_problems)
    n_warn = sum(p.severity == "warning" for p in report.all_problems)
    cols = st.columns(4)
    cols[0].metric("Sheets", len(report.sheets))
    cols[1].metric("Rows to load", sum(report.totals.values()))
    cols[2].metric("Errors", n_err)
    cols[3].metric("Warnings", n_warn)
    st.caption(f"File: {plain(uploaded.name)} · {len(raw):,} bytes · sha256 {sha[:12]}…")
    for p in report.problems:
        st.error(plain(p.message), icon=":material/error:")

    for sheet in parsed.sheets:
        rep = sheet.report
        icon = (
            "✅"
            if rep.kind != "unsupported" and not any(p.severity == "error" for p in rep.problems)
            else ("⛔" if rep.kind != "unsupported" else "➖")
        )
        title = f"{icon} {plain(rep.sheet)}: {KIND_LABELS.get(rep.kind, rep.kind)}"
        with st.expander(title, expanded=rep.kind != "unsupported"):
            where = f"header on row {rep.header_row}" if rep.header_row else "no header row"
            st.write(f"{where} · {rep.rows_loaded} rows to load · {rep.rows_skipped} skipped")
            if rep.reason:
                st.caption(plain(rep.reason))
            if rep.kind != "unsupported" and rep.mapping and sheet.layout_key:
                choices = ["", *field_choices(rep.kind)]
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
                            "Loads into (blank = ignore)", options=choices
                        ),
                    },
                    width="stretch",
                )
                new = dict(zip(edited["column"], edited["field"].fillna(""), strict=True))
                if new != rep.mapping:
                    edits[sheet.layout_key] = new
                    st.rerun()
            for table, frame in sheet.frames.items():
                st.write(f"**{table}**: {len(frame)} rows")
                st.dataframe(frame.head(200), hide_index=True, width="stretch")
            if rep.problems:
                st.dataframe(problems_frame(rep.problems), hide_index=True, width="stretch")

    blocked = report.has_errors or not parsed.frames
    if blocked:
        st.warning(
            "Fix the errors above (in the sheet, the column mapping or the values the sheet may "
            "lack) and upload again: nothing is written while errors remain.",
            icon=":material/block:",
        )
    if st.button("Commit upload", type="primary", disabled=blocked, key="upload_commit"):
        with st.spinner("Writing in one transaction…"):
            result = commit(engine, parsed, who or "pm", source="upload")
        if result.status == "loaded":
            rows = ", ".join(f"{t} {n}" for t, n in result.totals.items() if n)
            what = f"new or changed rows: {rows}" if rows else "every row matched what was stored"
            st.success(f"Loaded as upload {result.upload_id} ({what}).", icon=":material/check:")
        elif result.status == "duplicate":
            st.info(f"Already loaded (upload {result.upload_id}); nothing duplicated.")
        else:
            st.error("Not loaded: " + "; ".join(p.message for p in result.problems))

st.subheader("Upload history")
uploads = data.frames()["uploads"]
if uploads.empty:
    st.info("No uploads yet.")
else:
    shown = uploads.assign(rows=uploads["row_counts"].map(rows_written))[
        ["upload_id", "file_name", "uploaded_by", "uploaded_at", "source", "status", "rows"]
    ]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "upload_id": "Upload",
            "file_name": "File",
            "uploaded_by": "By",
            "uploaded_at": st.column_config.DatetimeColumn("When (UTC)"),
            "source": "Source",
            "status": "Status",
            "rows": st.column_config.TextColumn("Rows written", width="large"),
        },
    )
    st.caption(f"{len(uploads)} uploads · source: app database")
    pick = st.selectbox(
        "Download an original file",
        list(uploads["upload_id"]),
        format_func=lambda i: f"{i}: {uploads.set_index('upload_id').loc[i, 'file_name']}",
        key="upload_history_pick",
    )
    report = store.upload_report(engine, int(pick))
    if report:
        found = problems_frame([Problem(**p) for p in stored_problems(report)])
        st.caption(f"Validation report of upload {pick}: {len(found)} problems kept with it")
        if not found.empty:
            st.dataframe(found, hide_index=True, width="stretch")
    name, content = store.upload_content(engine, int(pick))
    if content is None:
        st.caption("This upload kept no original file (sample or SQL sync).")
    else:
        st.download_button(
            f"Download {name}", content, file_name=name, key="upload_history_download"
        )
