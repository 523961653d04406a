"""Portfolio health: KPI tiles, RAG distributions, trend, value versus risk, exceptions."""

import streamlit as st

from analytics import money as fmt
from analytics.portfolio import reported
from charts import health as charts
from charts.template import has_points
from ui import data
from ui import health_pick as pick
from ui.components import (
    data_table,
    empty_state,
    kpi,
    project_link_column,
    project_links,
    provenance,
    rag_column,
    show_chart,
)
from ui.page import open_project_on_click, page_setup, stop_if_no_match

ctx = page_setup("Portfolio health")

rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
config, source, now = rv.config, rv.source, rv.kpis
ccy = now["currency"]  # None: several currencies without a rate, shown side by side
change = rv.kpi_change
per_currency = fmt.conversion_note(now, config.money.currency) or None


def money(x: float) -> str:
    return fmt.money(x, ccy, signed=True)


compare = (
    f"compared with {fmt.day(rv.compare_date)}"
    if rv.compare_date is not None
    else "first review: nothing to compare with"
)
provenance(ctx, compare, f"source: {source}")
tiles = st.columns(4)
kpi(tiles[0], "Projects", str(now["projects"]), change("projects"))
for col, rag in zip(tiles[1:], ("Red", "Amber", "Green"), strict=True):
    key = rag.lower()
    kpi(
        col,
        reported(rag),
        f"{now[f'n_{key}']} ({now[f'pct_{key}']:.0f}%)",
        change(f"n_{key}"),
        up_is_bad=rag != "Green",
        help=f"Projects whose reported overall RAG is {rag} (not reported ones count as Grey)",
    )
# several currencies: one figure each, so the two money tiles get a row of their own
tiles = st.columns(4) if ccy else [*st.columns(2), *st.columns(4)[:2]]
kpi(
    tiles[0],
    "Total budget (BAC)",
    fmt.per_currency(now["money"], "budget", fmt.money),
    change("budget"),
    money,
    help=per_currency,
)
kpi(
    tiles[1],
    "EAC variance",
    fmt.per_currency(now["money"], "eac_variance", lambda v, c: fmt.money(v, c, signed=True)),
    change("eac_variance"),
    money,
    up_is_bad=True,
    help="Sum of EAC (BAC / CPI; budget where CPI is not computable) minus total budget"
    + (f". {per_currency}" if per_currency else ""),
)
kpi(
    tiles[2],
    "Not reported",
    str(now["not_reported"]),
    change("not_reported"),
    up_is_bad=True,
    help=f"No report within {config.staleness.cadence_days} + {config.staleness.grace_days} "
    "days of the review date; shown Grey",
)
kpi(
    tiles[3],
    "Watermelons",
    str(now["watermelons"]),
    change("watermelons"),
    up_is_bad=True,
    help="Reported Green while the computed RAG is Amber or Red",
)

left, right = st.columns(2)
with left:
    fig = rv.keep("rag_by_dimension", lambda: charts.rag_distribution(rv.rag_distribution))
    show_chart(fig, "rag_by_dimension", ctx, source)
with right:
    show_chart(
        rv.keep("rag_trend", lambda: charts.rag_trend(rv.rag_trend)), "rag_trend", ctx, source
    )
left, right = st.columns(2)
for where, field in ((left, "portfolio"), (right, "programme")):
    with where:
        chart = f"rag_by_{field}"
        show_chart(
            rv.keep(chart, lambda f=field: charts.rag_by_group(getattr(rv, f"rag_by_{f}"), f)),
            chart,
            ctx,
            source,
            widget_key=pick.widget_key(chart),
            on_select=pick.on_select(chart, field),
            selection_mode="points",
        )
st.caption("Click a bar of RAG by portfolio or programme to list only its projects below.")
bubbles = rv.keep(
    "value_vs_risk",
    lambda: charts.value_risk_bubble(
        rv.snapshot, rv.value_risk_picks, rv.config.governance.label_chars
    ),
)
if has_points(bubbles):
    show_chart(
        bubbles,
        "value_vs_risk",
        ctx,
        source + " and risk registers",
        on_select=open_project_on_click("value_vs_risk"),
        selection_mode="points",
    )
    st.caption("Click a bubble to open the project.")
else:
    empty_state(charts.NO_VALUE_SCORES)

st.subheader("Exceptions")
st.caption(
    "Red or Amber (reported or computed), watermelons and projects that have not reported. "
    "Reported and computed RAG side by side, with the rule that produced the computed one."
)
exc = rv.exceptions
chosen = pick.current(rv.snapshot)
pick.chip(chosen)
if chosen:
    exc = exc[exc["project_id"].astype(str).isin(pick.ids(rv.snapshot, chosen))]
if exc.empty and chosen:
    empty_state("No exceptions among the projects picked on the chart.")
elif exc.empty:
    empty_state("No exceptions: every project is Green, reported and computed.")
else:
    # Money in each row's currency (£1.57m, −$0.20m), still numbers so the columns sort; the
    # currency column says which. RAG cells filled; the rule wraps, a selected row shows it all.
    data_table(
        exc,
        "exceptions",
        prepare=lambda rows: rows.assign(
            currency=fmt.currencies(rows, config),
            display_rag=rag_column(rows["display_rag"]),
            computed_rag=rag_column(rows["computed_rag"]),
            detail=project_links(rows["project_id"], ctx),
        ),
        rag=["display_rag", "computed_rag"],
        money=["eac_typical", "budget", "eac_vs_budget"],
        currency="currency",
        wrap=["computed_rule"],
        details={
            "name": "Project",
            "computed_rule": "Rule that fired (computed RAG)",
            "flags": st.column_config.TextColumn("Flags", width="medium"),
        },
        hide_index=True,
        # What a reader compares first, in sight at 1280 and 1600 px: the two RAGs, the flags
        # and the rule; the figures follow (the table scrolls sideways to them).
        column_order=[
            "project_id",
            "detail",
            "name",
            "display_rag",
            "computed_rag",
            "flags",
            "computed_rule",
            "status_label",
            "manager",
            "spi",
            "cpi",
            "eac_typical",
            "budget",
            "eac_vs_budget",
            "currency",
            "last_report_date",
            "days_since_report",
        ],  # fmt: skip
        column_config={
            "project_id": "ID",
            "detail": project_link_column("Detail"),
            "name": "Project",
            "manager": "Manager",
            "display_rag": "Reported",
            "status_label": "Label as reported",
            "computed_rag": "Computed",
            "computed_rule": st.column_config.TextColumn("Rule that fired", width="large"),
            "flags": st.column_config.TextColumn("Flags", width="medium"),
            "spi": st.column_config.NumberColumn("SPI", format="%.2f"),
            "cpi": st.column_config.NumberColumn("CPI", format="%.2f"),
            "eac_typical": st.column_config.NumberColumn("EAC"),
            "budget": st.column_config.NumberColumn("Budget"),
            "eac_vs_budget": st.column_config.NumberColumn("EAC − budget"),
            "currency": "Currency",
            "last_report_date": st.column_config.DateColumn("Last report"),
            "days_since_report": st.column_config.NumberColumn("Days since", format="%d"),
        },
    )
