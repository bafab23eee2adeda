"""A database that cannot be reached is told from a bug: the 503 and the replica rotation rely on it."""

from __future__ import annotations

import asyncpg  # type: ignore[import-untyped]  # no type information published
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from hiremebahamas.core.dbfailures import database_unreachable


def _wrapped(error: Exception) -> DBAPIError:
    try:
        raise DBAPIError("SELECT 1", {}, error) from error
    except DBAPIError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.CannotConnectNowError("the database system is shutting down"),
        asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        ConnectionRefusedError(111, "Connect call failed"),
    ],
)
def test_lost_and_refused_connections_are_outages(error: Exception) -> None:
    assert database_unreachable(_wrapped(error))


def test_an_operational_error_is_an_outage() -> None:
    assert database_unreachable(OperationalError("SELECT 1", {}, Exception("server closed the connection")))


@pytest.mark.parametrize(
    "error",
    [
        IntegrityError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate key")),
        _wrapped(asyncpg.exceptions.UndefinedColumnError('column "x" does not exist')),
        ValueError("a bug"),
    ],
)
def test_other_errors_are_bugs(error: Exception) -> None:
    assert not database_unreachable(error)
