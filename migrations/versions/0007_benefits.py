"""benefits register; risk scores as written (2.5) and opportunities

Revision ID: 0007
Revises: 0006

- ``benefits``: one row per project, benefit and reporting date (like ``risks``).
- ``risks.likelihood``, ``impact`` and their residual pair become floats: a register that
  scores 1.5 or 2.5 is stored as written (the matrix rounds to its cell). Stored integers
  convert exactly.
- ``risks.opportunity``: an upside risk (negative impact, or a type that says opportunity).
  Risks loaded before this revision are threats or unknown: NULL.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCALES = ("likelihood", "impact", "residual_likelihood", "residual_impact")


def upgrade() -> None:
    op.create_table(
        "benefits",
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("benefit_id", sa.String(length=64), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=True),
        sa.Column("category", sa.String(length=100), nullable=True),
        sa.Column("measure", sa.String(length=200), nullable=True),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("forecast", sa.Float(), nullable=True),
        sa.Column("realised", sa.Float(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["projects.project_id"]),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.upload_id"]),
        sa.PrimaryKeyConstraint("project_id", "benefit_id", "report_date"),
    )
    with op.batch_alter_table("risks") as batch:
        for name in SCALES:
            batch.alter_column(name, type_=sa.Float(), existing_type=sa.Integer())
        batch.add_column(sa.Column("opportunity", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("risks") as batch:
        batch.drop_column("opportunity")
        for name in SCALES:
            # half points are lost going back (each database rounds them its own way)
            batch.alter_column(name, type_=sa.Integer(), existing_type=sa.Float())
    op.drop_table("benefits")
