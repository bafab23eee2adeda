"""list indexes: featured jobs, open jobs by island newest first, posts in (time, id) order,
the newest people and jobs per skill

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_jobs_featured_until",
            ["featured_until"],
            unique=False,
            postgresql_where=sa.text("featured_until IS NOT NULL"),
            sqlite_where=sa.text("featured_until IS NOT NULL"),
        )
        batch_op.create_index(
            "ix_jobs_island_status_published", ["island", "status", "published_at", "id"], unique=False
        )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        # (time, id) serves the feed's whole keyset order; (time) alone left a sort of each tie.
        batch_op.create_index("ix_posts_created_id", ["created_at", "id"], unique=False)
        batch_op.drop_index("ix_posts_created_at")
    # (skill, id): a bounded number of the newest per skill, for who-to-follow and jobs-for-you.
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.create_index("ix_profile_skills_skill_user", ["skill_id", "user_id"], unique=False)
        batch_op.drop_index("ix_profile_skills_skill_id")
    with op.batch_alter_table("job_skills", schema=None) as batch_op:
        batch_op.create_index("ix_job_skills_skill_job", ["skill_id", "job_id"], unique=False)
        batch_op.drop_index("ix_job_skills_skill_id")


def downgrade() -> None:
    with op.batch_alter_table("job_skills", schema=None) as batch_op:
        batch_op.create_index("ix_job_skills_skill_id", ["skill_id"], unique=False)
        batch_op.drop_index("ix_job_skills_skill_job")
    with op.batch_alter_table("profile_skills", schema=None) as batch_op:
        batch_op.create_index("ix_profile_skills_skill_id", ["skill_id"], unique=False)
        batch_op.drop_index("ix_profile_skills_skill_user")
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.create_index("ix_posts_created_at", ["created_at"], unique=False)
        batch_op.drop_index("ix_posts_created_id")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_island_status_published")
        batch_op.drop_index(
            "ix_jobs_featured_until",
            postgresql_where=sa.text("featured_until IS NOT NULL"),
            sqlite_where=sa.text("featured_until IS NOT NULL"),
        )
