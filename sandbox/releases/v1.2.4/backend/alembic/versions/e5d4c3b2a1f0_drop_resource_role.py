"""drop resource role

Revision ID: e5d4c3b2a1f0
Revises: c9e8f1a2b3d4
Create Date: 2024-02-07 14:20:03.000000

The role moved to the people directory; the column and its values go.
(A destructive migration on purpose: planner-tui's review and risk must name
the dropped column, resources.role.)
"""
from alembic import op
import sqlalchemy as sa

revision = "e5d4c3b2a1f0"
down_revision = "c9e8f1a2b3d4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_column("resources", "role")


def downgrade() -> None:
    # The column comes back empty: the dropped values are only in a backup.
    op.add_column("resources", sa.Column("role", sa.String(100), nullable=True))
