"""SQLite backups and restores through SQLite's online backup API (Python's ``sqlite3.Connection.backup``).

Copying the file with ``cp`` while the site writes can catch a page half
old and half new, and misses whatever still sits in the ``-wal`` file. The
backup API reads the database as one transaction sees it, so the copy is
the database at one instant even while comments are being posted (WAL lets
the writers carry on meanwhile).

The copy is made in one step (``pages=-1``). In several steps, every write
the site made between two steps would restart the copy from the first page,
and under steady traffic a large database might never finish.

A restore writes the backup into the live file with the same API, in one
write transaction: the site's other connections see the old database or
the restored one, never a mixture, and no file is swapped under a process
that holds it open (its ``-wal`` file would then be replayed into the wrong
database).
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from tqdm import tqdm

from minipack_web.database.manifest import BackupError, Copied, applied_migrations, table_counts

MAGIC = b"SQLite format 3\x00"
TOOL = f"SQLite {sqlite3.sqlite_version} backup API"
# Seconds a connection waits for another writer's lock, as the site's own connections do (settings SQLITE_OPTIONS).
LOCK_TIMEOUT_S = 20


def tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name"
    ).fetchall()
    return [name for (name,) in rows]


def describe(connection: sqlite3.Connection, *, progress: bool) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Rows per table and the applied migrations, as this connection sees them."""
    names = tables(connection)
    cursor = connection.cursor()
    quoted = {n: '"' + n.replace('"', '""') + '"' for n in names}
    counts = table_counts(cursor, ((n, f"SELECT COUNT(*) FROM {quoted[n]}") for n in names), progress=progress)
    return counts, applied_migrations(cursor, names)


def check_integrity(connection: sqlite3.Connection, *, what: str) -> None:
    problems = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    if problems != ["ok"]:
        shown = "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
        raise BackupError(f"{what} fails SQLite's integrity check: {shown}")


def backup(source_path: Path, partial: Path, *, progress: bool) -> Copied:
    """Copy the live database at ``source_path`` into ``partial``; check the copy and describe it."""
    if not source_path.exists():
        raise BackupError(f"no SQLite database at {source_path}: nothing to back up")
    source = sqlite3.connect(source_path, timeout=LOCK_TIMEOUT_S)
    try:
        copy = sqlite3.connect(partial)
        try:
            with tqdm(total=1, desc="copy", unit="database", disable=not progress, file=sys.stderr) as bar:
                source.backup(copy)  # pages=-1: one step, one snapshot (see the module docstring)
                bar.update(1)
            # One self-contained file: a copy left in WAL mode would grow -wal and -shm files when opened.
            copy.execute("PRAGMA journal_mode=DELETE")
            check_integrity(copy, what=f"the copy of {source_path}")
            return Copied(*describe(copy, progress=progress), tool=TOOL)
        finally:
            copy.close()
    except sqlite3.Error as exc:
        raise BackupError(f"could not back up {source_path}: {exc}") from exc
    finally:
        source.close()


def open_copy(copy: Path) -> sqlite3.Connection:
    """The backup, read-only; ``immutable`` so that reading it creates no -wal or -shm file beside it."""
    with open(copy, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{copy} is not a SQLite database file")
    return sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro&immutable=1", uri=True)


def existing_tables(target: Path) -> list[str]:
    """The tables already in the database at ``target`` (none when there is no file)."""
    if not target.exists() or target.stat().st_size == 0:
        return []
    connection = sqlite3.connect(target, timeout=LOCK_TIMEOUT_S)
    try:
        return tables(connection)
    finally:
        connection.close()


def restore(copy: Path, target: Path, *, progress: bool) -> tuple[dict[str, int], dict[str, list[str]]]:
    """Write the backup at ``copy`` over the database at ``target`` in one transaction; describe the result."""
    source = open_copy(copy)
    try:
        check_integrity(source, what=str(copy))
        destination = sqlite3.connect(target, timeout=LOCK_TIMEOUT_S)
        try:
            with tqdm(total=1, desc="restore", unit="database", disable=not progress, file=sys.stderr) as bar:
                source.backup(destination)  # waits for the site's writers, then replaces every page at once
                bar.update(1)
            check_integrity(destination, what=f"the restored database {target}")
            return describe(destination, progress=progress)
        finally:
            destination.close()
    except sqlite3.Error as exc:
        raise BackupError(f"could not restore {copy} into {target}: {exc}") from exc
    finally:
        source.close()
