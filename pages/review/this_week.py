"""This week: the landing page of the weekly review. What changed since the last review, what
needs attention, and a narrative for the minutes."""

import pandas as pd
import streamlit as st

from analytics import changes
from analytics import money as fmt
from models import RAG_VALUES
from ui import data
from ui.components import (
    data_table,
    empty_state,
    kpi,
    project_link_column,
    project_links,
    provenance,
    rag_column,
    red_gap_note,
    signed_count,
)
from ui.page import page_setup, stop_if_no_match
from ui.url_state import bound

DIRECTION_LABELS = {"worsened": "▼ worsened", "improved": "▲ improved", "changed": "● changed"}

ctx = page_setup("This week")

rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
config, source, compare_date = rv.config, rv.source, rv.compare_date
compared = (
    f"compared with {fmt.day(compare_date)}"
    if compare_date is not None
    else "first review on record: nothing to compare with"
)
provenance(ctx, compared, f"source: {source}")

# --- headline tiles --------------------------------------------------------------------------
tiles = rv.headline
money = {"budget", "eac"}


def _delta(key: str, x: float, currency: str | None) -> str:
    if key in money:
        return fmt.money(x, currency, signed=True)
    return signed_count(x)


helps = {
    "not_reported": f"No report within {config.staleness.cadence_days} + "
    f"{config.staleness.grace_days} days of the review date; shown Grey",
    "eac": "Sum of EAC (BAC / CPI; budget where CPI is not computable); per currency when "
    "a currency has no rate in [money.rates]",
    "budget": "Sum of budgets; per currency when a currency has no rate in [money.rates]",
    "hot_risks": f"Open risks scored in the {config.changes.risk_band} band or above",
    "n_red": "Projects whose reported overall RAG is Red",
}
mixed = tiles["currency"].isna() & tiles["key"].isin(money)  # one figure per currency
for chunk in (tiles.iloc[:4], tiles.iloc[4:]):
    wide = list(mixed.loc[chunk.index])
    if any(wide):  # money tiles first, on a row of their own; the rest below
        row, rest = iter(st.columns(sum(wide))), iter(st.columns(4))
        cols = [next(row) if w else next(rest) for w in wide]
    else:
        cols = st.columns(4)
    for col, (_, t) in zip(cols, chunk.iterrows(), strict=True):
        kpi(
            col,
            t["metric"],
            t["text"],
            None if pd.isna(t["change"]) else t["change"],
            lambda x, key=t["key"], ccy=t["currency"]: _delta(key, x, ccy),
            up_is_bad=t["up_is_bad"],
            help=helps.get(t["key"]),
        )
provenance(
    ctx,
    f"tiles: change against {fmt.day(compare_date)}"
    if compare_date is not None
    else "tiles: no change shown in the first week",
)
red_gap_note(
    ctx,
    rv.snapshot,
    "pages/portfolio/governance.py",
    "Red (computed): Governance vs execution",
    ":material/balance:",
)


LINK = project_link_column()

# --- needs attention -------------------------------------------------------------------------
st.subheader("Needs attention")
attention = rv.needs_attention
if attention.empty:
    empty_state("Nothing needs attention: no Red, worsened, watermelon or unreported projects.")
else:
    data_table(
        attention,
        "attention",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            rag=rag_column(rows["display_rag"]),
        )[["link", "name", "rag", "reasons", "manager", "last_report_date"]],  # Why in sight
        rag=["rag"],
        wrap=["reasons"],
        details={"name": "Project", "reasons": "Why it needs attention"},
        hide_index=True,
        key="attention_table",
        column_config={
            "link": LINK,
            "name": "Name",
            "manager": "Manager",
            "rag": "RAG shown",
            "reasons": st.column_config.TextColumn("Why", width="large"),
            "last_report_date": st.column_config.DateColumn("Last report"),
        },
    )
    provenance(
        ctx,
        f"{len(attention)} projects: Red, overall RAG worse or a dimension turned Red, "
        "watermelons (reported Green, computed Amber or Red), not reported, decisions requested "
        "in the latest reports",
        f"source: {source}",
    )

# --- what changed ----------------------------------------------------------------------------
st.subheader("What changed")
found = rv.comparison.changes
if compare_date is None:
    empty_state(
        "This is the first review on record, so there is nothing to compare with yet. "
        "Changes appear from the second reporting week."
    )
elif found.empty:
    empty_state(f"No changes above the thresholds since {fmt.day(compare_date)}.")
else:
    counts = found.groupby("kind").size()
    kinds = [k for k in changes.KIND_ORDER if k in counts.index]
    # Kept in the URL (?change_kinds=rag&change_kinds=risk; absent: every kind).
    chosen = bound(
        st.segmented_control,
        "Show",
        kinds,
        key="change_kinds",
        multi=True,
        default=kinds,
        selection_mode="multi",
        format_func=lambda k: f"{changes.KIND_LABELS[k]} ({counts[k]})",
    )
    shown = found[found["kind"].isin(chosen or [])]

    def _rag_text(s: pd.Series) -> pd.Series:
        return s.where(~s.isin(RAG_VALUES), rag_column(s))

    data_table(
        shown,
        "changes",
        prepare=lambda rows: rows.assign(
            link=project_links(rows["project_id"], ctx),
            kind=rows["kind"].map(changes.KIND_LABELS),
            before=_rag_text(rows["before"]),
            after=_rag_text(rows["after"]),
            direction=rows["direction"].map(DIRECTION_LABELS),
        )[["link", "name", "kind", "dimension", "before", "after", "direction", "detail"]],
        rag=["before", "after"],
        wrap=["detail"],
        details={"name": "Project", "kind": "Change", "detail": "Detail"},
        hide_index=True,
        key="changes_table",
        column_config={
            "link": LINK,
            "name": "Name",
            "kind": "Change",
            "dimension": "What",
            "before": f"On {fmt.day(compare_date)}",
            "after": f"On {fmt.day(ctx.review_date)}",
            "direction": "Direction",
            "detail": st.column_config.TextColumn("Detail", width="large"),
        },
    )
    provenance(
        ctx,
        f"{len(shown)} of {len(found)} changes · thresholds: milestone and forecast-end moves "
        f"over {config.changes.milestone_move_days} / {config.changes.end_move_days} days, EAC "
        f"moves over {config.changes.eac_move_pct:g}% of budget, risks in the "
        f"{config.changes.risk_band} band or above",
        f"source: {source}, risk registers and milestone plans",
    )

# --- narrative -------------------------------------------------------------------------------
st.subheader("For the minutes")
st.code(rv.narrative, language=None, wrap_lines=True)
st.caption("Built from the change set above; copy it with the button at the top right.")
