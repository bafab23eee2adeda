"""jobs: companies, job postings, applications, job alerts, full-text search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:19:18.137884
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_runs",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", "period", name=op.f("pk_scheduled_runs")),
    )
    op.create_table(
        "saved_searches",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("query", sa.JSON(), nullable=False),
        sa.Column(
            "frequency",
            sa.Enum("instant", "daily", name="alertfrequency", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_searches_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
    )
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.create_index("ix_saved_searches_frequency", ["frequency", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_saved_searches_user_id"), ["user_id"], unique=False)

    op.create_table(
        "companies",
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("logo_upload_id", sa.Uuid(), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=False),
        sa.Column(
            "island",
            sa.Enum(
                "new_providence",
                "grand_bahama",
                "abaco",
                "eleuthera",
                "harbour_island",
                "exuma",
                "andros",
                "long_island",
                "cat_island",
                "bimini",
                "berry_islands",
                "inagua",
                "mayaguana",
                "acklins",
                "crooked_island",
                "ragged_island",
                "san_salvador",
                "rum_cay",
                "remote",
                name="island",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["logo_upload_id"], ["uploads.id"], name=op.f("fk_companies_logo_upload_id_uploads"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_companies")),
        sa.UniqueConstraint("slug", name=op.f("uq_companies_slug")),
    )
    op.create_table(
        "company_members",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.Enum("owner", "member", name="companyrole", native_enum=False, length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_company_members_company_id_companies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_company_members_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("company_id", "user_id", name=op.f("pk_company_members")),
    )
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "jobs",
        sa.Column("company_id", sa.Uuid(), nullable=False),
        sa.Column("posted_by_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("slug", sa.String(length=160), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("description_html", sa.Text(), nullable=False),
        sa.Column(
            "island",
            sa.Enum(
                "new_providence",
                "grand_bahama",
                "abaco",
                "eleuthera",
                "harbour_island",
                "exuma",
                "andros",
                "long_island",
                "cat_island",
                "bimini",
                "berry_islands",
                "inagua",
                "mayaguana",
                "acklins",
                "crooked_island",
                "ragged_island",
                "san_salvador",
                "rum_cay",
                "remote",
                name="island",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column("remote", sa.Boolean(), nullable=False),
        sa.Column(
            "employment_type",
            sa.Enum(
                "full_time",
                "part_time",
                "contract",
                "temporary",
                "internship",
                "seasonal",
                name="employmenttype",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column(
            "category",
            sa.Enum(
                "accounting",
                "administration",
                "banking",
                "construction",
                "customer_service",
                "education",
                "engineering",
                "government",
                "healthcare",
                "hospitality",
                "it",
                "legal",
                "maritime",
                "marketing",
                "retail",
                "sales",
                "transport",
                "other",
                name="jobcategory",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("salary_min", sa.Integer(), nullable=True),
        sa.Column("salary_max", sa.Integer(), nullable=True),
        sa.Column(
            "salary_period",
            sa.Enum("hour", "month", "year", name="salaryperiod", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("salary_annual_max", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "open", "closed", "expired", name="jobstatus", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("valid_through", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("featured_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("search_keywords", sa.Text(), nullable=False),
        sa.Column("description_text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "salary_min IS NULL OR salary_max IS NULL OR salary_min <= salary_max", name=op.f("ck_jobs_salary_range")
        ),
        sa.ForeignKeyConstraint(
            ["company_id"], ["companies.id"], name=op.f("fk_jobs_company_id_companies"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["posted_by_id"], ["users.id"], name=op.f("fk_jobs_posted_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_company_status", ["company_id", "status"], unique=False)
        batch_op.create_index("ix_jobs_status_published", ["status", "published_at", "id"], unique=False)
        batch_op.create_index("ix_jobs_status_salary", ["status", "salary_annual_max", "id"], unique=False)
        batch_op.create_index("ix_jobs_status_valid_through", ["status", "valid_through"], unique=False)

    op.create_table(
        "job_alert_deliveries",
        sa.Column("saved_search_id", sa.Uuid(), nullable=False),
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_alert_deliveries_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["saved_search_id"],
            ["saved_searches.id"],
            name=op.f("fk_job_alert_deliveries_saved_search_id_saved_searches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("saved_search_id", "job_id", name=op.f("pk_job_alert_deliveries")),
    )
    with op.batch_alter_table("job_alert_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_alert_deliveries_job_id"), ["job_id"], unique=False)

    op.create_table(
        "job_applications",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=False),
        sa.Column("cover_letter", sa.Text(), nullable=False),
        sa.Column("cv_upload_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "applied",
                "reviewing",
                "interview",
                "offer",
                "hired",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["applicant_id"], ["users.id"], name=op.f("fk_job_applications_applicant_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["cv_upload_id"], ["uploads.id"], name=op.f("fk_job_applications_cv_upload_id_uploads"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["job_id"], ["jobs.id"], name=op.f("fk_job_applications_job_id_jobs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_applications")),
        sa.UniqueConstraint("job_id", "applicant_id", name="uq_job_applications_job_applicant"),
    )
    with op.batch_alter_table("job_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_job_applications_applicant_created", ["applicant_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(
            "ix_job_applications_job_status_created", ["job_id", "status", "created_at", "id"], unique=False
        )

    op.create_table(
        "job_skills",
        sa.Column("job_id", sa.Uuid(), nullable=False),
        sa.Column("skill_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["job_id"], ["jobs.id"], name=op.f("fk_job_skills_job_id_jobs"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_job_skills_skill_id_skills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("job_id", "skill_id", name=op.f("pk_job_skills")),
    )
    with op.batch_alter_table("job_skills", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_skills_skill_id"), ["skill_id"], unique=False)

    op.create_table(
        "application_events",
        sa.Column("application_id", sa.Uuid(), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column(
            "from_status",
            sa.Enum(
                "applied",
                "reviewing",
                "interview",
                "offer",
                "hired",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "applied",
                "reviewing",
                "interview",
                "offer",
                "hired",
                "rejected",
                "withdrawn",
                name="applicationstatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_application_events_actor_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["job_applications.id"],
            name=op.f("fk_application_events_application_id_job_applications"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
    )
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_application_events_application_created", ["application_id", "created_at"], unique=False
        )

    _create_search_index()


def downgrade() -> None:
    _drop_search_index()
    with op.batch_alter_table("application_events", schema=None) as batch_op:
        batch_op.drop_index("ix_application_events_application_created")

    op.drop_table("application_events")
    with op.batch_alter_table("job_skills", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_skills_skill_id"))

    op.drop_table("job_skills")
    with op.batch_alter_table("job_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_job_applications_job_status_created")
        batch_op.drop_index("ix_job_applications_applicant_created")

    op.drop_table("job_applications")
    with op.batch_alter_table("job_alert_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_alert_deliveries_job_id"))

    op.drop_table("job_alert_deliveries")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_valid_through")
        batch_op.drop_index("ix_jobs_status_salary")
        batch_op.drop_index("ix_jobs_status_published")
        batch_op.drop_index("ix_jobs_company_status")

    op.drop_table("jobs")
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_members_user_id"))

    op.drop_table("company_members")
    op.drop_table("companies")
    with op.batch_alter_table("saved_searches", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_searches_user_id"))
        batch_op.drop_index("ix_saved_searches_frequency")

    op.drop_table("saved_searches")
    op.drop_table("scheduled_runs")


# Full-text search over a job's title, its keywords (company name and skills) and its
# description as plain text; the application keeps those three columns up to date. The models
# do not describe these objects: `hiremebahamas.models.jobs.managed_by_models` keeps them out
# of autogenerate.

_PG_SEARCH_VECTOR = """
ALTER TABLE jobs ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english'::regconfig, coalesce(title, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, coalesce(search_keywords, '')), 'B')
    || setweight(to_tsvector('english'::regconfig, coalesce(description_text, '')), 'C')
) STORED
"""

# A standalone FTS5 table (not external content: jobs has no INTEGER PRIMARY KEY, and VACUUM
# may renumber the implicit rowid). The porter tokenizer stems, so "managers" finds "manager".
_SQLITE_SEARCH = [
    """
    CREATE VIRTUAL TABLE jobs_fts USING fts5(
        job_id UNINDEXED, title, keywords, body, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    """
    CREATE TRIGGER jobs_fts_after_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO jobs_fts (job_id, title, keywords, body)
        VALUES (new.id, new.title, new.search_keywords, new.description_text);
    END
    """,
    # Only edits of the indexed text re-index a job; status changes and expiry do not.
    """
    CREATE TRIGGER jobs_fts_after_update AFTER UPDATE OF title, search_keywords, description_text ON jobs BEGIN
        DELETE FROM jobs_fts WHERE job_id = old.id;
        INSERT INTO jobs_fts (job_id, title, keywords, body)
        VALUES (new.id, new.title, new.search_keywords, new.description_text);
    END
    """,
    """
    CREATE TRIGGER jobs_fts_after_delete AFTER DELETE ON jobs BEGIN
        DELETE FROM jobs_fts WHERE job_id = old.id;
    END
    """,
]


def _create_search_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_PG_SEARCH_VECTOR)
        op.execute("CREATE INDEX ix_jobs_search_vector ON jobs USING GIN (search_vector)")
    else:
        for statement in _SQLITE_SEARCH:
            op.execute(statement)


def _drop_search_index() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_jobs_search_vector")
        op.execute("ALTER TABLE jobs DROP COLUMN IF EXISTS search_vector")
    else:
        for trigger in ("jobs_fts_after_insert", "jobs_fts_after_update", "jobs_fts_after_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS jobs_fts")
