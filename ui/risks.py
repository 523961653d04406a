"""The Risks page's sections (pages/portfolio/risks.py lays them out): the filters, kept in the
URL; the headline tiles; the 5x5 matrix with its drill-down and the movement between
assessments; exposure versus remaining contingency; the top 10s; overdue risks; new and closed
since the compare date; the band trend. Each reads one ``RiskView`` of the review model."""

from __future__ import annotations

import streamlit as st

from analytics import money as fmt
from analytics import risk
from analytics.review import Review, RiskView
from charts import risk as charts
from charts.template import has_points
from ui import risk_cell
from ui.components import data_table, empty_state, plain, provenance, show_chart, verdict_tile
from ui.review_context import ReviewContext
from ui.url_state import bound

MONEY_COLUMNS = {
    "cost_impact": "Cost impact",
    "exposure": "Exposure",
    "residual_exposure": "Residual exposure",
    "contingency": "Contingency",
    "consumed": "Consumed",
    "remaining": "Remaining",
    "headroom": "Headroom",
}
RISK_COLUMNS = {
    "risk_id": "Risk",
    "project_id": "Project",
    "title": st.column_config.TextColumn("Title", width="large"),
    "owner": "Owner",
    "category": "Category",
    "status": "Status",
    "score": st.column_config.NumberColumn("Score", format="%d"),
    "band": "Band",
    "residual_score": st.column_config.NumberColumn("Residual score", format="%d"),
    "residual_band": "Residual band",
    "due_date": st.column_config.DateColumn("Due"),
    "response": "Response",
    "days_overdue": st.column_config.NumberColumn("Days overdue", format="%d"),
    "overdue": "Overdue by",
    "change": "Change",
    "detail": "Detail",
    "currency": "Currency",
}


def total(view: RiskView, key: str, sign: bool = False) -> str:
    """A portfolio total: £2.15m, or one figure per currency (£2.15m · $0.45m) when a currency
    has no rate; sign=True gives −£2.15m or +£2.15m."""
    return fmt.per_currency(view.totals["money"], key, lambda v, c: fmt.money(v, c, sign))


def priced(rv: Review, df, column_order: list[str] | None = None):
    """How to show a table of projects or risks: money columns as £1.57m / −$0.20m in each
    row's currency (its project's), with a currency column when the rows mix them. Returns
    the rows' preparation (data_table's ``prepare``: it adds that column to the shown rows
    only), the money column config, the column order and the rows' currencies (data_table's
    ``money`` and ``currency``)."""
    ccy = df["project_id"].map(rv.currency_of)
    mixed = ccy.nunique() > 1
    config = {k: st.column_config.NumberColumn(v) for k, v in MONEY_COLUMNS.items()}
    if mixed:
        column_order = column_order and [*column_order, "currency"]

    def prepare(rows):
        rows = rows.drop(columns="currency", errors="ignore")
        return rows.assign(currency=rows["project_id"].map(rv.currency_of)) if mixed else rows

    return prepare, config, column_order, ccy


def risk_table(rv: Review, df, name: str, narrow=False, column_order=None, **kwargs) -> None:
    """A risk list with our column names; ``narrow`` for half-width columns (shorter titles);
    ``name`` names its CSV download."""
    prepare, money, column_order, ccy = priced(rv, df, column_order)
    config = {**RISK_COLUMNS, **money}
    if narrow:
        config["title"] = st.column_config.TextColumn("Title", width="medium")
    data_table(
        df,
        name,
        prepare=prepare,
        money=list(MONEY_COLUMNS),
        currency=ccy,
        wrap=["title"],
        wrap_chars=28 if narrow else 80,  # a medium (narrow) title column holds about 28
        hide_index=True,
        column_config=config,
        column_order=column_order,
        **kwargs,
    )


def filters(rv: Review) -> RiskView:
    """Category, owner, status and which assessment the matrix and lists use; each kept in the
    URL (?risk_category=…&risk_basis=residual) so a reload or a link shows this view."""
    rules = rv.config.risk
    options = rv.risk_options
    cols = st.columns([2, 2, 2, 2])
    with cols[0]:
        categories = bound(
            st.multiselect, "Category", options["category"], key="risk_category", multi=True,
            placeholder="All",
        )  # fmt: skip
    with cols[1]:
        owners = bound(
            st.multiselect,
            "Owner",
            options["owner"],
            key="risk_owner",
            multi=True,
            placeholder="All",
        )
    with cols[2]:
        statuses = bound(
            st.multiselect,
            "Status",
            options["status"],
            key="risk_status",
            multi=True,
            placeholder="Open risks",
            help="Empty: every open status (not " + ", ".join(rules.closed_statuses) + ")",
        )
    with cols[3]:
        basis = bound(
            st.radio,
            "Assessment",
            list(risk.BASIS_COLUMNS),
            key="risk_basis",
            default="inherent",
            horizontal=True,
            format_func=str.title,
            help="Inherent: before the response. Residual: after the planned response.",
        )
    return rv.risks(categories, owners, statuses, basis)


def headline(ctx: ReviewContext, view: RiskView) -> None:
    rv, basis, reg, source = view.review, view.basis, view.register, view.source
    watch_band, watched, totals = view.watch_band, view.watched, view.totals
    per_currency = fmt.conversion_note(totals, rv.config.money.currency)
    provenance(ctx, f"{basis} assessment", f"source: {source}")
    tiles = st.columns(4)
    tiles[0].metric("Risks in view", len(reg), help="Open risks unless a status filter is chosen")
    tiles[1].metric(
        f"{watch_band.title()} and above",
        len(watched),
        help=f"{basis.title()} score band {watch_band} or higher "
        "([changes] risk_band in the config)",
    )
    # Exposure is a level: no arrow and no colour here (headroom, good or bad, is on the verdict
    # tile below, coloured by the verdict).
    tiles[2].metric(
        f"{basis.title()} exposure",
        total(view, "exposure"),
        help="Sum over open risks of probability (from likelihood) × cost impact. " + per_currency,
    )
    over = totals["projects_exceeding"]
    tiles[3].metric(
        "Projects over contingency",
        f"⚠ {over} of {totals['projects']}" if over else f"✓ 0 of {totals['projects']}",
        help="Projects whose exposure exceeds their remaining contingency",
    )


def matrix(ctx: ReviewContext, view: RiskView) -> None:
    rv, basis, source = view.review, view.basis, view.source
    bands = risk.band_names(rv.config.risk)
    left, right = st.columns([3, 2])
    with left:
        cells = view.cells
        event = show_chart(
            view.keep("risk_matrix", lambda: charts.risk_matrix(cells, bands, basis)),
            "risk_matrix",
            ctx,
            source,
            on_select="rerun",
            selection_mode="points",
        )
    with right:
        moves = view.movement_totals
        movement = view.keep("risk_movement", lambda: charts.movement(view.movement_summary, bands))
        if has_points(movement):
            show_chart(movement, "risk_movement", ctx, source)
        else:
            empty_state(
                "No risk has both an inherent and a residual likelihood and impact, so there is no "
                "movement between bands to show."
            )
        st.markdown(
            f"**{moves['down_a_band']} of {moves['risks']}** risks move down at least one band "
            "after "
            f"their response; **{moves['same_band']}** stay in the same band "
            f"({moves['no_change']} with no change at all)"
            + (
                f"; **{moves['higher']}** score higher after the response"
                if moves["higher"]
                else ""
            )
            + (
                f"; {moves['not_assessed']} have no residual assessment"
                if moves["not_assessed"]
                else ""
            )
            + "."
        )

    with st.container(key="risk_drilldown"):
        chosen = risk_cell.picker(event, cells)
        if chosen:
            li, im = chosen
            in_cell = view.in_cell(li, im)
            st.subheader(f"Risks in cell: likelihood {li} × impact {im} ({basis})")
            if in_cell.empty:
                empty_state("No risks in this cell.")
            else:
                risk_table(rv, in_cell, "risks_in_cell")
                provenance(ctx, f"{len(in_cell)} risks", f"source: {source}")


def exposure(ctx: ReviewContext, view: RiskView) -> None:
    rv, basis, source, table, totals = (
        view.review,
        view.basis,
        view.source,
        view.exposure,
        view.totals,
    )
    config, rules = rv.config, rv.config.risk
    per_currency = fmt.conversion_note(totals, config.money.currency)
    st.subheader("Exposure versus remaining contingency")
    st.caption(
        f"Exposure = sum over open risks of probability × cost impact, probability from the "
        f"{basis} likelihood ({', '.join(f'{k}: {v:.0%}' for k, v in rules.probability.items())}). "
        "Remaining contingency = the project's contingency minus contingency already consumed; "
        "consumed = EAC (BAC / CPI) above budget, never below 0, and 0 where EAC is not "
        "computable; a missing contingency counts as 0. ⚠ marks exposure above remaining "
        "contingency."
    )
    # Remaining is per project, floored at 0, so contingency - consumed is not remaining when a
    # project overspent its own: the overspend is shown, and the tiles add up with it.
    overspend = risk.contingency_overspend(table, config)
    overspent = fmt.per_currency(overspend["money"], "overspent", fmt.money)
    floor_note = (
        "Remaining is per project, floored at 0: a project that consumed more than its own "
        "contingency leaves 0, it does not use another project's."
    )
    tiles = st.columns(4)
    tiles[0].metric("Contingency", total(view, "contingency"), help=per_currency or None)
    tiles[1].metric(
        "Consumed (EAC over budget)", total(view, "consumed"), help=per_currency or None
    )
    tiles[2].metric(
        "Remaining",
        total(view, "remaining"),
        help=f"{floor_note} Contingency − consumed + overspent = remaining. {per_currency}".strip(),
    )
    verdict_tile(
        tiles[3],
        "Portfolio exposure vs remaining",
        risk.exposure_verdict(totals),
        f"{total(view, 'headroom', sign=True)} headroom",
        help="Headroom = remaining contingency − exposure, in total. Exceeds when exposure is "
        "above remaining contingency in total; with currencies that have no rate in [money.rates] "
        "each currency is judged on its own and named. ⚠ also when single projects are over.",
    )
    if overspend["projects"]:
        sums = (
            f": {total(view, 'contingency')} − {total(view, 'consumed')} + {overspent} = "
            f"{total(view, 'remaining')}"
            if totals["currency"]
            else ""
        )
        st.caption(
            f"{floor_note} {overspend['projects']} of {len(table)} projects consumed {overspent} "
            f"more than their contingency, so remaining is contingency − consumed + that "
            f"overspend{sums}."
        )
    # Full width, the table under the chart: beside it, at 1280 px, the bars had 80 px.
    show_chart(
        view.keep("risk_exposure", lambda: charts.exposure_vs_contingency(table)),
        "risk_exposure",
        ctx,
        source + " and status reports",
    )
    pricing, money, order, ccy = priced(
        rv,
        table,
        ["project_id", "name", "exceeds", "exposure", "remaining", "headroom", "open_risks",
         "contingency", "consumed"],
    )  # fmt: skip
    data_table(
        table,
        "exposure_vs_contingency",
        prepare=lambda rows: pricing(
            rows.assign(exceeds=rows["exceeds"].map({True: "⚠ exceeds", False: "✓ within"}))
        ),
        money=list(MONEY_COLUMNS),
        currency=ccy,
        hide_index=True,
        column_order=order,
        column_config={
            "project_id": "ID",
            "name": "Project",
            "open_risks": st.column_config.NumberColumn("Open risks", format="%d"),
            **money,
            "exceeds": "Exposure vs remaining",
            "currency": "Currency",
        },
    )


def top_tens(ctx: ReviewContext, view: RiskView) -> None:
    rv, basis, source = view.review, view.basis, view.source
    score_col, band_col, exposure_col = view.score_column, view.band_column, view.exposure_column
    left, right = st.columns(2)
    with left:
        st.subheader(f"Top 10 by {basis} score")
        top_columns = [
            "risk_id", "project_id", "title", score_col, band_col, exposure_col, "owner",
            "due_date",
        ]  # fmt: skip
        risk_table(rv, view.top_by_score, "top_by_score", narrow=True, column_order=top_columns)
    with right:
        st.subheader(f"Top 10 by {basis} exposure")
        risk_table(
            rv, view.top_by_exposure, "top_by_exposure", narrow=True, column_order=top_columns
        )
    provenance(ctx, f"source: {source}")


def overdue(ctx: ReviewContext, view: RiskView) -> None:
    rv, source = view.review, view.source
    score_col, band_col = view.score_column, view.band_column
    st.subheader("Overdue risks")
    late = view.overdue
    if late.empty:
        empty_state("No open risk is past its due date on this review date.")
    else:
        summary = view.overdue_summary
        tiles = st.columns(len(summary))
        for tile, row in zip(tiles, summary.itertuples(), strict=True):
            tile.metric(f"Overdue {row.overdue}", row.risks)
        risk_table(
            rv,
            late,
            "overdue_risks",
            column_order=[
                "risk_id",
                "project_id",
                "title",
                "days_overdue",
                "overdue",
                "due_date",
                "owner",
                score_col,
                band_col,
                "response",
            ],  # fmt: skip
        )
        provenance(ctx, "open risks whose due date is before the review date", f"source: {source}")


def new_and_closed(ctx: ReviewContext, view: RiskView) -> None:
    rv, source, watch_band = view.review, view.source, view.watch_band
    bands = risk.band_names(rv.config.risk)
    st.subheader("New and closed since the compare date")
    if rv.compare_date is None:
        empty_state("This is the first review date: nothing to compare with.")
    else:
        with st.columns(4)[0]:  # in the URL too (?risk_change_band=medium)
            min_band = bound(
                st.selectbox,
                "At or above band",
                bands,
                key="risk_change_band",
                default=watch_band,
                help="Inherent score band; the default is [changes] risk_band in the config",
            )
        changes = view.new_and_closed(min_band)
        counts = changes["change"].value_counts()
        tiles = st.columns(4)
        for tile, name in zip(tiles, ["new", "escalated", "closed", "de-escalated"], strict=True):
            tile.metric(name.capitalize(), int(counts.get(name, 0)))
        if changes.empty:
            empty_state(
                f"No risk at or above {min_band} appeared or went away "
                f"since {fmt.day(rv.compare_date)}."
            )
        else:
            risk_table(rv, changes, "new_and_closed_risks")
        st.caption(
            f"Between {fmt.day(rv.compare_date)} and {fmt.day(rv.review_date)} · open risks at or "
            f"above {plain(min_band)} (inherent) · category and owner filters applied · "
            f"source: {plain(source)}"
        )


def trend(ctx: ReviewContext, view: RiskView) -> None:
    bands, source = risk.band_names(view.review.config.risk), view.source
    show_chart(
        view.keep("risk_trend", lambda: charts.band_trend(view.trend, bands)),
        "risk_trend",
        ctx,
        source + ", every review date",
    )
