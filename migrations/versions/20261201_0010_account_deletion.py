"""account deletion: when it was asked, when it becomes final, whether staff asked, when the
account was erased; an index for the erasure run's "grace period over" query

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 18:00:00.000000

The index holds only the accounts being deleted (a partial index on both engines), so the
periodic run reads a handful of entries however many accounts there are.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deletion_due_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_by_staff", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(
            "ix_users_deletion_due",
            ["deletion_due_at"],
            unique=False,
            postgresql_where=sa.text("deletion_due_at IS NOT NULL"),
            sqlite_where=sa.text("deletion_due_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_deletion_due")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("deleted_by_staff")
        batch_op.drop_column("deletion_due_at")
        batch_op.drop_column("deletion_requested_at")
