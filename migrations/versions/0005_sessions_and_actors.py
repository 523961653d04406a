"""sessions and actors: sign-outs end sessions server-side; role changes record who acted

Revision ID: 0005
Revises: 0004

Role changes and access events made before this revision keep their actor label only (their
e-mail and subject stay NULL): the label was all that was recorded.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("role_assignments") as batch:
        batch.add_column(sa.Column("granted_by_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("granted_by_subject", sa.String(length=255), nullable=True))
    with op.batch_alter_table("access_events") as batch:
        batch.add_column(sa.Column("actor_email", sa.String(length=320), nullable=True))
        batch.add_column(sa.Column("actor_subject", sa.String(length=255), nullable=True))
    op.create_table(
        "sign_outs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("signed_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_sign_outs_subject", "sign_outs", ["provider", "subject"])


def downgrade() -> None:
    op.drop_index("ix_sign_outs_subject", table_name="sign_outs")
    op.drop_table("sign_outs")
    with op.batch_alter_table("access_events") as batch:
        batch.drop_column("actor_subject")
        batch.drop_column("actor_email")
    with op.batch_alter_table("role_assignments") as batch:
        batch.drop_column("granted_by_subject")
        batch.drop_column("granted_by_email")
