"""The Data quality page's sections (pages/data/quality.py lays them out): reporting tiles,
reporting by manager with the follow-up of requests and reminders, quality scores per project
and per upload, plausibility findings, and the rows skipped and cells corrected at upload.
Each reads the review model or the uploads' stored reports (ui.data)."""

from __future__ import annotations

import streamlit as st

from analytics import money as fmt
from analytics import quality
from analytics.review import Review
from data_loaders.report import corrections_frame
from ui import data, send_reminders
from ui.components import (
    data_table,
    empty_state,
    project_link_column,
    project_links,
    provenance,
    rag_column,
)
from ui.follow_up import COLUMN_CONFIG as FOLLOW_UP_COLUMNS
from ui.follow_up import with_follow_up
from ui.review_context import ReviewContext

STATUS_LABELS = {
    "on time": "✓ On time",
    "late": "◔ Late",
    "not reported": "○ Not reported (Grey)",
}
LINK = project_link_column()
# where a cell sat in an uploaded file: the first columns of the skipped and corrected tables
CELL_PLACE = {
    "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
    "file_name": "File",
    "sheet": "Sheet",
    "row": st.column_config.NumberColumn("Row", format="%d"),
    "column": "Column",
}


def tiles(ctx: ReviewContext, rv: Review) -> None:
    status, scores, rules = rv.reporting, rv.quality_scores, rv.config.staleness
    provenance(
        ctx,
        f"on time = last report under {rules.cadence_days} days old; late = "
        f"{rules.cadence_days} to {rules.cadence_days + rules.grace_days} days; not reported = "
        "older or never (shown Grey everywhere)",
        "source: status reports, milestone plans, decisions",
    )

    counts = status["status"].value_counts()
    tiles = st.columns(4)
    tiles[0].metric("On time", int(counts.get("on time", 0)), border=True)
    tiles[1].metric("Late", int(counts.get("late", 0)), border=True)
    tiles[2].metric(
        "Not reported",
        int(counts.get("not reported", 0)),
        border=True,
        help=f"No report within {rules.cadence_days} + {rules.grace_days} days; shown Grey",
    )
    tiles[3].metric(
        "Mean quality score",
        f"{scores['score'].mean():.0f} / 100" if scores["score"].notna().any() else "n/a",
        border=True,
        help="Mean of completeness and plausibility, over the projects shown",
    )


def by_manager(ctx: ReviewContext, rv: Review) -> None:
    """Reporting by manager and by project, with requests and reminders sent, and the panel
    that sends them."""
    status, frames, config, rules = rv.reporting, rv.frames, rv.config, rv.config.staleness
    st.subheader("Reporting by manager")
    summary = rv.reporting_by_manager
    st.dataframe(
        summary,
        hide_index=True,
        key="manager_table",
        column_config={
            "manager": "Manager",
            "on_time": st.column_config.NumberColumn("On time", format="%d"),
            "late": st.column_config.NumberColumn("Late", format="%d"),
            "not_reported": st.column_config.NumberColumn("Not reported", format="%d"),
            "projects": st.column_config.NumberColumn("Projects", format="%d"),
            "oldest_days": st.column_config.NumberColumn("Oldest last report (days)", format="%d"),
        },
    )
    # Not kept with the review: a mail sent from the panel below changes no data version.
    detail = with_follow_up(status, frames, ctx.review_date, rules.cadence_days)
    data_table(
        detail,
        "reporting_by_project",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            status=rows["status"].map(STATUS_LABELS),
            rag=rag_column(rows["display_rag"]),
        )[
            [
                "manager",
                "link",
                "name",
                "status",
                "last_report_date",
                "age_days",
                "rag",
                "request_sent",
                "reminder_sent",
                "update_arrived",
            ]
        ],  # fmt: skip
        hide_index=True,
        key="reporting_table",
        column_config={
            "manager": "Manager",
            "link": LINK,
            "name": "Name",
            "status": "Reporting",
            "last_report_date": st.column_config.DateColumn("Last report"),
            "age_days": st.column_config.NumberColumn("Age (days)", format="%d"),
            "rag": "RAG shown",
            **FOLLOW_UP_COLUMNS,
        },
    )
    provenance(
        ctx, "source: status reports; requests and reminders sent by python -m cadence remind"
    )
    send_reminders.panel(config)


def project_scores(ctx: ReviewContext, rv: Review) -> None:
    scores = rv.quality_scores
    st.subheader("Quality score per project")
    st.caption(
        "Score = mean of completeness (% of the fields the reviews rely on that are filled: "
        f"{', '.join(quality.REQUIRED_FIELDS)}) and plausibility (% of the project's reports with "
        f"no finding), over its reports up to {fmt.day(ctx.review_date)}."
    )
    data_table(
        scores,
        "quality_scores",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            status=rows["status"].map(STATUS_LABELS),
        )[
            [
                "link",
                "name",
                "manager",
                "status",
                "score",
                "completeness",
                "plausibility",
                "findings",
                "reports",
                "latest_completeness",
                "latest_missing",
            ]
        ],  # fmt: skip
        hide_index=True,
        key="project_scores",
        column_config={
            "link": LINK,
            "name": "Name",
            "manager": "Manager",
            "status": "Reporting",
            "score": st.column_config.ProgressColumn(
                "Score", format="%.0f", min_value=0, max_value=100
            ),
            "completeness": st.column_config.NumberColumn("Completeness %", format="%.0f"),
            "plausibility": st.column_config.NumberColumn("Plausibility %", format="%.0f"),
            "findings": st.column_config.NumberColumn("Findings", format="%d"),
            "reports": st.column_config.NumberColumn("Reports", format="%d"),
            "latest_completeness": st.column_config.NumberColumn(
                "Latest report complete %", format="%.0f"
            ),
            "latest_missing": "Missing in latest report",
        },
    )


def findings(ctx: ReviewContext, rv: Review) -> None:
    found, config = rv.findings, rv.config
    st.subheader("Plausibility findings")
    only_latest = st.toggle(
        f"Only reports dated {fmt.day(ctx.review_date)}", value=False, key="findings_latest"
    )
    shown = found[found["report_date"] == ctx.review_date] if only_latest else found
    if shown.empty:
        empty_state("No plausibility findings for the projects shown.")
    else:
        data_table(
            shown,
            "plausibility_findings",
            prepare=lambda rows: rows.assign(link=project_links(rows["project_id"], ctx))[
                ["link", "name", "report_date", "field", "value", "rule", "upload_id"]
            ],
            hide_index=True,
            key="findings_table",
            column_config={
                "link": LINK,
                "name": "Name",
                "report_date": st.column_config.DateColumn("Report date"),
                "field": "Field",
                "value": st.column_config.TextColumn("Value", width="medium"),
                "rule": st.column_config.TextColumn("Rule", width="large"),
                "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
            },
        )
    rule_texts = [
        r.format(factor=config.quality.cost_overrun_factor, pct=config.quality.overwrite_jump_pct)
        for r in quality.RULES.values()
    ]
    st.caption(
        f"{len(shown)} findings · rules: {'; '.join(rule_texts)}"
        f" · a baseline change counts as decided when a decision is dated up to "
        f"{config.quality.decision_window_days} days before it · source: status reports, "
        "milestone plans, decision log"
    )


def per_upload(rv: Review) -> None:
    st.subheader("Quality score per upload")
    uploads = rv.upload_scores
    if uploads.empty:
        empty_state("No uploads with status reports up to this review date.")
    else:
        data_table(
            uploads,
            "upload_quality",
            hide_index=True,
            key="upload_scores",
            column_config={
                "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
                "file_name": "File",
                "uploaded_at": st.column_config.DatetimeColumn(
                    "Uploaded", format="YYYY-MM-DD HH:mm"
                ),
                "reports": st.column_config.NumberColumn("Reports", format="%d"),
                "report_dates": "Report dates",
                "completeness": st.column_config.NumberColumn("Completeness %", format="%.0f"),
                "findings": st.column_config.NumberColumn("Findings", format="%d"),
                "plausibility": st.column_config.NumberColumn("Plausibility %", format="%.0f"),
                "score": st.column_config.ProgressColumn(
                    "Score", format="%.0f", min_value=0, max_value=100
                ),
                "missing": "Blank required fields",
            },
        )
        st.caption(
            "Every upload with status reports dated up to the review date, all projects "
            "(filters do not apply) · source: uploads and the reports they carried"
        )


def skipped_and_corrected(rv: Review) -> None:
    """Rows skipped and cells corrected at upload, from every upload's stored report."""
    frames = rv.frames
    st.subheader("Rows skipped at upload")
    reports = data.upload_reports()
    skipped = quality.skipped_rows(reports, frames["uploads"])
    if skipped.empty:
        empty_state("No upload skipped a row.")
    else:
        data_table(
            skipped,
            "skipped_rows",
            hide_index=True,
            key="skipped_rows",
            column_config={
                **CELL_PLACE,
                "value": st.column_config.TextColumn("Value", width="medium"),
                "reason": st.column_config.TextColumn("Reason", width="large"),
            },
        )
        per = skipped.groupby("upload_id").size()
        st.caption(
            f"{len(skipped)} rows skipped in {len(per)} uploads; every other row of those files "
            "loaded · all uploads (filters do not apply) · source: the validation report kept with "
            "each upload"
        )

    st.subheader("Cells corrected at upload")
    uploads = frames["uploads"]
    fixed = corrections_frame(
        reports, dict(zip(uploads["upload_id"], uploads["file_name"], strict=True))
    )
    if fixed.empty:
        empty_state("No cell was corrected in an upload preview.")
    else:
        data_table(
            fixed,
            "corrected_cells",
            hide_index=True,
            key="corrected_cells",
            column_config={
                **CELL_PLACE,
                "original": st.column_config.TextColumn("In the file", width="medium"),
                "value": st.column_config.TextColumn("Corrected to", width="medium"),
                "by": "By",
            },
        )
        st.caption(
            f"{len(fixed)} cells corrected in the preview before loading; the files are kept as "
            "uploaded · all uploads (filters do not apply) · source: the validation report kept "
            "with each upload"
        )
