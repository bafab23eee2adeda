"""Telling a database that cannot be reached (restarting, shutting down, failing over, the
network between) from a bug, for the 503 a request then gets (web/errors.py) and for taking a
replica out of the rotation (core/replicas.py)."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

# SQLSTATE classes: 08 connection exception; 57P operator intervention (admin or crash
# shutdown, "the database system is shutting down" / "starting up").
_UNAVAILABLE_STATES = ("08", "57P")


def _sqlstate(error: BaseException) -> str | None:
    state = getattr(error, "sqlstate", None) or getattr(getattr(error, "orig", None), "sqlstate", None)
    return state if isinstance(state, str) else None


def database_unreachable(exc: BaseException) -> bool:
    """A lost or refused database connection, as opposed to a bug."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    chain: list[BaseException] = []
    error: BaseException | None = exc
    while error is not None and error not in chain and len(chain) < 8:
        chain.append(error)
        error = error.__cause__ or error.__context__
    if isinstance(exc, OperationalError | InterfaceError) or any(
        isinstance(link, ConnectionError | TimeoutError) for link in chain
    ):
        return True
    return any((state := _sqlstate(link)) is not None and state.startswith(_UNAVAILABLE_STATES) for link in chain)
