"""privacy controls on profiles: who may message the person, whether search engines may index
the profile, whether others see when they read messages

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 20:00:00.000000

Server defaults keep every existing profile as it behaved before: open to messages from
everyone, indexable, read receipts on. Being listed in the talent directory is the existing
`available_for_hire` column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "messages_from",
                sa.Enum("everyone", "following", "nobody", name="messagesfrom", native_enum=False, length=20),
                server_default="everyone",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("search_engine_indexing", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("read_receipts", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_column("read_receipts")
        batch_op.drop_column("search_engine_indexing")
        batch_op.drop_column("messages_from")
