"""data exports: the ZIP of a person's data, kept until its emailed link expires

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_exports",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status", sa.Enum("pending", "ready", name="dataexportstatus", native_enum=False, length=20), nullable=False
        ),
        sa.Column("storage_key", sa.String(length=255), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ready_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_data_exports_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.create_index("ix_data_exports_expires_at", ["expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_data_exports_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("data_exports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_data_exports_user_id"))
        batch_op.drop_index("ix_data_exports_expires_at")
    op.drop_table("data_exports")
