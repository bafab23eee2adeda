"""PostgreSQL loads fast only without per-row work: every foreign key fires a check query per
row, every secondary index takes a random insert per row. For the load they are set aside and
then rebuilt from their own definitions (`pg_get_constraintdef`, `pg_get_indexdef`): a foreign
key added back is checked with one join, an index built with one sort. Everything happens in
the loader's transaction, so a failure leaves the schema as it was.

Primary keys and unique constraints stay: they catch a generator bug at once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from hiremebahamas.demo.writer import TableStats

_FOREIGN_KEYS = text(
    """
    SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
    FROM pg_constraint c
    WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(:tables)
    ORDER BY 1, 2
    """
)
# Indexes that back no constraint (so neither the primary key nor a unique constraint).
_INDEXES = text(
    """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
    FROM pg_index i
    WHERE i.indrelid::regclass::text = ANY(:tables)
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
    ORDER BY 1
    """
)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@asynccontextmanager
async def checks_set_aside(
    connection: AsyncConnection, tables: Sequence[str], stats: dict[str, TableStats]
) -> AsyncIterator[None]:
    """Drop the tables' foreign keys and plain indexes for the block, then rebuild them (timed
    in `stats` as one line)."""
    names = list(tables)
    keys = (await connection.execute(_FOREIGN_KEYS, {"tables": names})).all()
    indexes = (await connection.execute(_INDEXES, {"tables": names})).all()
    for table, name, _definition in keys:
        await connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {_quoted(name)}"))
    for index, _definition in indexes:
        await connection.execute(text(f"DROP INDEX {index}"))
    yield
    started = time.perf_counter()
    # More memory for the sorts that build the indexes, for this transaction only.
    await connection.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    for _index, definition in indexes:
        await connection.execute(text(definition))
    for table, name, definition in keys:
        await connection.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {_quoted(name)} {definition}"))
    stats["(indexes, foreign keys)"] = TableStats(0, time.perf_counter() - started)
