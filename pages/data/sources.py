"""SQL sources (admin): configured source databases, last sync, row counts, problems, Sync now."""

import pandas as pd
import streamlit as st

from data_loaders import sql_source, sync
from ui import data, identity
from ui.components import empty_state, plain
from ui.page import page_setup

page_setup("SQL sources", needs_data=False)
folder = sql_source.sources_dir()
st.caption(
    f"Source definitions in `{folder}` (set PMO_SOURCES_DIR to use another folder). "
    "A sync only reads the source database (one SELECT per query, in a read-only transaction, "
    "as a database user that may only read), in a separate worker process with a time and "
    "memory limit; it checks every row with the same rules as an Excel upload and imports one "
    "snapshot; any error means nothing is written. Rows the source no longer returns are "
    "removed from the app; their history is kept."
)

paths = sql_source.list_sources(folder)
if not paths:
    empty_state(
        f"No SQL sources are configured. Copy `sources/example_ppm.toml` into `{folder}`, "
        "point its url at your database and map your columns, then come back here."
    )
    st.stop()

engine = data.engine()


def show_problems(rows: list[dict]) -> None:
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def run_sync(src: sql_source.SourceDef, key: str) -> None:
    bar = st.progress(0.0, text="Starting…")
    # isolated: the source is read in a worker process with memory and time limits
    # ([ingest] sync_*); this server process only receives the checked frames and writes them.
    result = sync.sync(
        src,
        engine,
        progress=lambda f, t: bar.progress(min(f, 1.0), text=t),
        identity=identity.current(),
        isolated=True,
    )
    st.session_state[key] = result.report, result.changed, result.removed
    st.rerun()


for path in paths:
    with st.container(border=True):
        try:
            src = sql_source.load_source(path)
        except sql_source.SourceError as exc:
            st.subheader(plain(path.stem))
            st.error(f"This source file cannot be used: {plain(exc)}", icon=":material/error:")
            continue
        st.subheader(plain(src.name))
        try:
            where = sql_source.display_url(sql_source.resolve_url(src))
        except sql_source.SourceError as exc:
            where = f"{sql_source.display_url(src.url_template)} — {exc}"
        described = f"{plain(src.description)} · " if src.description else ""
        st.caption(f"{described}`{path.name}` · {where}")  # the admin's own file and URL
        privileged = " · **a privileged database user is allowed**" * src.allow_privileged_user
        st.caption(
            f"Queries cancelled after {src.statement_timeout_seconds} s · at most "
            f"{src.max_rows_per_table:,} rows per table{privileged}"
        )
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "canonical table": name,
                        "reads": f"table {t.source_table}" if t.source_table else "SQL query",
                        "mapped columns": len(t.columns),
                        "value mappings": ", ".join([*t.values, *t.scales]) or "—",
                    }
                    for name, t in src.tables.items()
                ]
            ),
            hide_index=True,
            width="stretch",
        )

        last = sync.last_sync(engine, src.name)
        if last is None:
            st.info("Never synced.", icon=":material/schedule:")
        else:
            st.markdown(
                f"**Last sync:** {last['synced_at']:%Y-%m-%d %H:%M} UTC "
                f"by {plain(last['synced_by'])} (upload {last['upload_id']})"
            )
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "table": t,
                            "rows in source": n,
                            "new or changed": last["changed"].get(t),
                            "removed": last["removed"].get(t, 0),
                        }
                        for t, n in last["rows"].items()
                    ]
                ),
                hide_index=True,
                width="stretch",
            )
            if last["warnings"]:
                st.caption("Warnings of the last sync")
                show_problems(last["warnings"])

        key = f"sync_result_{path.stem}"
        if st.button("Sync now", key=f"sync_{path.stem}", icon=":material/sync:"):
            run_sync(src, key)
        if key in st.session_state:
            report, changed, removed = st.session_state[key]
            if report.status == "loaded":
                rows = ", ".join(f"{n} {t}" for t, n in changed.items() if n) or "no rows"
                gone = ", ".join(f"{n} {t}" for t, n in removed.items() if n)
                gone = f" Removed (no longer in the source): {gone}." if gone else ""
                st.success(f"Synced: new or changed {rows}.{gone}", icon=":material/check_circle:")
            elif report.status == "duplicate":
                st.success(
                    "Unchanged since the last sync: nothing to import.", icon=":material/check:"
                )
            else:
                st.error(
                    "The sync was refused and nothing was written. Fix these problems in the "
                    "source or in the source file, then sync again.",
                    icon=":material/error:",
                )
            show_problems(sync.problem_rows(report))
