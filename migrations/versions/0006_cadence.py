"""the weekly cadence: where update requests go, and the record that keeps a mail from going twice

Revision ID: 0006
Revises: 0005

``projects.manager_email`` is NULL for every project loaded before this revision: no sheet or
source gave one. ``notifications`` starts empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("manager_email", sa.String(length=320), nullable=True))
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=64), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "project_id", "recipient", "kind", "review_date", name="uq_notification"
        ),
    )


def downgrade() -> None:
    op.drop_table("notifications")
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("manager_email")
