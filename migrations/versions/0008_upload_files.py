"""an upload's file in its own table

Revision ID: 0008
Revises: 0007

- ``upload_files``: the raw file of an upload (``uploads.content`` until now), one row per
  upload that kept its file. Every data version reads the uploads table whole, and SQLite
  walks every overflow page of a row's file to reach the columns after it; MariaDB's BLOB
  held 64 KB, so a larger workbook could not be kept there (LONGBLOB now).
- ``uploads.content`` is dropped once its bytes are copied.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.mysql import LONGBLOB

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

FILE_BYTES = sa.LargeBinary().with_variant(LONGBLOB(), "mysql", "mariadb")


def upgrade() -> None:
    op.create_table(
        "upload_files",
        sa.Column("upload_id", sa.Integer(), nullable=False),
        sa.Column("content", FILE_BYTES, nullable=False),
        sa.ForeignKeyConstraint(["upload_id"], ["uploads.upload_id"]),
        sa.PrimaryKeyConstraint("upload_id"),
    )
    op.execute(
        "INSERT INTO upload_files (upload_id, content) "
        "SELECT upload_id, content FROM uploads WHERE content IS NOT NULL"
    )
    # A plain ALTER TABLE, also on SQLite (3.35 and later): a batch copy of uploads would drop
    # the table every fact table refers to.
    op.drop_column("uploads", "content")


def downgrade() -> None:
    op.add_column("uploads", sa.Column("content", FILE_BYTES, nullable=True))
    op.execute(
        "UPDATE uploads SET content = "
        "(SELECT f.content FROM upload_files f WHERE f.upload_id = uploads.upload_id)"
    )
    op.drop_table("upload_files")
