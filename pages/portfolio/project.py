"""Project detail: one project as of the review date. Opened by URL (``?project=ID``), from
the governance quadrant and from tables, or with the selectbox. Layout only: the sections are
in ui/project.py."""

import pandas as pd
import streamlit as st

from ui import data
from ui import project as section
from ui.benefits import project_section as project_benefits
from ui.empty import offer_sample
from ui.page import page_setup

# needs_data=False: before any status report the page still shows a project's register entry
ctx = page_setup("Project detail", needs_data=False)
projects = data.frames()["projects"]
if projects.empty:
    offer_sample()
    st.stop()
# Without any status report there is no review date; show everything up to today.
review_date = ctx.review_date if ctx.has_data else pd.Timestamp.today().normalize()
pid = section.picker(projects)
if not pid:
    st.stop()

# The whole portfolio: a link opens any project, whatever the sidebar's filters.
rv = data.review(ctx, review_date=review_date, filters={})
view = rv.project(pid)
section.header(view)
section.scores(view)
section.status(ctx, view)
section.earned_value(ctx, view)
section.milestones(ctx, view)
section.risks_and_raid(view)
st.subheader("Benefits")
project_benefits(view, ctx)
st.subheader("Decisions")
section.decisions(ctx, view)
st.subheader("Lineage")
section.lineage(view)
st.page_link(
    "pages/portfolio/governance.py",
    label="Governance vs execution",
    icon=":material/balance:",
    query_params=ctx.view_params(),
)
