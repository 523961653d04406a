"""Upload: a PM's weekly sheet -> preview of what will load and what is wrong -> one commit."""

import copy
import hashlib
import json

import streamlit as st

from access.roles import refusal
from config import get_config
from data_loaders import worker
from data_loaders.ingest import (
    Options,
    commit,
    known_projects,
    preview,
    remembered_mappings,
)
from data_loaders.report import (
    load_summary,
    plural,
    warning_summary,
)
from data_loaders.sandbox import parse_isolated
from data_loaders.template import template_bytes
from ui import (
    cell_fixes,
    data,
    identity,
    update_changes,
    update_sheets,
    upload_history,
    upload_sheets,
)
from ui import upload_choices as project_choices
from ui.components import plain
from ui.page import page_setup

TYPES = ["xlsx", "xlsm", "xls", "xlsb", "ods", "csv", "xml"]


def commit_label(loaded: int, skipped: int, replaces: int = 0) -> str:
    """``Load 242 rows (skip 2, replaces 3 snapshots)``: the button says what it will do."""
    notes = []
    if skipped:
        notes.append(f"skip {skipped:,}")
    if replaces:
        notes.append(f"replaces {plural(replaces, 'snapshot')}")
    return f"Load {plural(loaded, 'row')}" + (f" ({', '.join(notes)})" if notes else "")


page_setup("Upload", needs_data=False)
# The parse worker imports the readers while the user picks a file: the first parse finds it warm.
worker.start()
st.caption(
    "Upload the weekly status sheet, a risk register, RAID log or milestone plan: our template "
    "or your own layout. Nothing is written until you load it; rows with impossible values are "
    "skipped and listed, every other row loads in one go."
)
engine = data.engine()
config = get_config()
st.download_button(
    "Download the official template",
    template_bytes,  # built on click, for that session only (see ui/guard.py)
    file_name="pmo_lens_template.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
)

uploaded = st.file_uploader(
    "Spreadsheet, CSV or MS Project XML (macros never run)", type=TYPES, key="upload_file"
)
known = known_projects(engine)
currency = project_choices.currency_choice(config.money.currency)
if identity.sign_in_configured():
    me = identity.current()
    st.caption(f"Uploading as {plain(me.name or me.label)} ({plain(me.label)}): recorded with it.")
else:
    name = st.text_input("Your name (recorded with the upload)", value="pm", key="upload_who")
    me = identity.current(name or "pm")
update_sheets.download_buttons(me, config, identity.pm_only(me))
offered = known  # the projects a sheet without a project column may be loaded for
if identity.pm_only(me):  # a pm loads only their projects: the store refuses any other
    offered = {pid: text for pid, text in known.items() if pid in me.projects}
    st.caption("Your projects: " + (", ".join(sorted(me.projects)) or "none assigned yet"))

if uploaded is not None:
    raw = uploaded.getvalue()
    sha = hashlib.sha256(raw).hexdigest()
    if st.session_state.get("upload_choices_for") != sha:  # a new file starts with no choices
        for key in (
            "upload_project", "upload_new_project", "upload_date", "upload_date_replace",
            cell_fixes.FIXES,
        ):  # fmt: skip
            st.session_state.pop(key, None)
        st.session_state["upload_choices_for"] = sha
    # What a sheet lacks is chosen below the preview, once the file shows it is needed; the
    # choices made so far apply to this run's check.
    project = project_choices.chosen_project()
    report_date, replace_date = project_choices.chosen_report_date()
    edits: dict = st.session_state.setdefault("upload_mappings", {})
    mappings = {**remembered_mappings(engine), **edits}
    options = Options(
        project_id=project,
        report_date=report_date,
        replace_report_date=replace_date,
        mappings=mappings,
        units=project_choices.chosen_units(),
        currency=currency,
        new_projects="create" if st.session_state.get("upload_create") else "skip",
        project_map=project_choices.chosen_mappings(),
        corrections=cell_fixes.chosen(),
    )
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
    preview(engine, parsed)
    report = parsed.report
    n_err = sum(p.severity == "error" for p in report.all_problems)
    n_warn = sum(p.severity == "warning" for p in report.all_problems)
    cols = st.columns(5)
    cols[0].metric("Sheets", len(report.sheets))
    cols[1].metric("Rows to load", report.rows_loaded)
    cols[2].metric("Rows skipped", report.rows_skipped)
    cols[3].metric("Errors", n_err)
    cols[4].metric("Warnings", n_warn)
    st.caption(f"File: {plain(uploaded.name)} · {len(raw):,} bytes · sha256 {sha[:12]}…")
    if report.status == "valid":
        st.info(" · ".join([load_summary(report), *warning_summary(report)]))
    update_changes.panel(parsed, config)
    for p in report.problems:
        if p.severity == "error":
            st.error(plain(p.message), icon=":material/error:")
        else:  # e.g. a jump in a replaced snapshot: worth a look, not a block
            st.warning(plain(p.message), icon=":material/warning:")
    filled = None if replace_date else report_date  # a replacement is asked for below
    project_choices.needs(report.needs, {"project": project, "report_date": filled}, offered)
    project_choices.replace_report_date(parsed)
    project_choices.unit_questions(parsed)
    project_choices.new_projects(parsed)
    project_choices.overwrites(parsed)
    project_choices.kept_values(parsed)

    upload_sheets.panels(parsed, edits)

    cell_fixes.grid(parsed)

    # Said before the button, in the store's own words; the store checks it again on load.
    refused = refusal(me, "upload", {p for df in parsed.frames.values() for p in df["project_id"]})
    if refused:
        st.error(f"Not allowed: {plain(refused)}.", icon=":material/block:")
    blocked = report.has_errors or not parsed.frames or refused is not None
    if blocked:
        st.warning(
            "Nothing can load yet: make the choices above, fix the column mapping, or fix the "
            "sheet and upload it again.",
            icon=":material/block:",
        )
    label = (
        "Nothing to load"
        if blocked
        else commit_label(report.rows_loaded, report.rows_skipped, len(parsed.overwrites))
    )
    if st.button(label, type="primary", disabled=blocked, key="upload_commit"):
        with st.spinner("Writing in one transaction…"):
            result = commit(engine, parsed, me.display, source="upload", identity=me)
        if result.status == "loaded":
            rows = ", ".join(f"{t} {n}" for t, n in result.totals.items() if n)
            what = f"new or changed rows: {rows}" if rows else "every row matched what was stored"
            skipped = (
                f" {result.rows_skipped} skipped rows are kept with the upload (Data quality)."
                if result.rows_skipped
                else ""
            )
            fixed = (
                f" {plural(len(result.corrections), 'corrected cell')} recorded with it."
                if result.corrections
                else ""
            )
            st.success(
                f"Loaded as upload {result.upload_id} ({what}).{skipped}{fixed}",
                icon=":material/check:",
            )
        elif result.status == "duplicate":
            # The file is the upload: the same bytes with other corrections are still loaded.
            again = (
                " Corrections do not apply to a file already loaded: correct the sheet itself "
                "and upload it again."
                if result.corrections
                else ""
            )
            st.info(f"Already loaded (upload {result.upload_id}); nothing duplicated.{again}")
        else:
            st.error("Not loaded: " + "; ".join(plain(p.message) for p in result.problems))

upload_history.show()
