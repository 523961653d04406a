"""replaced_rows.action: 'replaced' (a newer version) or 'removed' (gone from its SQL source)

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("replaced_rows") as batch:
        batch.add_column(
            sa.Column("action", sa.String(length=10), nullable=False, server_default="replaced")
        )


def downgrade() -> None:
    with op.batch_alter_table("replaced_rows") as batch:
        batch.drop_column("action")
