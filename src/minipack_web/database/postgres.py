"""PostgreSQL backups with ``pg_dump -Fc`` and restores with ``pg_restore``, from the site's own connection settings.

The row counts in the manifest and the dump see the same snapshot: a
REPEATABLE READ transaction exports its snapshot (``pg_export_snapshot``),
counts every table in it, and ``pg_dump --snapshot`` dumps from it. Counted
in a transaction of its own, a table the site writes to while pg_dump runs
would have one count in the manifest and another in the dump, and every
restore would then fail its check.

The connection settings reach the tools through libpq's environment
(``PGHOST``, ``PGPASSWORD``…), never the command line, where ``ps`` shows
them to every user of the machine. ``pg_restore`` runs in one transaction
(``--single-transaction``): a restore that fails half-way leaves the target
database as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg import sql
from psycopg.conninfo import make_conninfo
from tqdm import tqdm

from minipack_web.database.manifest import BackupError, Copied, applied_migrations, table_counts

MAGIC = b"PGDMP"
DEBIAN_DIR = Path("/usr/lib/postgresql")  # Debian and Ubuntu keep each major version's tools apart here
# libpq reads these from the environment; Django's OPTIONS may set them too.
_OPTION_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
}


def label(wrapper: BaseDatabaseWrapper) -> str:
    db = wrapper.settings_dict
    return f"database {db['NAME']!r} on {db['HOST'] or 'the local socket'}:{db['PORT'] or 5432}"


def major_version(text: str) -> int:
    """15 from 'pg_dump (PostgreSQL) 15.14 (Debian 15.14-1)'; 0 when there is no version in it."""
    found = re.search(r"\)\s*(\d+)", text) or re.search(r"(\d+)", text)
    return int(found.group(1)) if found else 0


def find_tool(name: str, *, at_least: int, prefer: int) -> tuple[Path, str]:
    """The client program ``name`` to run and its version: at least ``at_least``, the server's own major preferred.

    pg_dump refuses a server newer than itself, and pg_restore cannot read an
    archive from a newer pg_dump; a newer tool than the server can write SQL
    the server does not know, hence the preference.
    """
    if settings.MINIPACK_PG_BIN:
        candidates = [Path(settings.MINIPACK_PG_BIN) / name]
    else:
        candidates = [DEBIAN_DIR / str(prefer) / "bin" / name]
        on_path = shutil.which(name)
        if on_path:
            candidates.append(Path(on_path))
        candidates += sorted(DEBIAN_DIR.glob(f"*/bin/{name}"), key=lambda p: -major_version(p.parts[-3]))
    too_old = []
    for path in candidates:
        if not (path.is_file() and os.access(path, os.X_OK)):
            continue
        done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
        version = done.stdout.strip()
        if major_version(version) >= at_least:
            return path, version
        too_old.append(f"{path} is {version or 'of unknown version'}")
    where = f" ({'; '.join(too_old)})" if too_old else ""
    raise BackupError(
        f"{name} of PostgreSQL {at_least} or later is needed and was not found{where}: install the client tools "
        f"(Debian/Ubuntu: apt-get install postgresql-client-{max(at_least, prefer)}) or set MINIPACK_PG_BIN "
        f"to the folder that holds {name}"
    )


def tool_env(wrapper: BaseDatabaseWrapper) -> tuple[dict[str, str], str]:
    """The environment and the ``--dbname`` (a conninfo string, so any database name is quoted) for a client tool."""
    db = wrapper.settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", db["HOST"]), ("PGPORT", db["PORT"]), ("PGUSER", db["USER"])):
        if value:
            env[key] = str(value)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = str(db["PASSWORD"])
    for option, variable in _OPTION_ENV.items():
        if db["OPTIONS"].get(option) is not None:
            env[variable] = str(db["OPTIONS"][option])
    return env, make_conninfo(dbname=db["NAME"])


def _tables(cursor: Any) -> list[tuple[str, Any]]:
    cursor.execute(
        "SELECT schemaname, tablename FROM pg_tables "
        "WHERE schemaname <> 'information_schema' AND schemaname NOT LIKE 'pg\\_%' ORDER BY 1, 2"
    )
    return [
        (table if schema == "public" else f"{schema}.{table}", sql.Identifier(schema, table))
        for schema, table in cursor.fetchall()
    ]


def existing_tables(wrapper: BaseDatabaseWrapper) -> list[str]:
    with wrapper.cursor() as cursor:
        return [name for name, _ in _tables(cursor)]


def describe(wrapper: BaseDatabaseWrapper, *, progress: bool) -> tuple[dict[str, int], dict[str, list[str]]]:
    with wrapper.cursor() as cursor:
        return _describe(cursor, progress=progress)


def _describe(cursor: Any, *, progress: bool) -> tuple[dict[str, int], dict[str, list[str]]]:
    names = _tables(cursor)
    queries = [(name, sql.SQL("SELECT COUNT(*) FROM {}").format(quoted)) for name, quoted in names]
    return table_counts(cursor, queries, progress=progress), applied_migrations(cursor, [n for n, _ in names])


def backup(wrapper: BaseDatabaseWrapper, partial: Path, *, progress: bool) -> Copied:
    """Dump the database into ``partial``; what the dump holds, and the pg_dump version."""
    try:
        connection = psycopg.connect(**wrapper.get_connection_params())
    except psycopg.Error as exc:
        raise BackupError(f"cannot connect to {label(wrapper)}: {exc}") from exc
    try:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        server = connection.info.server_version // 10000
        tool, version = find_tool("pg_dump", at_least=server, prefer=server)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables, migrations = _describe(cursor, progress=progress)
        env, dbname = tool_env(wrapper)
        # The snapshot lives as long as this transaction, so pg_dump runs while it stays open.
        run(
            [
                tool,
                "--format=custom",
                f"--snapshot={snapshot}",
                "--verbose",
                "--no-password",
                f"--file={partial}",
                f"--dbname={dbname}",
            ],
            env,
            step="dumping contents of table",
            total=len(tables),
            desc="pg_dump",
            progress=progress,
        )
        connection.rollback()
    finally:
        connection.close()
    return Copied(tables, migrations, version)


def restore(
    wrapper: BaseDatabaseWrapper, copy: Path, *, dump_version: str, clean: bool, tables: int, progress: bool
) -> None:
    with open(copy, "rb") as f:
        if f.read(len(MAGIC)) != MAGIC:
            raise BackupError(f"{copy} is not a pg_dump custom-format archive")
    with wrapper.cursor():
        server = wrapper.pg_version // 10000
    tool, _ = find_tool("pg_restore", at_least=major_version(dump_version), prefer=server)
    env, dbname = tool_env(wrapper)
    # --no-owner, --no-acl: the objects belong to the user restoring, whoever owned them where the dump was made.
    args = [tool, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl", "--verbose", "--no-password"]
    if clean:
        args += ["--clean", "--if-exists"]  # in the same transaction: dropped and recreated, or left as they were
    run(
        [*args, f"--dbname={dbname}", str(copy)],
        env,
        step="processing data for table",
        total=tables,
        desc="pg_restore",
        progress=progress,
    )


def run(args: Sequence[Any], env: dict[str, str], *, step: str, total: int, desc: str, progress: bool) -> None:
    """Run a client tool in --verbose mode; a bar moves one table per ``step`` line. Its errors, if it fails."""
    process = subprocess.Popen(
        [str(a) for a in args],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    assert process.stderr is not None
    lines = []
    with tqdm(total=total, desc=desc, unit="table", disable=not progress, file=sys.stderr) as bar:
        for line in process.stderr:
            lines.append(line.rstrip())
            if step in line:
                bar.update(1)
    if process.wait() != 0:
        errors = [line for line in lines if "error" in line.lower()] or lines[-5:]
        raise BackupError(f"{desc} failed (exit code {process.returncode}): " + " / ".join(errors[-5:]))
