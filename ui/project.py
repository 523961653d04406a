"""The Project detail page's sections (pages/portfolio/project.py lays them out): the project
picker kept in the URL, the header, scores, status, earned value, milestones, risks and RAID,
decisions and lineage. Each reads one ``ProjectView`` of the review model; money is in the
project's currency (``currency``)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import money as fmt
from analytics import project as proj
from analytics.raid import type_label
from analytics.review import ProjectView
from charts import project as charts
from charts.template import rag_label
from ui import data
from ui.components import data_table, decision_table, empty_state, plain, show_chart, table_height
from ui.review_context import ReviewContext

PICK_KEY = "project_pick"


def _keep_in_url() -> None:
    # The selectbox drives the URL so the address bar is a shareable link to this project.
    pid = st.session_state.get(PICK_KEY)
    if pid:
        st.query_params["project"] = pid


def picker(projects: pd.DataFrame) -> str | None:
    """The chosen project id: ?project=ID wins (a link or a click on another page), else the
    selectbox; None (with a hint) until one is chosen."""
    ids = proj.project_ids(projects)
    names = dict(zip(projects["project_id"], projects["name"], strict=True))
    wanted = st.query_params.get("project")
    if wanted in names and st.session_state.get(PICK_KEY) != wanted:
        st.session_state[PICK_KEY] = wanted  # the URL wins (a link or a click on another page)
    pid = st.selectbox(
        "Project",
        ids,
        index=None,
        key=PICK_KEY,
        format_func=lambda p: f"{p} · {names.get(p, '')}",
        placeholder="Choose a project",
        on_change=_keep_in_url,
    )
    if wanted and wanted not in names:
        st.error(
            f"There is no project '{plain(wanted)}' in the project register. Choose one above."
        )
    if not pid:
        empty_state("Choose a project above, or click one on the Governance vs execution page.")
    return pid or None


def currency(view: ProjectView) -> str:
    """The project's currency; the portfolio's when it has none."""
    ccy = view.header.get("currency")
    return ccy if isinstance(ccy, str) and ccy else view.review.config.money.currency


def header(view: ProjectView) -> None:
    head, pid, ccy = view.header, view.project_id, currency(view)
    review_date = view.review.review_date
    st.header(f"{plain(pid)} · {plain(head['name'])}")
    st.caption(
        f"as of {fmt.day(review_date)} · {plain(head.get('portfolio') or 'no portfolio')} › "
        f"{plain(head.get('programme') or 'no programme')} · source: project register"
    )
    cols = st.columns(4)
    cols[0].metric("Sponsor", plain(head.get("sponsor") or "n/a"))
    cols[1].metric("Manager", plain(head.get("manager") or "n/a"))
    cols[2].metric("Stage", plain(head.get("stage") or "n/a"))
    cols[3].metric("Budget (BAC)", fmt.money(head.get("budget"), ccy))
    cols = st.columns(4)
    cols[0].metric("Start", fmt.day(head.get("start_date")))
    cols[1].metric("Baseline end", fmt.day(head.get("end_date")))
    cols[2].metric("Forecast end", fmt.day(head.get("forecast_end_date")))
    cols[3].metric("Contingency", fmt.money(head.get("contingency"), ccy))


def scores(view: ProjectView) -> None:
    """Governance value and execution health, when the project is in the review on this date."""
    if len(view.scores):
        row, breakdown = view.scores.iloc[0], view.score_breakdown
        value = "n/a" if pd.isna(row["governance_value"]) else f"{row['governance_value']:.0f}"
        health = "n/a" if pd.isna(row["execution_health"]) else f"{row['execution_health']:.0f}"
        st.markdown(
            f"**Governance value {value} · execution health {health} → "
            f"{plain(row['quadrant'])}** · "
            f"reported {rag_label(row['display_rag'])} · computed {rag_label(row['computed_rag'])}"
            + (" · **watermelon**" if row["watermelon"] else "")
            + (" · **not reported**" if row["not_reported"] else "")
        )
        with st.expander("How the scores are made"):
            st.dataframe(
                breakdown[["score", "input", "value", "points", "share", "contribution", "rule"]],
                hide_index=True,
                height=table_height(len(breakdown)),  # every input shows, none behind a scroll
                column_config={
                    "points": st.column_config.NumberColumn("Points (0-100)", format="%.0f"),
                    "share": st.column_config.NumberColumn("Weight share", format="%.2f"),
                    "contribution": st.column_config.NumberColumn("Contribution", format="%.1f"),
                },
            )
            st.caption(f"Computed RAG rule: {plain(row['computed_rule'])}")


def status(ctx: ReviewContext, view: ProjectView) -> None:
    pid, review_date = view.project_id, view.review.review_date
    report_source = f"status reports of {pid}"
    st.subheader("Status")
    if view.reports.empty:
        empty_state(f"No status reports for {plain(pid)} up to {fmt.day(review_date)}.")
    else:
        strip = view.keep("rag_strip", lambda: charts.rag_strip(view.rag_strip))
        show_chart(strip, "project_rag_strip", ctx, report_source)
        story = view.narrative
        st.markdown(
            f"**Latest report {fmt.day(story['report_date'])}** by "
            f"{plain(story['reported_by'] or 'n/a')} · {rag_label(story['overall_rag'])} "
            f"(label as reported: {plain(story['rag_label'] or 'n/a')})"
        )
        # Text from uploads is shown as plain text, never rendered as Markdown or HTML.
        for label, key in (
            ("Summary", "summary"),
            ("Next steps", "next_steps"),
            ("Decisions needed", "decisions_needed"),
        ):
            st.caption(label)
            st.text(story[key] or "—")


def earned_value(ctx: ReviewContext, view: ProjectView) -> None:
    pid, head, ccy = view.project_id, view.header, currency(view)
    report_source = f"status reports of {pid}"

    def _money(v) -> str:
        return fmt.money(v, ccy)

    st.subheader("Earned value")
    if view.reports.empty:
        empty_state("No earned value without status reports.")
    elif not view.has_earned_value:
        empty_state(
            f"No earned value in the status reports of {pid}: planned value, earned value and "
            "actual cost are all empty."
        )
    else:
        series = view.evm
        last = series.iloc[-1]

        def _idx(v) -> str:
            return "not computable" if pd.isna(v) else f"{v:.2f}"

        cols = st.columns(4)
        cols[0].metric("SPI (EV / PV)", _idx(last["spi"]))
        cols[1].metric("CPI (EV / AC)", _idx(last["cpi"]))
        cols[2].metric("TCPI", _idx(last["tcpi"]))
        cols[3].metric("VAC (BAC − EAC)", _money(last["vac"]))
        cols = st.columns(3)
        cols[0].metric("EAC typical (BAC / CPI)", _money(last["eac_typical"]))
        cols[1].metric("EAC atypical (AC + BAC − EV)", _money(last["eac_atypical"]))
        cols[2].metric("EAC cost & schedule pressure", _money(last["eac_pressure"]))
        show_chart(
            view.keep("evm", lambda: charts.evm_scurve(series, head.get("budget"), ccy)),
            "project_evm",
            ctx,
            report_source,
        )


def milestones(ctx: ReviewContext, view: ProjectView) -> None:
    pid, review_date = view.project_id, view.review.review_date
    st.subheader("Milestones")
    trend = view.milestones
    if trend.empty:
        empty_state(f"No milestone plan for {plain(pid)} up to {fmt.day(review_date)}.")
    else:
        show_chart(
            view.keep("milestones", lambda: charts.milestone_trend(trend)),
            "project_milestones",
            ctx,
            f"milestone plans of {pid}",
        )
        events = view.rebaselines
        if len(events):
            st.warning(
                f"{len(events)} re-baseline(s): slip is still measured against the original "
                "baseline.",
                icon=":material/history:",
            )
            data_table(
                events,
                "rebaselines",
                hide_index=True,
                column_config={
                    "milestone_id": "ID",
                    "name": "Milestone",
                    "report_date": st.column_config.DateColumn("Seen in the report of"),
                    "from": st.column_config.DateColumn("Baseline before"),
                    "to": st.column_config.DateColumn("Baseline after"),
                },
            )
        data_table(
            view.milestone_table,
            "milestones",
            hide_index=True,
            column_config={
                "milestone_id": "ID",
                "name": "Milestone",
                "is_gate": "Gate",
                "original_baseline": st.column_config.DateColumn("Original baseline"),
                "baseline_date": st.column_config.DateColumn("Current baseline"),
                "forecast_date": st.column_config.DateColumn("Forecast"),
                "actual_date": st.column_config.DateColumn("Actual"),
                "slip_days": st.column_config.NumberColumn("Slip (days)", format="%+d"),
            },
        )


def risks_and_raid(view: ProjectView) -> None:
    pid, review_date, ccy = view.project_id, view.review.review_date, currency(view)
    left, right = st.columns(2)
    with left:
        st.subheader("Risks")
        risks = view.risks
        if risks.empty:
            empty_state(f"No risk register for {plain(pid)} up to {fmt.day(review_date)}.")
        else:
            st.caption(
                f"register of {fmt.day(risks['report_date'].max())} · score = likelihood × impact"
            )
            data_table(
                risks[
                    [
                        "risk_id",
                        "title",
                        "status",
                        "band",
                        "score",
                        "residual_score",
                        "owner",
                        "cost_impact",
                        "exposure",
                        "response",
                        "due_date",
                    ]
                ],  # fmt: skip
                "risks",
                money=["cost_impact", "exposure"],
                currency=ccy,
                wrap=["title", "response"],
                wrap_chars=28,  # a medium column in half the page
                details={"title": "Risk", "response": "Response"},
                hide_index=True,
                column_config={
                    "risk_id": "Risk",
                    "title": st.column_config.TextColumn("Title", width="medium"),
                    "status": "Status",
                    "band": "Band",
                    "score": st.column_config.NumberColumn("Score", format="%d"),
                    "residual_score": st.column_config.NumberColumn("Residual score", format="%d"),
                    "owner": "Owner",
                    "response": "Response",
                    "cost_impact": st.column_config.NumberColumn("Cost impact"),
                    "exposure": st.column_config.NumberColumn("Exposure"),
                    "due_date": st.column_config.DateColumn("Due"),
                },
            )
    with right:
        st.subheader("RAID items")
        raid = data.with_project_text(view.raid, "raid_items", pid)
        raid = raid.assign(type=raid["type"].map(type_label))  # "Assumption", as the RAID log says
        if raid.empty:
            empty_state(f"No assumptions, issues, dependencies or actions for {plain(pid)}.")
        else:
            data_table(
                raid[["item_id", "type", "description", "owner", "status", "priority", "due_date"]],
                "raid_items",
                wrap=["description"],
                details={"item_id": "Item", "description": "Description"},
                hide_index=True,
                column_config={
                    "item_id": "Item",
                    "type": "Type",
                    "description": "Description",
                    "owner": "Owner",
                    "status": "Status",
                    "priority": "Priority",
                    "due_date": st.column_config.DateColumn("Due"),
                },
            )


def decisions(ctx: ReviewContext, view: ProjectView) -> None:
    pid, review_date = view.project_id, view.review.review_date
    chosen = view.decisions
    if chosen.empty:
        empty_state(f"No gate or board decisions for {plain(pid)} up to {fmt.day(review_date)}.")
    else:
        decision_table(chosen, ctx, with_project=False)


def lineage(view: ProjectView) -> None:
    st.caption("The uploads that wrote this project's current rows, newest first.")
    lineage = view.lineage
    if lineage.empty:
        empty_state("No upload recorded for this project.")
    else:
        data_table(
            lineage,
            "lineage",
            wrap=["rows"],
            hide_index=True,
            column_config={
                "upload_id": st.column_config.NumberColumn("Upload", format="#%d"),
                "file_name": "File",
                "uploaded_by": "By",
                "uploaded_at": st.column_config.DatetimeColumn("When", format="YYYY-MM-DD HH:mm"),
                "source": "Source",
                "rows": st.column_config.TextColumn("Rows it provides", width="large"),
            },
        )
