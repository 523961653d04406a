"""Governance versus execution: value and health scores, quadrants, stage gates, decision log,
compliance. Layout only: the sections are in ui/governance.py, the rules in
analytics/governance.py."""

from ui import data
from ui import governance as section
from ui.components import provenance
from ui.page import page_setup, stop_if_no_match

ctx = page_setup("Governance vs execution")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
provenance(
    ctx,
    f"{len(rv.snapshot)} projects",
    f"source: {rv.source}, project register, milestone plans, decision log and risk registers",
)
section.lenses(ctx, rv)
section.chosen_view(ctx, rv)  # value vs health, stage gates, decision log or compliance
