"""roles: role assignments, access events, and the identity behind each upload

Revision ID: 0004
Revises: 0003

Before any role is granted the app stays open (everything allowed, as before); see
access/roles.py. Existing uploads keep their free-text uploaded_by and get no e-mail/subject.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("principal", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("granted_by", sa.String(length=320), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("principal", "role", "project_id", name="uq_role_assignment"),
    )
    op.create_table(
        "access_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("event", sa.String(length=10), nullable=False),
        sa.Column("principal", sa.String(length=320), nullable=True),
        sa.Column("role", sa.String(length=10), nullable=True),
        sa.Column("project_id", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("uploads") as batch:
        batch.add_column(sa.Column("uploaded_by_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("uploaded_by_subject", sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads") as batch:
        batch.drop_column("uploaded_by_subject")
        batch.drop_column("uploaded_by_email")
    op.drop_table("access_events")
    op.drop_table("role_assignments")
