"""Update requests and reminders from the Data quality page, for the pmo role (and admins):
the same plan and sending as ``python -m cadence remind`` (cadence.remind), previewed first."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import streamlit as st

from cadence import mail, remind
from config import Config
from ui import data, identity
from ui.escape import plain

ROLES = {"pmo", "admin"}


def panel(config: Config) -> None:
    me = identity.current()
    if me is None or not me.roles & ROLES:
        return
    st.subheader("Update requests and reminders")
    today = datetime.now(UTC).date()
    cols = st.columns(2)
    review = cols[0].date_input(
        "Review date",
        value=today + timedelta(days=config.cadence.request_days_before),
        key="remind_review",
        format="YYYY-MM-DD",
    )
    scheduled = remind.kind_for(today, review, config) or "request"
    kind = (
        cols[1].segmented_control("Mail", list(remind.KINDS), default=scheduled, key="remind_kind")
        or scheduled
    )
    engine = data.engine()
    frames = data.frames()
    p = remind.plan(
        frames,
        review,
        config,
        kind,
        data.or_stop(lambda: remind.pm_principals(engine)),
        data.or_stop(lambda: remind.already_sent(engine, kind, review)),
        due=data.due_projects(review, config),
    )
    n_projects = sum(len(m.projects) for m in p.mails)
    st.caption(
        f"Due or late for the review of {review}: {n_projects} project(s) to {len(p.mails)} "
        f"manager(s) by {kind}; {p.skipped_sent} already had it; {len(p.no_address)} without "
        "an address (give the project a manager_email or grant its manager the pm role)."
    )
    if p.mails:
        st.dataframe(
            [
                {
                    "to": m.recipient,
                    "manager": m.manager,
                    "projects": ", ".join(m.projects["project_id"]),
                }
                for m in p.mails
            ],  # fmt: skip
            hide_index=True,
            key="remind_plan",
        )
    label = f"Send {len(p.mails)} {kind} mail{'s' if len(p.mails) != 1 else ''}"
    if st.button(label, disabled=not p.mails, key="remind_send", icon=":material/send:"):
        with st.spinner("Building the update sheets and sending…"):
            remind.attach_sheets(p, frames, config)
            out = remind.send(engine, p, config, mail.smtp_url(config))
        if out.sent:
            st.success(f"Sent and recorded: {len(out.sent)} mail(s).", icon=":material/send:")
        for line in out.refused:
            st.error(plain(line) + ": not recorded.")
        if out.error:
            st.error(plain(out.error) + ". The rest were not sent and not recorded.")
