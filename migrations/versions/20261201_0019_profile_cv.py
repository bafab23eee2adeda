"""profile CV and skill order: a CV kept on the profile for applying, skills in the order typed

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 21:00:00.000000

Until now the apply form offered the CV someone uploaded last; that one becomes the profile's
CV, so nobody loses the "CV on file" they had. Existing skills keep position 0 (then their
names order them, as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cv_upload_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_profiles_cv_upload_id_uploads"), "uploads", ["cv_upload_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.add_column(sa.Column("position", sa.Integer(), server_default="0", nullable=False))
    op.execute(
        "UPDATE profiles SET cv_upload_id = ("
        " SELECT uploads.id FROM uploads"
        " WHERE uploads.owner_id = profiles.user_id AND uploads.purpose = 'cv'"
        " ORDER BY uploads.created_at DESC, uploads.id DESC LIMIT 1)"
    )


def downgrade() -> None:
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.drop_column("position")
    with op.batch_alter_table("profiles", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_profiles_cv_upload_id_uploads"), type_="foreignkey")
        batch_op.drop_column("cv_upload_id")
