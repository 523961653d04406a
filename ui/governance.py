"""The Governance vs execution page's sections (pages/portfolio/governance.py lays them out):
the two lenses, the view picker kept in the URL, and the four views (value vs health
quadrant, stage gates, decision log, compliance). The rules live in analytics/governance.py;
each section reads the review model."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import governance
from analytics import money as fmt
from analytics.review import Review
from charts import governance as charts
from charts.template import has_points
from ui.components import (
    data_table,
    decision_table,
    empty_state,
    project_link_column,
    project_links,
    provenance,
    rag_column,
    red_gap_note,
    show_chart,
)
from ui.page import open_project_on_click
from ui.review_context import ReviewContext


def budget_columns(df, config) -> dict:
    """Column labels for a budget column: the currency column shows only when the rows hold
    several (budgets in several currencies are never added)."""
    several = fmt.currencies(df, config).nunique() > 1
    return {"budget": "Budget", "currency": "Currency" if several else None}


def budget_money(df, config) -> dict:
    """data_table options: the budget as £1.57m in each row's currency, numeric underneath."""
    return {"money": ["budget"], "currency": fmt.currencies(df, config)}


def lenses(ctx: ReviewContext, rv: Review) -> None:
    """The governance and execution lenses side by side, and the Red-gap note."""
    snap = rv.snapshot
    st.subheader("Two lenses on the same portfolio")
    lens = rv.lens
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.markdown("**Governance lens** · right projects, under control?")
        for label, value in lens["governance"]:
            st.markdown(f"- {label}: **{value}**")
    with right, st.container(border=True):
        st.markdown("**Execution lens** · delivering what was approved?")
        for label, value in lens["execution"]:
            st.markdown(f"- {label}: **{value}**")
    red_gap_note(
        ctx, snap, "pages/review/this_week.py", "Red (reported): This week", ":material/event:"
    )


def chosen_view(ctx: ReviewContext, rv: Review) -> None:
    """The view picker and the chosen view (VIEWS). The picker is a widget synced to ?view=
    (not st.tabs): a reload or a shared link opens the same view, and only the chosen view is
    computed and drawn."""
    if "governance_view" not in st.session_state:  # a link's view, once per session
        wanted = [v for v in st.query_params.get_all("view") if v in VIEWS]
        st.session_state["governance_view"] = wanted[0] if wanted else "quadrant"
    chosen = st.radio(
        "View",
        list(VIEWS),
        format_func=lambda v: VIEWS[v][0],
        key="governance_view",
        horizontal=True,
        label_visibility="collapsed",
    )
    st.query_params["view"] = chosen
    VIEWS[chosen][1](ctx, rv)


def quadrant(ctx: ReviewContext, rv: Review) -> None:
    config, source = rv.config, rv.source
    rules = config.governance
    scored, breakdown = rv.scores, rv.score_breakdown
    chart = rv.keep(
        "quadrant", lambda: charts.quadrant(scored, rules, rv.compare_scores, config=config)
    )
    if has_points(chart):
        show_chart(
            chart,
            "quadrant",
            ctx,
            source + " and project register",
            on_select=open_project_on_click("quadrant"),
            selection_mode="points",
        )
    else:
        empty_state(charts.NOTHING_SCORED)
    stale = int((scored["quadrant"] == governance.NOT_REPORTED).sum())
    st.caption(
        "Click a project to open its detail page. Quadrant lines: governance value "
        f"{rules.value_threshold:g} and execution health {rules.health_threshold:g} "
        "(`[governance]` in pmo_lens.toml; at or above the line counts as high / healthy). "
        "Hover a bubble for its name, id, every input and its contribution. Named: up to "
        f"{rules.label_count} projects that moved quadrant since the compare date, have the "
        "lowest health or the largest budget. Bubbles on the same spot are nudged apart by a "
        "point or two; the hover gives the exact scores."
        + (
            f" Grey: {stale} project{'s' if stale != 1 else ''} not reported, shown at the last "
            "known health and never counted as healthy."
            if stale
            else ""
        )
    )
    counts = rv.quadrant_counts
    st.dataframe(
        counts,
        hide_index=True,
        column_config={
            "quadrant": "Quadrant",
            "projects": "Projects",
            "budget": None,
            "budget_text": "Budget",
            "meaning": st.column_config.TextColumn("What it means", width="large"),
        },
    )
    st.markdown("**Scores per project**")
    table = rv.keep(  # sorted once per review, not on every rerun
        "scores_by_quadrant",
        lambda: scored.sort_values(["quadrant", "governance_value"], ascending=[True, False]),
    )
    data_table(
        table,
        "governance_scores",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            rag=rag_column(rows["display_rag"]),
            computed_rag=rag_column(rows["computed_rag"]),
        )[
            [
                "link",
                "name",
                "quadrant",
                "governance_value",
                "benefits_basis",
                "execution_health",
                "rag",
                "computed_rag",
                "budget",
                "currency",
                "value_why",
                "health_why",
            ]
        ],  # fmt: skip
        hide_index=True,
        rag=["rag", "computed_rag"],
        **budget_money(table, config),
        column_config={
            "link": project_link_column("Project"),
            "name": "Name",
            "quadrant": "Quadrant",
            "governance_value": st.column_config.ProgressColumn(
                "Governance value", min_value=0, max_value=100, format="%.0f"
            ),
            "benefits_basis": st.column_config.TextColumn(
                "Benefits basis",
                help="What the benefits input rests on: benefits_planned, or planned x the "
                "benefits register's forecast (realised once due) share of its targets",
            ),
            "execution_health": st.column_config.ProgressColumn(
                "Execution health", min_value=0, max_value=100, format="%.0f"
            ),
            "rag": "Overall RAG",
            "computed_rag": "Computed RAG",
            **budget_columns(table, config),
            "value_why": st.column_config.TextColumn("Value: inputs → contribution", width="large"),
            "health_why": st.column_config.TextColumn(
                "Health: inputs → contribution", width="large"
            ),
        },
    )
    with st.expander("Explain one project's scores"):
        options = scored["project_id"].tolist()
        names = dict(zip(scored["project_id"], scored["name"], strict=True))
        pid = st.selectbox(
            "Project", options, format_func=lambda p: f"{p} · {names[p]}", key="explain_project"
        )
        row = scored[scored["project_id"] == pid].iloc[0]
        value, health = (
            "n/a" if pd.isna(v) else f"{v:.0f}"
            for v in (row["governance_value"], row["execution_health"])
        )
        if row["quadrant"] == governance.NOT_REPORTED:
            health = f"n/a (not reported; last known {row['last_known_health']:.0f})"
        st.markdown(
            f"Governance value **{value}**, execution health **{health}** → **{row['quadrant']}**"
        )
        detail = breakdown[breakdown["project_id"] == pid]
        st.dataframe(
            detail[["score", "input", "value", "points", "share", "contribution", "rule"]],
            hide_index=True,
            column_config={
                "points": st.column_config.NumberColumn("Points (0-100)", format="%.0f"),
                "share": st.column_config.NumberColumn("Weight share", format="%.2f"),
                "contribution": st.column_config.NumberColumn("Contribution", format="%.1f"),
                "rule": st.column_config.TextColumn("Rule", width="medium"),
            },
        )
        st.caption(
            "A missing input is left out and the other weights are scaled up; contributions "
            "add up to the score. Weights: `[governance]` in pmo_lens.toml."
        )


def gates(ctx: ReviewContext, rv: Review) -> None:
    snap, config, frames = rv.snapshot, rv.config, rv.frames
    rules = config.governance
    overdue, unapproved = rv.overdue_gates, rv.without_approval
    show_chart(
        rv.keep("stage_pipeline", lambda: charts.pipeline(rv.pipeline)),
        "stage_pipeline",
        ctx,
        "project register",
    )
    st.markdown(
        f"**Gate decisions overdue** (more than {rules.gate_overdue_days} days after the gate "
        "milestone, no decision at that gate)"
    )
    if frames["milestones"].empty:
        empty_state("No milestone plans uploaded yet, so no gate milestone can be checked.")
    elif overdue.empty:
        empty_state("No gate decision is overdue.")
    else:
        data_table(
            overdue,
            "overdue_gates",
            prepare=lambda rows: rows.assign(project_id=project_links(rows["project_id"], ctx)),
            hide_index=True,
            column_config={
                "project_id": project_link_column("ID"),
                "project": "Project",
                "gate_milestone": "Gate milestone",
                "gate": None,
                "gate_date": st.column_config.DateColumn("Gate date"),
                "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
            },
        )
    approving = " / ".join(rules.approving_decisions)
    st.markdown(
        "**Executing without an approved gate decision** "
        f"(stage {', '.join(rules.execution_stages)}; "
        f"latest {rules.execution_gate} decision not {approving})"
    )
    if not snap["stage"].isin(tuple(rules.execution_stages)).any():
        empty_state("No project in the register is in one of these stages.")
    elif unapproved.empty:
        empty_state("Every executing project has an approved gate decision.")
    else:
        data_table(
            unapproved,
            "without_approved_gate",
            prepare=lambda rows: rows.assign(project_id=project_links(rows["project_id"], ctx)),
            hide_index=True,
            **budget_money(unapproved, config),
            column_config={
                "project_id": project_link_column("ID"),
                "name": "Project",
                **budget_columns(unapproved, config),
                "finding": st.column_config.TextColumn("Finding", width="large"),
            },
        )


def decision_log(ctx: ReviewContext, rv: Review) -> None:
    frames = rv.frames
    log = rv.decision_log
    if frames["decisions"].empty:
        empty_state(
            "No decisions recorded yet. Upload a decision log (gate and board decisions) on the "
            "Upload page."
        )
    elif log.empty:
        empty_state("No gate or board decisions recorded for these projects up to this date.")
    else:
        c1, c2, c3 = st.columns(3)
        forums = c1.multiselect(
            "Forum", sorted(log["forum"].dropna().unique()), key="log_forum", placeholder="All"
        )
        verdicts = c2.multiselect(
            "Decision", sorted(log["decision"].dropna().unique()), key="log_decision",
            placeholder="All",
        )  # fmt: skip
        search = c3.text_input("Project contains", key="log_search")
        shown = log
        if forums:
            shown = shown[shown["forum"].isin(forums)]
        if verdicts:
            shown = shown[shown["decision"].isin(verdicts)]
        if search:
            hay = shown["project_id"] + " " + shown["project"].fillna("")
            shown = shown[hay.str.contains(search, case=False, regex=False)]
        st.caption(
            f"{len(shown)} of {len(log)} decisions · each linked to the status snapshot it was "
            "taken on: the project's last report on or before the decision date"
        )
        if shown.empty:
            empty_state("No decision matches these filters.")
        else:
            decision_table(shown, ctx)


def compliance(ctx: ReviewContext, rv: Review) -> None:
    config = rv.config
    rules = config.governance
    comp_total = rv.compliance_total
    pct = comp_total["compliance_pct"]
    cols = st.columns(4)
    cols[0].metric(
        "Portfolio compliance",
        "n/a" if pct != pct else f"{pct:.0f}%",
        help="Passed checks / applicable checks over the filtered projects",
    )
    for col, (key, label) in zip(cols[1:], governance.CHECKS.items(), strict=True):
        v = comp_total[f"{key}_pct"]
        col.metric(label.capitalize(), "n/a" if v != v else f"{v:.0f}%")
    provenance(
        ctx,
        f"on time = a report within {config.staleness.cadence_days} + "
        f"{config.staleness.grace_days} days; risk register reviewed within "
        f"{rules.risk_review_days} days; baseline approved = a {rules.execution_gate} "
        f"{' / '.join(rules.approving_decisions)} decision on or before the gate milestone "
        f"(projects in {', '.join(rules.execution_stages)} only)",
        "source: status reports, risk registers, milestone plans, decision log",
    )

    marks = rv.compliance_marks  # sorted failing first: the links come from its own rows
    data_table(
        marks,
        "compliance",
        prepare=lambda rows: rows.assign(link=project_links(rows["project_id"], ctx))[
            [
                "link",
                "name",
                "manager",
                "stage",
                "reported_on_time",
                "risk_reviewed",
                "baseline_approved",
                "score",
                "findings",
            ]
        ],  # fmt: skip
        hide_index=True,
        column_config={
            "link": project_link_column("ID"),
            "name": "Project",
            "manager": "Manager",
            "stage": "Stage",
            "reported_on_time": "Reported on time",
            "risk_reviewed": "Risk register reviewed",
            "baseline_approved": "Baseline approved before execution",
            "score": "Checks passed",
            "findings": st.column_config.TextColumn("Findings", width="large"),
        },
    )


# ?view= value -> (label, section), in the picker's order
VIEWS = {
    "quadrant": ("Value vs health", quadrant),
    "gates": ("Stage gates", gates),
    "log": ("Decision log", decision_log),
    "compliance": ("Compliance", compliance),
}
