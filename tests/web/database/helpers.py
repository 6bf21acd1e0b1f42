"""Running the real `minipack` command against a database in a child process, and scratch PostgreSQL databases.

The fault drills and the restore tests need a second process: one to kill,
or one that boots the site on a restored database. Each child gets the
test's database (or another one) through DATABASE_URL, as production would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection


def database_url(name: str | Path | None = None) -> str:
    """DATABASE_URL for this test's database, or for the database ``name`` on the same engine and server."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{name or db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name or db['NAME']}"


def command_env(tmp_path: Path, url: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MINIPACK_", "DATABASE_URL"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "minipack_web.settings.dev",
        "DATABASE_URL": url,
        "MINIPACK_VAR_DIR": str(tmp_path / "var"),
        "MINIPACK_CACHE_URL": "dummy://",
    }


def minipack(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "minipack_web.cli", *args], env=env, capture_output=True, text=True, timeout=timeout
    )


# Run in a child process on the restored database: Django's checks, the migration state, a few pages through
# the whole middleware stack, and every table's row count, by Django's own introspection.
_SITE_PROBE = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test import Client
from minipack.catalog import dump_catalog_json
from minipack_web.catalog.selectors import catalog_products

call_command("check", fail_level="ERROR", stdout=io.StringIO())
call_command("migrate", check=True, verbosity=0)  # exits 1 if the database lacks a migration
client = Client()
pages = {url: client.get(url) for url in sys.argv[1:]}
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
print(json.dumps({
    "status": {url: r.status_code for url, r in pages.items()},
    "html": {url: r.content.decode() for url, r in pages.items()},
    "counts": counts,
    "catalog": dump_catalog_json(catalog_products()),
}))
"""


def boot_site(url: str, tmp_path: Path, *pages: str) -> dict[str, Any]:
    """Start the site (test settings: locmem cache and mail) on the database at ``url`` and GET ``pages``."""
    env = {**command_env(tmp_path, url), "DJANGO_SETTINGS_MODULE": "minipack_web.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", _SITE_PROBE, *pages], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def table_counts() -> dict[str, int]:
    """Every table's rows in this test's database, by Django's introspection (not by the backup code)."""
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@contextmanager
def scratch_database(tmp_path: Path, name: str) -> Iterator[str]:
    """A new, empty database beside the test's own (a file on SQLite); its DATABASE_URL. Dropped afterwards."""
    if connection.vendor == "sqlite":
        yield database_url(tmp_path / f"{name}.sqlite3")
        return
    db_name = f"{name}_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{db_name}"')
    try:
        yield database_url(db_name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')


_TABLES_PROBE = """
import json, django
django.setup()
from django.db import connection
with connection.cursor() as cursor:
    tables = connection.introspection.table_names(cursor)
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    comments = []
    if "community_comment" in tables:
        cursor.execute("SELECT id FROM community_comment")
        comments = [row[0] for row in cursor.fetchall()]
print(json.dumps({"tables": tables, "counts": counts, "comments": comments}))
"""


def probe(url: str, tmp_path: Path) -> dict[str, Any]:
    """The tables of the database at ``url``, their row counts and the ids of its comments, read by a child process."""
    env = {**command_env(tmp_path, url), "DJANGO_SETTINGS_MODULE": "minipack_web.settings.test"}
    done = subprocess.run([sys.executable, "-c", _TABLES_PROBE], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, Any] = json.loads(done.stdout)
    return result
