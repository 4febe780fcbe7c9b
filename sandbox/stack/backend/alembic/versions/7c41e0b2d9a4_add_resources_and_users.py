"""add resources and users

Revision ID: 7c41e0b2d9a4
Revises: 3f2a9c1d7b10
Create Date: 2023-12-14 16:40:03.000000
"""
from alembic import op
import sqlalchemy as sa

revision = "7c41e0b2d9a4"
down_revision = "3f2a9c1d7b10"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(100), nullable=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="SET NULL"), nullable=True),
        sa.Column("allocation_pct", sa.Integer, nullable=False, server_default="100"),
    )


def downgrade() -> None:
    op.drop_table("resources")
    op.drop_table("users")
