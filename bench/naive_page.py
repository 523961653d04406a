"""The baseline page of bench/bench_scale.py: what a plain Streamlit page does with no cache.

Every run re-reads status_reports and risks with ``pd.read_sql`` from ``$PMO_DATABASE_URL``,
then draws the RAG counts of each project's latest report and the 5x5 likelihood x impact
heatmap of the open risks in each project's latest register. Not part of the app.
"""

import os

import pandas as pd
import plotly.express as px
import streamlit as st
from sqlalchemy import create_engine

engine = create_engine(os.environ["PMO_DATABASE_URL"])
with engine.connect() as conn:
    status = pd.read_sql("SELECT * FROM status_reports", conn)
    risks = pd.read_sql("SELECT * FROM risks", conn)
engine.dispose()

latest = status.sort_values("report_date").groupby("project_id").tail(1)
counts = (
    latest["overall_rag"]
    .fillna("Grey")
    .value_counts()
    .reindex(["Red", "Amber", "Green", "Grey"], fill_value=0)
)
st.plotly_chart(px.bar(x=counts.index, y=counts.values, labels={"x": "RAG", "y": "projects"}))

last = risks.groupby("project_id")["report_date"].transform("max")
register = risks[(risks["report_date"] == last) & (risks["status"] != "Closed")]
grid = pd.crosstab(register["likelihood"], register["impact"]).reindex(
    index=range(1, 6), columns=range(1, 6), fill_value=0
)
st.plotly_chart(px.imshow(grid, text_auto=True, labels={"x": "impact", "y": "likelihood"}))
