"""profile viewers: who looked at whose profile on which day, for the weekly digest

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profile_viewers",
        sa.Column("profile_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("viewer_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["profile_id"], ["users.id"], name=op.f("fk_profile_viewers_profile_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["viewer_id"], ["users.id"], name=op.f("fk_profile_viewers_viewer_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("profile_id", "day", "viewer_id", name=op.f("pk_profile_viewers")),
    )
    op.create_index(op.f("ix_profile_viewers_viewer_id"), "profile_viewers", ["viewer_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_profile_viewers_viewer_id"), table_name="profile_viewers")
    op.drop_table("profile_viewers")
