"""lifecycle email: the sent log of the emails the product sends on its own initiative, the
campaigns (a week's digest, a newsletter or announcement) sent in chunks from a cursor, the
addresses SendGrid reported as bouncing or complaining, and the users' (created_at, id) index
the welcome sequences walk

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_sends",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum("claimed", "sent", "failed", "skipped", name="sendstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_email_sends_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_sends")),
        sa.UniqueConstraint("user_id", "key", name="uq_email_sends_user_key"),
    )
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.create_index("ix_email_sends_key_status", ["key", "status"], unique=False)
    op.create_table(
        "email_campaigns",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("digest", "newsletter", "announcement", name="campaignkind", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("draft", "scheduled", "sending", "sent", name="campaignstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("cursor", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body_markdown", sa.Text(), nullable=False),
        sa.Column(
            "audience",
            sa.Enum("all", "seekers", "employers", "tier", "island", name="audience", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("audience_value", sa.String(length=30), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_email_campaigns_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_campaigns")),
        sa.UniqueConstraint("key", name=op.f("uq_email_campaigns_key")),
    )
    with op.batch_alter_table("email_campaigns", schema=None) as batch_op:
        batch_op.create_index("ix_email_campaigns_status_updated", ["status", "updated_at"], unique=False)
    op.create_table(
        "email_suppressions",
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "reason",
            sa.Enum("bounce", "complaint", name="suppressionreason", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("email", name=op.f("pk_email_suppressions")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_created_at_id", ["created_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("email_sends", schema=None) as batch_op:
        batch_op.drop_index("ix_email_sends_key_status")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_created_at_id")
    with op.batch_alter_table("email_campaigns", schema=None) as batch_op:
        batch_op.drop_index("ix_email_campaigns_status_updated")
    op.drop_table("email_campaigns")
    op.drop_table("email_suppressions")
    op.drop_table("email_sends")
