"""People: the load of every project manager and sponsor across the projects in the review
(active projects, budget, Red and Amber, late reports, high risks, overdue RAID items and
milestones), the overloaded ones flagged, and a chosen person's projects. Layout only: the
figures are analytics.people, through the review."""

import streamlit as st

from ui import data
from ui.page import page_setup, stop_if_no_match
from ui.people import person_table

ctx = page_setup("People")
rv = data.review(ctx)
stop_if_no_match(rv.snapshot)
grants = data.pm_grants()

st.subheader("Project managers")
person_table(rv, ctx, "manager", grants)

st.subheader("Sponsors")
person_table(rv, ctx, "sponsor", grants)
