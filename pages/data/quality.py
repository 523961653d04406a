"""Data quality: who reported on time, late or not at all (by manager), quality scores per
project and per upload, and the plausibility findings behind them. Layout only: the sections
are in ui/quality.py."""

from ui import data
from ui import quality as section
from ui.page import page_setup, stop_if_no_match

ctx = page_setup("Data quality")
rv = data.review(ctx)
stop_if_no_match(rv.reporting)
section.tiles(ctx, rv)
section.by_manager(ctx, rv)
section.project_scores(ctx, rv)
section.findings(ctx, rv)
section.per_upload(rv)
section.skipped_and_corrected(rv)
