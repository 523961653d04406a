"""The pages of the app, by menu section: (script, title, icon). The first is the start page.

Plain data, so tests and the docs check read the same list app.py builds its menu from.
"""

from __future__ import annotations

from pathlib import Path

PAGES: dict[str, list[tuple[str, str, str]]] = {
    "Review": [
        ("pages/review/this_week.py", "This week", ":material/event:"),
        ("pages/review/health.py", "Portfolio health", ":material/monitor_heart:"),
    ],
    "Portfolio": [
        ("pages/portfolio/risks.py", "Risks", ":material/warning:"),
        ("pages/portfolio/raid.py", "RAID log", ":material/checklist:"),
        ("pages/portfolio/governance.py", "Governance vs execution", ":material/balance:"),
        ("pages/portfolio/roadmap.py", "Roadmap", ":material/view_timeline:"),
        ("pages/portfolio/people.py", "People", ":material/groups:"),
        ("pages/portfolio/benefits.py", "Benefits", ":material/savings:"),
        ("pages/portfolio/project.py", "Project detail", ":material/folder_open:"),
    ],
    "Data": [
        ("pages/data/upload.py", "Upload", ":material/upload_file:"),
        ("pages/data/quality.py", "Data quality", ":material/fact_check:"),
        ("pages/data/sources.py", "SQL sources", ":material/database:"),
        ("pages/data/export.py", "Export", ":material/slideshow:"),
    ],
    "Admin": [
        ("pages/admin/roles.py", "Roles", ":material/manage_accounts:"),
        ("pages/admin/audit.py", "Audit", ":material/history:"),
    ],
}
SCRIPTS = [script for section in PAGES.values() for script, _, _ in section]
TITLES = [title for section in PAGES.values() for _, title, _ in section]
START = SCRIPTS[0]


def url_path(script: str) -> str:
    """The page's address: its file name (``upload``), "" for the start page."""
    return "" if script == START else Path(script).stem
