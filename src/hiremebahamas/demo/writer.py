"""Rows into tables in batches: PostgreSQL COPY through asyncpg, SQLite executemany.

Rows are plain tuples in the order of the sink's columns, with Python values (UUID, aware
datetime, dict for JSON). Everything goes through the one connection the loader holds, inside
its single transaction, so a failed load leaves nothing behind.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import orjson
from rich.progress import Progress, TaskID
from sqlalchemy import JSON, Table
from sqlalchemy.ext.asyncio import AsyncConnection

from hiremebahamas.models import Base

# COPY is cheapest in big batches; SQLite's executemany gains little past a few thousand.
_BATCH_ROWS = {"postgresql": 10_000, "sqlite": 2_000}
_YIELD_EVERY = 500


@dataclass
class TableStats:
    """Rows written and the time spent writing them (generating them is not counted here)."""

    rows: int = 0
    seconds: float = 0.0


class BulkWriter:
    def __init__(self, connection: AsyncConnection, driver: Any, progress: Progress | None) -> None:
        self.connection = connection
        self.dialect = connection.dialect.name
        self._driver = driver  # the asyncpg connection on PostgreSQL, else None
        self.progress = progress
        self.stats: dict[str, TableStats] = {}
        self._pending: asyncio.Task[None] | None = None

    @classmethod
    async def open(cls, connection: AsyncConnection, progress: Progress | None) -> BulkWriter:
        driver = None
        if connection.dialect.name == "postgresql":
            raw = await connection.get_raw_connection()
            driver = raw.driver_connection
        return cls(connection, driver, progress)

    def sink(self, model: type[Base], columns: Sequence[str], total: int | None, parents: Sequence[Sink] = ()) -> Sink:
        """A sink for the model's table; `parents` are the sinks of the tables its foreign keys point at,
        written first whenever this one writes so that every referenced row already exists."""
        return Sink(self, cast(Table, model.__table__), list(columns), total, list(parents))

    async def write(self, stats: TableStats, table: Table, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        """Write a batch. On PostgreSQL the COPY runs in the background while the next batch is
        generated (one at a time, in order, so parents still land before their children)."""
        if self._driver is None:
            started = time.perf_counter()
            await self.connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
            stats.seconds += time.perf_counter() - started
            return
        await self.drain()
        self._pending = asyncio.create_task(self._copy(stats, table.name, columns, rows))

    async def _copy(self, stats: TableStats, name: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
        started = time.perf_counter()
        await self._driver.copy_records_to_table(name, records=rows, columns=columns)
        stats.seconds += time.perf_counter() - started

    async def drain(self) -> None:
        """Wait for the batch in flight: before the connection is used for anything else."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            await pending


class Sink:
    """One table's stream of rows: buffered, written a batch at a time, counted and timed."""

    def __init__(
        self, writer: BulkWriter, table: Table, columns: list[str], total: int | None, parents: list[Sink]
    ) -> None:
        self.writer = writer
        self.parents = parents
        self.table = table
        self.columns = columns
        self.stats = writer.stats.setdefault(table.name, TableStats())
        self._batch = _BATCH_ROWS[writer.dialect]
        self._rows: list[tuple[Any, ...]] = []
        # asyncpg's COPY takes JSON as text; SQLAlchemy's JSON type serialises it on SQLite.
        self._json = [
            i
            for i, name in enumerate(columns)
            if isinstance(table.c[name].type, JSON) and writer.dialect == "postgresql"
        ]
        self._task: TaskID | None = None
        if writer.progress is not None:
            self._task = writer.progress.add_task(table.name, total=total)

    def set_total(self, total: int) -> None:
        if self._task is not None and self.writer.progress is not None:
            self.writer.progress.update(self._task, total=total)

    async def put(self, row: tuple[Any, ...]) -> None:
        self._rows.append(row)
        if len(self._rows) >= self._batch:
            await self.flush()
        elif len(self._rows) % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # lets the event loop feed the COPY in flight to the server

    async def flush(self) -> None:
        if not self._rows:
            return
        for parent in self.parents:
            await parent.flush()
        rows, self._rows = self._rows, []
        if self._json:
            rows = [self._encode_json(row) for row in rows]
        await self.writer.write(self.stats, self.table, self.columns, rows)
        self.stats.rows += len(rows)
        if self._task is not None and self.writer.progress is not None:
            self.writer.progress.update(self._task, advance=len(rows))

    def _encode_json(self, row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i in self._json:
            values[i] = orjson.dumps(values[i]).decode()
        return tuple(values)

    async def close(self) -> None:
        await self.flush()
        if self._task is not None and self.writer.progress is not None:
            self.writer.progress.update(self._task, total=self.stats.rows, completed=self.stats.rows)
