"""The Upload page's update sheets: "Download my update sheet" for a signed-in pm (their
projects, pre-filled with the values last reported), and every manager's sheet in one .zip for
the PMO. Built on click (cadence.update_sheet), never kept."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from access.roles import Identity
from cadence import update_sheet
from config import Config
from ui import data

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def my_projects(frames: dict, me: Identity) -> list[str]:
    """A pm's projects: those granted to them, and those whose manager_email is theirs."""
    projects = frames["projects"]
    mine = set(me.projects)
    if me.email and "manager_email" in projects:
        own = projects["manager_email"].fillna("").str.strip().str.lower() == me.email.lower()
        mine |= set(projects.loc[own, "project_id"])
    return sorted(mine)


def _all_sheets(frames: dict, config: Config, day) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for s in update_sheet.by_manager(frames, day, config, app_url=config.mail.app_url):
            z.writestr(s.file_name, s.data)
    return buf.getvalue()


def download_buttons(me: Identity | None, config: Config, pm_only: bool) -> None:
    """The buttons the identity may use: a pm their sheet, the PMO every manager's sheet."""
    frames = data.frames()
    if me is None or frames["projects"].empty:
        return
    day = pd.Timestamp(datetime.now(UTC).date())
    if pm_only:
        ids = my_projects(frames, me)
        if not ids:
            return
        name = me.name or me.label
        st.download_button(
            "Download my update sheet",
            lambda: update_sheet.build(
                frames, ids, day, config, manager=name, app_url=config.mail.app_url
            ),
            file_name=update_sheet.file_name(name, day),
            mime=XLSX,
            icon=":material/edit_document:",
            on_click="ignore",
            help="Your projects with the values last reported: change what changed, upload it here",
            key="my_update_sheet",
        )
        return
    st.download_button(
        "Download every manager's update sheet (.zip)",
        lambda: _all_sheets(frames, config, day),
        file_name=f"update-sheets-{day.date()}.zip",
        mime="application/zip",
        icon=":material/folder_zip:",
        on_click="ignore",
        help="One pre-filled sheet per project manager, to send out (python -m cadence remind "
        "mails them to the managers whose reports are due)",
        key="all_update_sheets",
    )
