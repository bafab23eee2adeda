"""upload scans: what the virus scanner made of each upload, and quarantined files

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATUS = sa.Enum("unscanned", "pending", "clean", "quarantined", name="scanstatus", native_enum=False, length=20)


def upgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        # Files stored before scanning existed are "unscanned": the first re-scan covers them.
        batch_op.add_column(sa.Column("scan_status", _STATUS, nullable=False, server_default="unscanned"))
        batch_op.add_column(sa.Column("scanned_with", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("signature", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("quarantined_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_uploads_scan_status"), ["scan_status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_uploads_scan_status"))
        batch_op.drop_column("quarantined_at")
        batch_op.drop_column("signature")
        batch_op.drop_column("scanned_with")
        batch_op.drop_column("scan_status")
