"""talent text indexes: trigram indexes on PostgreSQL for the directory's word search

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 11:20:00.000000

The talent directory matches each word anywhere in a person's name, headline, bio or skills
(profiles/talent.py). On PostgreSQL a trigram GIN index on names and one on headline with bio
serve that `LIKE '%word%'` (skill names are a small table, read whole). Without the pg_trgm
extension (or the right to create it) the search still works, by scanning, and this migration
says so instead of failing. SQLite scans (its data is small).
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hiremebahamas.models.profile import TALENT_TEXT_INDEXES

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EXPRESSIONS = {
    "ix_users_name_trgm": "users USING gin (lower(first_name || ' ' || last_name) gin_trgm_ops)",
    "ix_profiles_text_trgm": "profiles USING gin (lower(headline || ' ' || bio) gin_trgm_ops)",
}
assert set(_EXPRESSIONS) == set(TALENT_TEXT_INDEXES)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        logging.getLogger("alembic").warning(
            "pg_trgm is not available (%s): the talent directory's word search will scan profiles",
            str(exc.orig).strip(),
        )
        return
    for name, target in _EXPRESSIONS.items():
        op.execute(f"CREATE INDEX {name} ON {target}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in _EXPRESSIONS:
        op.execute(f"DROP INDEX IF EXISTS {name}")
