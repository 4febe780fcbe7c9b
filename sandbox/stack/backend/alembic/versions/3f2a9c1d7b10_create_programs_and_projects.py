"""create programs and projects

Revision ID: 3f2a9c1d7b10
Revises:
Create Date: 2023-11-02 09:12:44.000000
"""
from alembic import op
import sqlalchemy as sa

revision = "3f2a9c1d7b10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "programs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("description", sa.Text, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("program_id", sa.Integer, sa.ForeignKey("programs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("start_date", sa.Date, nullable=True),
        sa.Column("end_date", sa.Date, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_index("ix_projects_program_id", "projects", ["program_id"])


def downgrade() -> None:
    op.drop_index("ix_projects_program_id", table_name="projects")
    op.drop_table("projects")
    op.drop_table("programs")
