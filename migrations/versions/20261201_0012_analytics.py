"""analytics: the server-side event log, active days, daily figures and job views by day

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 17:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_events")),
    )
    with op.batch_alter_table("analytics_events", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_events_occurred_at", ["occurred_at"], unique=False)
        batch_op.create_index("ix_analytics_events_name_occurred", ["name", "occurred_at"], unique=False)
        batch_op.create_index("ix_analytics_events_user_occurred", ["user_id", "occurred_at"], unique=False)
    op.create_table(
        "analytics_active_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("day", "user_id", name=op.f("pk_analytics_active_days")),
    )
    op.create_table(
        "analytics_last_active",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_analytics_last_active")),
    )
    with op.batch_alter_table("analytics_last_active", schema=None) as batch_op:
        batch_op.create_index("ix_analytics_last_active_day", ["day"], unique=False)
    op.create_table(
        "analytics_daily",
        sa.Column("metric", sa.String(length=40), nullable=False),
        sa.Column("dimension", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("metric", "dimension", "day", name=op.f("pk_analytics_daily")),
    )
    op.create_table(
        "job_view_days",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("views", sa.Integer(), nullable=False),
        sa.Column("unique_viewers", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_view_days_job_id_jobs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("job_id", "day", name=op.f("pk_job_view_days")),
    )


def downgrade() -> None:
    op.drop_table("job_view_days")
    op.drop_table("analytics_daily")
    op.drop_table("analytics_last_active")
    op.drop_table("analytics_active_days")
    with op.batch_alter_table("analytics_events", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_events_user_occurred")
        batch_op.drop_index("ix_analytics_events_name_occurred")
        batch_op.drop_index("ix_analytics_events_occurred_at")
    op.drop_table("analytics_events")
