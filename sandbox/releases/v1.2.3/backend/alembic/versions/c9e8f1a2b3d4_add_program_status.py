"""add program status

Revision ID: c9e8f1a2b3d4
Revises: 7c41e0b2d9a4
Create Date: 2024-01-22 11:05:19.000000
"""
from alembic import op
import sqlalchemy as sa

revision = "c9e8f1a2b3d4"
down_revision = "7c41e0b2d9a4"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "programs",
        sa.Column("status", sa.String(20), nullable=False, server_default="active"),
    )
    op.create_index("ix_programs_status", "programs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_programs_status", table_name="programs")
    op.drop_column("programs", "status")
