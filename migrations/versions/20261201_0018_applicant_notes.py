"""applicant notes: the team's notes on an application; when a team member last saw the dashboard

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "applicant_notes",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("author_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["job_applications.id"],
            name=op.f("fk_applicant_notes_application_id_job_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_applicant_notes_author_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applicant_notes")),
    )
    with op.batch_alter_table("applicant_notes", schema=None) as batch_op:
        batch_op.create_index("ix_applicant_notes_application_created", ["application_id", "created_at"], unique=False)
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applicants_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.drop_column("applicants_seen_at")
    with op.batch_alter_table("applicant_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_applicant_notes_application_created")
    op.drop_table("applicant_notes")
