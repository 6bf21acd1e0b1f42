"""Back up the site's database and restore it: ``database_backup`` and ``database_restore``.

A backup is consistent while the site keeps serving and writing, is checked
(SQLite's integrity check; pg_dump's own exit status) and described in a
manifest before it counts as made, and never overwrites a file. A restore
refuses, before it writes anything, a backup of the other engine, a copy
whose checksum does not match its manifest and a database that is not
empty (unless forced, and then it first backs that database up); afterwards
it compares every table's row count and the migrations with the manifest
and fails loudly on any difference. docs/decisions/0013-backups-and-drills.md
says why.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor

from minipack_web.caching import invalidate_pages
from minipack_web.database import postgres, sqlite
from minipack_web.database.manifest import (
    ENGINES,
    BackupError,
    Copied,
    Manifest,
    copy_path,
    differences,
    manifest_path,
    read_manifest,
    sha256,
    verify_checksum,
    write_atomically,
)

EXTENSIONS = {"sqlite": "sqlite3", "postgresql": "pgdump"}


@dataclass(frozen=True)
class BackupResult:
    copy: Path
    manifest: Manifest
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    copy: Path
    manifest: Manifest
    database: str
    seconds: float
    # The backup taken of a non-empty database before --force replaced it.
    replaced: BackupResult | None
    # Migrations this code has that the restored database lacks: `manage.py migrate` applies them. When there
    # are any, the page cache was not invalidated (`manage.py invalidate_pages` does it, after the migration).
    unapplied_migrations: int


def database_backup(
    *, alias: str = "default", output: Path | None = None, progress: bool = False, prefix: str = "minipack"
) -> BackupResult:
    """Copy the database, and write its manifest, into ``output`` (a file or a folder; default VAR_DIR/backups)."""
    wrapper = connections[alias]
    engine = _engine(wrapper)
    copy = _output_path(output, engine=engine, prefix=prefix)
    for path in (copy, manifest_path(copy)):
        if path.exists():
            raise BackupError(f"{path} already exists: a backup never overwrites a file; name another --output")
    copy.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    created_at = datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")

    def make_copy(partial: Path) -> Copied:
        if engine == "sqlite":
            return sqlite.backup(_sqlite_path(wrapper), partial, progress=progress)
        return postgres.backup(wrapper, partial, progress=progress)

    copied = write_atomically(copy, make_copy)
    manifest = Manifest(
        engine=engine,
        file=copy.name,
        size=copy.stat().st_size,
        sha256=sha256(copy, progress=progress),
        created_at=created_at,
        database=_label(wrapper),
        tool=copied.tool,
        migrations=copied.migrations,
        tables=copied.tables,
    )
    # Last: a copy without its manifest is an unfinished backup, and restore refuses it.
    write_atomically(manifest_path(copy), lambda path: path.write_text(manifest.as_json(), encoding="utf-8"))
    return BackupResult(copy=copy, manifest=manifest, seconds=time.monotonic() - started)


def database_restore(
    *, path: Path, alias: str = "default", force: bool = False, progress: bool = False
) -> RestoreResult:
    """Restore the backup at ``path`` (the copy or its manifest) into the database; check it against the manifest."""
    wrapper = connections[alias]
    engine = _engine(wrapper)
    copy = copy_path(path)
    manifest = read_manifest(copy)
    if manifest.engine != engine:
        raise BackupError(
            f"{copy.name} is a {ENGINES[manifest.engine]} backup and this site's database is {ENGINES[engine]}: "
            "a backup restores into the engine it was taken from. To move the catalog to another engine, run "
            "`minipack export-catalog --format json --output catalog.json` against the old database and "
            "`minipack import-catalog catalog.json` against the new one (comments and subscribers are not "
            "part of the catalog)."
        )
    verify_checksum(copy, manifest, progress=progress)
    target = _label(wrapper)
    if engine == "sqlite":
        existing = sqlite.existing_tables(_sqlite_path(wrapper))
    else:
        existing = postgres.existing_tables(wrapper)
    replaced = None
    if existing:
        if not force:
            raise BackupError(
                f"{target} is not empty (it has {len(existing)} table(s): {', '.join(existing[:3])}"
                f"{', …' if len(existing) > 3 else ''}), and a restore replaces everything in it, so nothing was "
                "restored. Restore into a new, empty database, or give --force to replace this one (a backup of "
                "it is taken first). Stop the site first if writes made since the backup should not be lost silently."
            )
        leftover = sorted(set(existing) - set(manifest.tables))
        if engine == "postgresql" and leftover:
            # pg_restore --clean drops only what the dump holds; these would survive and clash with the migrations.
            raise BackupError(
                f"{target} has table(s) the backup does not: {', '.join(leftover)}; restoring would leave them "
                "behind, out of step with the restored migrations. Restore into a new, empty database instead "
                "(createdb, then point DATABASE_URL at it)."
            )
        replaced = database_backup(alias=alias, progress=progress, prefix="pre-restore")
    started = time.monotonic()
    if engine == "sqlite":
        tables, migrations = sqlite.restore(copy, _sqlite_path(wrapper), progress=progress)
    else:
        postgres.restore(
            wrapper,
            copy,
            dump_version=manifest.tool,
            clean=bool(existing),
            tables=len(manifest.tables),
            progress=progress,
        )
        tables, migrations = postgres.describe(wrapper, progress=progress)
    seconds = time.monotonic() - started
    problems = differences(manifest, tables, migrations)
    if problems:
        raise BackupError(
            f"restored {copy.name} into {target}, but the result does not match the backup's manifest; do not "
            "serve from this database. " + "; ".join(problems)
        )
    unapplied = _unapplied_migrations(wrapper)
    if not unapplied:
        # Pages cached from the data before the restore must go: the cache lives outside the database. (With
        # migrations to apply, the page cache's own table may not be there yet: the command says what to run.)
        invalidate_pages(using=alias)
    return RestoreResult(
        copy=copy,
        manifest=manifest,
        database=target,
        seconds=seconds,
        replaced=replaced,
        unapplied_migrations=unapplied,
    )


def _engine(wrapper: BaseDatabaseWrapper) -> str:
    if wrapper.vendor not in ENGINES:
        raise BackupError(f"backups cover SQLite and PostgreSQL; this database is {wrapper.vendor}")
    return wrapper.vendor


def _sqlite_path(wrapper: BaseDatabaseWrapper) -> Path:
    name = str(wrapper.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise BackupError("the database is in memory: there is no file to back up or restore into")
    return Path(name)


def _label(wrapper: BaseDatabaseWrapper) -> str:
    return f"the SQLite database {_sqlite_path(wrapper)}" if wrapper.vendor == "sqlite" else postgres.label(wrapper)


def _output_path(output: Path | None, *, engine: str, prefix: str) -> Path:
    if output is not None and not output.is_dir():
        return output
    folder = output if output is not None else Path(settings.VAR_DIR) / "backups"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = folder / f"{prefix}-{stamp}.{EXTENSIONS[engine]}"
    n = 1
    while path.exists() or manifest_path(path).exists():  # two backups within one second
        n += 1
        path = folder / f"{prefix}-{stamp}-{n}.{EXTENSIONS[engine]}"
    return path


def _unapplied_migrations(wrapper: BaseDatabaseWrapper) -> int:
    executor = MigrationExecutor(wrapper)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
