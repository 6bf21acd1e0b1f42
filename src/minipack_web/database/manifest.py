"""What a backup holds, written beside it as JSON, and the checks a restore makes with it.

A backup is two files: the copy (``minipack-….sqlite3`` or ``….pgdump``) and
``<copy>.manifest.json``. The manifest is written last, so a backup without
one is unfinished. It records the engine (a SQLite copy cannot go into
PostgreSQL), a SHA-256 of the copy (a truncated or altered copy is refused
before anything is overwritten), the applied Django migrations and the row
count of every table as they were in the copy, which the restore compares
with what it finds in the database afterwards.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from tqdm import tqdm

T = TypeVar("T")

FORMAT = "minipack-backup/1"
SUFFIX = ".manifest.json"
ENGINES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class BackupError(Exception):
    """A backup or a restore that was refused or failed; the message says what happened and what to do."""


@dataclass(frozen=True)
class Manifest:
    engine: str  # "sqlite" or "postgresql" (Django's connection.vendor)
    file: str  # the copy's file name, in the manifest's own folder
    size: int
    sha256: str
    created_at: str  # ISO 8601, UTC
    database: str  # what was copied: a file path, or name@host:port (never a password)
    tool: str  # what made the copy: "SQLite 3.40.1 backup API", "pg_dump (PostgreSQL) 15.14"
    migrations: dict[str, list[str]]  # app label -> applied migrations, sorted
    tables: dict[str, int]  # every table -> its rows in the copy
    format: str = FORMAT
    minipack: str = field(default_factory=lambda: _version())

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    def as_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Copied:
    """What a backup tool made: the copy's rows per table and applied migrations, and the tool's name."""

    tables: dict[str, int]
    migrations: dict[str, list[str]]
    tool: str


def _version() -> str:
    try:
        return importlib.metadata.version("minipack")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def manifest_path(copy: Path) -> Path:
    return copy.with_name(copy.name + SUFFIX)


def copy_path(given: Path) -> Path:
    """The copy named by ``given``, which may name the copy or its manifest."""
    return given.with_name(given.name.removesuffix(SUFFIX)) if given.name.endswith(SUFFIX) else given


def read_manifest(copy: Path) -> Manifest:
    path = manifest_path(copy)
    if not copy.exists():
        raise BackupError(f"no backup at {copy}")
    if not path.exists():
        raise BackupError(
            f"no manifest beside {copy} (looked for {path.name}): a backup is the pair of files `minipack backup` "
            "writes, copy and manifest; a copy without its manifest may be unfinished, so it is not restored"
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format') if isinstance(data, dict) else None!r}, not {FORMAT!r}")
        manifest = Manifest(**data)
        if manifest.engine not in ENGINES:
            raise ValueError(f"unknown engine {manifest.engine!r}")
    except (OSError, ValueError, TypeError) as exc:
        raise BackupError(f"{path} is not a readable Minipack backup manifest ({exc})") from None
    if manifest.file != copy.name:
        raise BackupError(
            f"{path} describes {manifest.file}, not {copy.name}: rename the copy and its manifest together, as a pair"
        )
    return manifest


def write_atomically(path: Path, write: Callable[[Path], T]) -> T:
    """Call ``write`` on a hidden file beside ``path``, make it durable, then rename it to ``path``.

    A reader (or a restore) never sees half a file; a failure leaves nothing under ``path``.
    """
    partial = path.with_name(f".{path.name}.partial")
    try:
        result = write(partial)
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)
    return result


def sha256(path: Path, *, progress: bool) -> str:
    digest = hashlib.sha256()
    size = path.stat().st_size
    with (
        open(path, "rb") as f,
        tqdm(total=size, desc="checksum", unit="B", unit_scale=True, disable=not progress, file=sys.stderr) as bar,
    ):
        while block := f.read(1 << 20):
            digest.update(block)
            bar.update(len(block))
    return digest.hexdigest()


def verify_checksum(copy: Path, manifest: Manifest, *, progress: bool) -> None:
    size = copy.stat().st_size
    found = sha256(copy, progress=progress) if size == manifest.size else None
    if found != manifest.sha256:
        what = f"SHA-256 {found}" if found else f"{size} bytes"
        expected = f"SHA-256 {manifest.sha256}" if found else f"{manifest.size} bytes"
        raise BackupError(
            f"{copy} is damaged or is not the file its manifest describes: {what}, the manifest says {expected}; "
            "nothing was restored. Use another backup (or a good copy of this one)."
        )


class Cursor(Protocol):
    def execute(self, sql: Any, params: Any = ..., /) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchone(self) -> Any: ...


def table_counts(cursor: Cursor, tables: Iterable[tuple[str, Any]], *, progress: bool) -> dict[str, int]:
    """Rows per table; ``tables`` pairs each table's name (as reported) with the query that counts its rows."""
    pairs = list(tables)
    counts = {}
    for name, query in tqdm(pairs, desc="count rows", unit="table", disable=not progress, file=sys.stderr):
        cursor.execute(query)
        counts[name] = int(cursor.fetchone()[0])
    return counts


def applied_migrations(cursor: Cursor, tables: Iterable[str]) -> dict[str, list[str]]:
    if "django_migrations" not in set(tables):
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    applied: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        applied.setdefault(app, []).append(name)
    return applied


def differences(manifest: Manifest, tables: dict[str, int], migrations: dict[str, list[str]]) -> list[str]:
    """What the restored database has that the backup did not, one line each; empty when they agree."""
    problems = [
        f"table {name}: {manifest.tables.get(name, 'absent')} row(s) in the backup, {tables.get(name, 'absent')} now"
        for name in sorted(set(manifest.tables) | set(tables))
        if manifest.tables.get(name) != tables.get(name)
    ]
    if migrations != manifest.migrations:
        problems.append("the applied migrations differ from the backup's (django_migrations)")
    return problems
