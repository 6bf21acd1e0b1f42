"""Which database errors mean "no room, no turn, or no server, right now" rather than a bug, in words for people.

A full disk, a database held by another writer, or a database server that
is restarting is a condition of the server, not of the request: the request did nothing wrong and the same
request will work once space is freed, the lock is released or the server is back. The import
command and the 503 middleware both ask ``unavailable`` and say so, instead
of printing a traceback or serving a 500.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import psycopg


class Why(StrEnum):
    DISK_FULL = "disk_full"  # SQLite SQLITE_FULL; PostgreSQL SQLSTATE 53100
    RESOURCES = "resources"  # other PostgreSQL class 53 errors: out of memory, too many connections
    BUSY = "busy"  # SQLite waited its whole timeout for another writer's lock
    DOWN = "down"  # PostgreSQL refused the connection, is shutting down or starting up, or dropped the connection


@dataclass(frozen=True)
class Unavailable:
    why: Why
    detail: str  # the database's own words, for logs and operators

    @property
    def explanation(self) -> str:
        if self.why is Why.DISK_FULL:
            return f"the database has no room left ({self.detail})"
        if self.why is Why.RESOURCES:
            return f"the database server is out of resources ({self.detail})"
        if self.why is Why.DOWN:
            return f"the database server could not be reached ({self.detail})"
        return f"another writer held the database for the whole lock timeout ({self.detail})"

    @property
    def remedy(self) -> str:
        if self.why is Why.DISK_FULL:
            return "Free space on the disk that holds the database (or raise its quota), then run it again."
        if self.why is Why.RESOURCES:
            return "Check the database server's memory and connection limits, then run the same command again."
        if self.why is Why.DOWN:
            return "Check that the database server is running and reachable, then run the same command again."
        return "Run the same command again once the other writer (an import, a restore) has finished."


# SQLite's primary result codes (https://sqlite.org/rescode.html); an extended code keeps them in its low byte.
_SQLITE_BUSY = 5
_SQLITE_FULL = 13
# PostgreSQL going away: admin_shutdown (a fast or smart stop), crash_shutdown, cannot_connect_now (starting up
# or shutting down). Class 08 is "connection exception"; a psycopg error with no SQLSTATE at all is the client
# library's own: connection refused, or the connection lost or already closed.
_SERVER_GOING_AWAY = ("57P01", "57P02", "57P03")


def unavailable(exc: BaseException) -> Unavailable | None:
    """What ``exc`` (or the driver error Django wrapped in it) says about the database; None if nothing of this kind."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        found = _classify(error)
        if found is not None:
            return found
        error = error.__cause__ or error.__context__
    return None


def _classify(error: BaseException) -> Unavailable | None:
    detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    code = getattr(error, "sqlite_errorcode", None)  # sqlite3 errors raised by SQLite itself (Python 3.11+)
    if isinstance(code, int):
        if code & 0xFF == _SQLITE_FULL:
            return Unavailable(Why.DISK_FULL, detail)
        if code & 0xFF == _SQLITE_BUSY:
            return Unavailable(Why.BUSY, detail)
        return None
    sqlstate = getattr(error, "sqlstate", None)  # psycopg errors carry the server's SQLSTATE
    if isinstance(sqlstate, str) and sqlstate.startswith("53"):
        return Unavailable(Why.DISK_FULL if sqlstate == "53100" else Why.RESOURCES, detail)
    if isinstance(error, psycopg.OperationalError) and (
        sqlstate is None or sqlstate.startswith("08") or sqlstate in _SERVER_GOING_AWAY
    ):
        return Unavailable(Why.DOWN, detail)
    return None
