"""The canonical model: the contract between loaders, store, analytics, exports and tests.

- ``metadata``: SQLAlchemy tables of the app database (created by the Alembic migration).
- ``FIELDS``: canonical column names per table, in the order of ``../shared/DESIGN.md``.
- ``SCHEMAS``: pandera frame schemas that every frame passes before it is written.
- ``RAG`` and ``normalise_rag``: the four canonical RAG values and the label mapping.
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING

import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.mysql import LONGBLOB

from config import Config, get_config

if TYPE_CHECKING:
    import pandera.pandas as pa


class RAG(StrEnum):
    GREEN = "Green"
    AMBER = "Amber"
    RED = "Red"
    GREY = "Grey"


RAG_VALUES = [r.value for r in RAG]
# Worst first: overall = worst dimension. Grey (not rated) never outranks a real rating.
RAG_SEVERITY = {"Red": 3, "Amber": 2, "Green": 1, "Grey": 0}


def normalise_rag(label: object, config: Config | None = None) -> str | None:
    """Map an original RAG label to Green/Amber/Red/Grey, or None when it is not a RAG label.

    Case, surrounding space and repeated inner spaces are ignored; ``Amber / Red`` is ``Amber/Red``.
    """
    if label is None or (not isinstance(label, str) and pd.isna(label)):
        return None
    key = re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", str(label).strip().lower()))
    if not key:
        return None
    labels = (config or get_config()).rag_labels
    return labels.get(key)


# --- database tables -------------------------------------------------------------------------

metadata = MetaData()

uploads = Table(
    "uploads",
    metadata,
    Column("upload_id", Integer, primary_key=True, autoincrement=True),
    Column("file_name", String(500), nullable=False),
    # sha256 of the raw file (or of the canonical snapshot for SQL syncs): the same content
    # twice is "already loaded", enforced by the database so two replicas cannot both load it.
    Column("sha256", String(64), nullable=False, unique=True),
    Column("size_bytes", Integer, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    # the signed-in identity behind the upload (see access.roles.Identity); uploaded_by is its
    # display name. None for uploads made before sign-in existed or in local mode.
    Column("uploaded_by_email", String(320), nullable=True),
    Column("uploaded_by_subject", String(255), nullable=True),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
    Column("source", String(20), nullable=False),  # upload, cli, sql, sample
    Column("status", String(20), nullable=False, server_default="loaded"),
    Column("report", Text, nullable=True),  # validation report, JSON
    Column("row_counts", Text, nullable=True),  # rows written per table, JSON
)

# The raw file of an upload, kept apart from its metadata (since 0008): every data version
# reads the uploads table whole, and SQLite walks every overflow page of a row's file to reach
# the columns after it (95 files of 315 MB: 0.09 s CPU per read, 0.37 s from disk; so did
# every look at a sync's report). LONGBLOB on MariaDB, whose BLOB holds 64 KB.
FILE_BYTES = LargeBinary().with_variant(LONGBLOB(), "mysql", "mariadb")
upload_files = Table(
    "upload_files",
    metadata,
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), primary_key=True),
    Column("content", FILE_BYTES, nullable=False),  # the file as uploaded
)

projects = Table(
    "projects",
    metadata,
    Column("project_id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("portfolio", String(200)),
    Column("programme", String(200)),
    Column("department", String(200)),
    Column("sponsor", String(200)),
    Column("manager", String(200)),
    Column("stage", String(100)),
    Column("priority", String(50)),
    Column("strategic_score", Float),
    Column("value_score", Float),
    Column("budget", Float),
    Column("currency", String(3)),  # ISO 4217; the project's money (and its reports') is in it
    Column("contingency", Float),
    Column("start_date", Date),
    Column("end_date", Date),
    Column("forecast_end_date", Date),
    Column("benefits_planned", Float),
    Column("manager_email", String(320)),  # where update requests and reminders go (0006)
    Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False),
)


def _project_fk() -> Column:
    return Column("project_id", String(64), ForeignKey("projects.project_id"), primary_key=True)


def _upload_fk() -> Column:
    return Column("upload_id", Integer, ForeignKey("uploads.upload_id"), nullable=False)


status_reports = Table(
    "status_reports",
    metadata,
    _project_fk(),
    Column("report_date", Date, primary_key=True),
    Column("overall_rag", String(5)),
    Column("schedule_rag", String(5)),
    Column("cost_rag", String(5)),
    Column("scope_rag", String(5)),
    Column("resource_rag", String(5)),
    Column("rag_label", String(100)),
    Column("percent_complete", Float),
    Column("planned_value", Float),
    Column("earned_value", Float),
    Column("actual_cost", Float),
    Column("forecast_end_date", Date),
    Column("summary", Text),
    Column("next_steps", Text),
    Column("decisions_needed", Text),
    Column("reported_by", String(200)),
    _upload_fk(),
)

risks = Table(
    "risks",
    metadata,
    _project_fk(),
    Column("risk_id", String(64), primary_key=True),
    Column("report_date", Date, primary_key=True),
    Column("title", String(500)),
    Column("description", Text),
    Column("category", String(100)),
    Column("owner", String(200)),
    Column("status", String(50)),
    # 1-5 as written: a register may score 2.5 (Float since 0007); the matrix rounds to a cell
    Column("likelihood", Float),
    Column("impact", Float),
    Column("residual_likelihood", Float),
    Column("residual_impact", Float),
    Column("cost_impact", Float),
    Column("response", Text),
    Column("raised_date", Date),
    Column("due_date", Date),
    # an opportunity (upside risk): a negative impact or a type saying so (0007)
    Column("opportunity", Boolean),
    _upload_fk(),
)

milestones = Table(
    "milestones",
    metadata,
    _project_fk(),
    Column("milestone_id", String(64), primary_key=True),
    Column("report_date", Date, primary_key=True),
    Column("name", String(500)),
    Column("baseline_date", Date),
    Column("forecast_date", Date),
    Column("actual_date", Date),
    Column("status", String(50)),
    Column("is_gate", Boolean),
    _upload_fk(),
)

decisions = Table(
    "decisions",
    metadata,
    _project_fk(),
    Column("decision_id", String(64), primary_key=True),
    Column("forum", String(100)),
    Column("decision_date", Date),
    Column("decision", String(20)),
    Column("rationale", Text),
    Column("decided_by", String(200)),
    _upload_fk(),
)

raid_items = Table(
    "raid_items",
    metadata,
    _project_fk(),
    Column("item_id", String(64), primary_key=True),
    Column("type", String(20)),
    Column("description", Text),
    Column("owner", String(200)),
    Column("status", String(50)),
    Column("priority", String(50)),
    Column("raised_date", Date),
    Column("due_date", Date),
    _upload_fk(),
)

# A benefits register (0007): one snapshot per project per reporting date, like the risks.
benefits = Table(
    "benefits",
    metadata,
    _project_fk(),
    Column("benefit_id", String(64), primary_key=True),
    Column("report_date", Date, primary_key=True),
    Column("title", String(500)),
    Column("owner", String(200)),
    Column("category", String(100)),
    Column("measure", String(200)),  # what is measured and in which unit (text, as written)
    Column("baseline", Float),
    Column("target", Float),
    Column("forecast", Float),
    Column("realised", Float),
    Column("due_date", Date),
    _upload_fk(),
)

# A row that a later upload replaced (same key), or that a SQL source no longer returns and a
# sync removed (action "removed"): kept so history is never lost.
replaced_rows = Table(
    "replaced_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("table_name", String(50), nullable=False),
    Column("row_key", String(500), nullable=False),
    Column("row_json", Text, nullable=False),
    Column("replaced_by_upload", Integer, ForeignKey("uploads.upload_id"), nullable=False),
    Column("action", String(10), nullable=False, server_default="replaced"),  # or "removed"
)

# Column mappings a PM confirmed for a sheet layout, reused on the next upload of that layout.
column_mappings = Table(
    "column_mappings",
    metadata,
    Column("layout_key", String(64), primary_key=True),
    Column("mapping", Text, nullable=False),  # JSON: source header -> canonical field or ""
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Who may do what (see access.roles). A principal is a lower-cased e-mail or "sub:" and an OIDC
# subject; project_id is set for a pm's projects only (no foreign key: a PM may be assigned a
# project before its first upload, and a sync may remove a project that keeps its managers).
role_assignments = Table(
    "role_assignments",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("principal", String(320), nullable=False),
    Column("role", String(10), nullable=False),  # viewer, pm, pmo, admin
    Column("project_id", String(64), nullable=True),
    Column("granted_by", String(320), nullable=False),
    Column("granted_at", DateTime(timezone=True), nullable=False),
    # The granting admin's identity as signed in (or named by --as); NULL before 0005.
    Column("granted_by_email", String(320), nullable=True),
    Column("granted_by_subject", String(255), nullable=True),
    UniqueConstraint("principal", "role", "project_id", name="uq_role_assignment"),
)

# Access events for the audit: roles granted and revoked, writes refused.
access_events = Table(
    "access_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(320), nullable=False),  # e-mail, "sub:..." or a label such as "cli"
    Column("event", String(10), nullable=False),  # grant, revoke, refused
    Column("principal", String(320), nullable=True),
    Column("role", String(10), nullable=True),
    Column("project_id", String(64), nullable=True),
    Column("detail", Text, nullable=True),  # a refusal's reason and what was asked
    # The actor's identity: the label above may be a name; these say which account acted.
    Column("actor_email", String(320), nullable=True),
    Column("actor_subject", String(255), nullable=True),
)

# Sign-outs (see access.sessions): a signed-in cookie issued at or before the latest sign-out
# of its provider and subject no longer counts, wherever it was copied to.
sign_outs = Table(
    "sign_outs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("provider", String(100), nullable=False),  # as in [auth.NAME]; "default"
    Column("subject", String(255), nullable=False),  # the OIDC sub claim
    Column("signed_out_at", DateTime(timezone=True), nullable=False),
    Index("ix_sign_outs_subject", "provider", "subject"),
)

# Every update request, reminder and digest sent (see cadence.remind): the unique key keeps a
# mail from going twice for the same reason. project_id has no foreign key: a digest is for
# the portfolio (project_id ""), and a sync may remove a project whose mails stay on record.
NOTIFICATION_KINDS = ("request", "reminder", "digest")
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", String(64), nullable=False),
    Column("recipient", String(320), nullable=False),  # lower-cased e-mail address
    Column("kind", String(10), nullable=False),  # one of NOTIFICATION_KINDS
    Column("review_date", Date, nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("message_id", String(255), nullable=True),  # the Message-ID header, to trace it
    UniqueConstraint("project_id", "recipient", "kind", "review_date", name="uq_notification"),
)

FACT_TABLES = {
    "projects": projects,
    "status_reports": status_reports,
    "risks": risks,
    "milestones": milestones,
    "decisions": decisions,
    "raid_items": raid_items,
    "benefits": benefits,
}

# Canonical field names per table (without upload_id), the order used in exports.
FIELDS: dict[str, list[str]] = {
    name: [c.name for c in table.columns if c.name != "upload_id"]
    for name, table in FACT_TABLES.items()
}
KEYS: dict[str, list[str]] = {
    name: [c.name for c in table.primary_key.columns] for name, table in FACT_TABLES.items()
}
DATE_FIELDS: dict[str, list[str]] = {
    name: [c.name for c in table.columns if isinstance(c.type, Date)]
    for name, table in FACT_TABLES.items()
}
# The text of a register's items (a risk's title, owner, category and status; a milestone's
# name): a register keyed by item and report date repeats it in every weekly snapshot, so it
# is held once per distinct value (store.read_frames) and made plain text again when one
# snapshot is taken out (analytics.snapshot.latest_snapshot). A status report is one row per
# project and week, written afresh: not a register.
REGISTER_TEXT: dict[str, list[str]] = {
    name: [c.name for c in table.columns if isinstance(c.type, String) and not c.primary_key]
    for name, table in FACT_TABLES.items()
    if len(KEYS[name]) == 3 and KEYS[name][-1] == "report_date"
}

# --- pandera frame schemas -------------------------------------------------------------------


@cache
def _schemas() -> dict[str, pa.DataFrameSchema]:
    # pandera is imported here, not at the top: only loaders and tests validate frames, and
    # importing it (with pydantic) costs the app's first page about 0.2 s of CPU.
    import pandera.pandas as pa

    _rag = pa.Column(str, pa.Check.isin(RAG_VALUES), nullable=True, required=False)
    _money = pa.Column(float, pa.Check.ge(0), nullable=True, required=False, coerce=True)
    _score10 = pa.Column(
        float, pa.Check.in_range(0, 10), nullable=True, required=False, coerce=True
    )
    _scale5 = pa.Column(float, pa.Check.in_range(1, 5), nullable=True, required=False, coerce=True)
    _number = pa.Column(float, nullable=True, required=False, coerce=True)
    _date = pa.Column("datetime64[ns]", nullable=True, required=False, coerce=True)
    _text = pa.Column(str, nullable=True, required=False)
    _key = pa.Column(str, pa.Check.str_length(min_value=1), nullable=False)

    return {
        "projects": pa.DataFrameSchema(
            {
                "project_id": _key,
                "name": pa.Column(str, pa.Check.str_length(min_value=1)),
                "strategic_score": _score10,
                "value_score": _score10,
                "budget": _money,
                "contingency": _money,
                "benefits_planned": _money,
                "start_date": _date,
                "end_date": _date,
                "forecast_end_date": _date,
            },
            checks=[
                pa.Check(
                    # a register without both dates has nothing to compare (a SQL source may
                    # map neither)
                    lambda df: (
                        ~(df["end_date"] < df["start_date"])
                        if {"start_date", "end_date"} <= set(df.columns)
                        else True
                    ),
                    error="end date before start date",
                )
            ],
            unique=["project_id"],
        ),
        "status_reports": pa.DataFrameSchema(
            {
                "project_id": _key,
                "report_date": pa.Column("datetime64[ns]", coerce=True),
                "overall_rag": _rag,
                "schedule_rag": _rag,
                "cost_rag": _rag,
                "scope_rag": _rag,
                "resource_rag": _rag,
                "percent_complete": pa.Column(
                    float, pa.Check.in_range(0, 100), nullable=True, required=False, coerce=True
                ),
                "planned_value": _money,
                "earned_value": _money,
                "actual_cost": _money,
                "forecast_end_date": _date,
            },
            unique=["project_id", "report_date"],
        ),
        "risks": pa.DataFrameSchema(
            {
                "project_id": _key,
                "risk_id": _key,
                "report_date": pa.Column("datetime64[ns]", coerce=True),
                "likelihood": _scale5,
                "impact": _scale5,
                "residual_likelihood": _scale5,
                "residual_impact": _scale5,
                "cost_impact": _money,
                "raised_date": _date,
                "due_date": _date,
            },
            unique=["project_id", "risk_id", "report_date"],
        ),
        "milestones": pa.DataFrameSchema(
            {
                "project_id": _key,
                "milestone_id": _key,
                "report_date": pa.Column("datetime64[ns]", coerce=True),
                "baseline_date": _date,
                "forecast_date": _date,
                "actual_date": _date,
            },
            unique=["project_id", "milestone_id", "report_date"],
        ),
        "decisions": pa.DataFrameSchema(
            {
                "project_id": _key,
                "decision_id": _key,
                "decision_date": _date,
                "decision": pa.Column(
                    str,
                    pa.Check.isin(
                        ["go", "hold", "recycle", "stop", "approved", "rejected", "deferred"]
                    ),
                    nullable=True,
                    required=False,
                ),
            },
            unique=["project_id", "decision_id"],
        ),
        "raid_items": pa.DataFrameSchema(
            {
                "project_id": _key,
                "item_id": _key,
                "type": pa.Column(
                    str,
                    pa.Check.isin(
                        ["risk", "assumption", "issue", "dependency", "action", "decision"]
                    ),
                    nullable=True,
                    required=False,
                ),
                "raised_date": _date,
                "due_date": _date,
            },
            unique=["project_id", "item_id"],
        ),
        "benefits": pa.DataFrameSchema(
            {
                "project_id": _key,
                "benefit_id": _key,
                "report_date": pa.Column("datetime64[ns]", coerce=True),
                # a benefit may be a reduction (a negative figure): no sign check
                "baseline": _number,
                "target": _number,
                "forecast": _number,
                "realised": _number,
                "due_date": _date,
            },
            unique=["project_id", "benefit_id", "report_date"],
        ),
    }


def __getattr__(name: str):
    """``SCHEMAS`` (pandera frame schemas by table), built on first use."""
    if name == "SCHEMAS":
        return _schemas()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """A frame with every canonical column of ``table`` (missing ones empty, dates as datetime).

    Lets tests and loaders build partial frames that analytics can still read.
    """
    out = frame.copy()
    for col in FIELDS[table] + ["upload_id"]:
        if col not in out.columns:
            out[col] = pd.NA
    for col in DATE_FIELDS[table]:
        out[col] = pd.to_datetime(out[col])
    return out
