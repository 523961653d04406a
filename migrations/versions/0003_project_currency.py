"""project currency: fill in the portfolio currency where a project has none

Revision ID: 0003
Revises: 0002

Money is stored in currency units and in the project's currency; totals never add two
currencies. Projects loaded before currencies were recorded get the portfolio currency
(``[money] currency`` in pmo_lens.toml), which is what their figures were taken to be in.
"""

import sqlalchemy as sa
from alembic import op

from config import get_config

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    projects = sa.table("projects", sa.column("currency", sa.String(3)))
    op.execute(
        projects.update()
        .where(projects.c.currency.is_(None))
        .values(currency=get_config().money.currency)
    )


def downgrade() -> None:
    # Which currencies were filled in here is not recorded; the column itself stays (0001).
    pass
