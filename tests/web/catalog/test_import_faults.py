"""Fault drills for `minipack import-catalog`: killed halfway, and out of disk space (RELIABILITY checks 24, 25).

Killed: the real command imports a 1,500-product file in a child process
against this test's database (SQLite file or PostgreSQL). The test reads the
command's own progress bars and sends SIGKILL once the spec checks, the last
stage, which runs after every product and claim has been written inside the
import's transaction, have done at least one batch and not the last. Then
nothing of that import may be visible, SQLite must pass its integrity check,
the import history must say `interrupted`, and running the same import again
must give exactly the state an uninterrupted import gives.

Out of space: SQLite is capped with ``PRAGMA max_page_count`` a little above
its size, so the import fails with SQLITE_FULL part-way through; PostgreSQL
gets a trigger that fails the findings' insert with SQLSTATE 53100
(``disk_full``), the error a full disk gives. The command must say which
file and why, exit 1, and leave nothing; with room again, the same command
imports everything.
"""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from minipack.catalog import dump_catalog_json, read_catalog_file
from minipack_web.catalog.models import Brand, Claim, Finding, ImportRun, Product, Source
from minipack_web.catalog.selectors import catalog_products
from minipack_web.catalog.services import CHOSEN_FIELDS, catalog_import
from minipack_web.cli import main

from ..database.helpers import command_env, database_url, minipack

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

PRODUCTS = 1500
CATALOG_TABLES = (Brand, Source, Product, Claim, Finding)
# tqdm's line for the spec checks: "checks:  30%|███       | 900/3000 [00:00<00:01, ...]".
CHECKS_BAR = re.compile(r"checks:\s+\d+%\|[^|\r\n]*\|\s*(\d+)/(\d+)")


def catalog_state() -> dict[str, Any]:
    """What an import leaves, without ids or timestamps: the export, each table's count, findings, chosen values."""
    return {
        "counts": {model.__name__: model.objects.count() for model in CATALOG_TABLES},
        "export": dump_catalog_json(catalog_products()),
        "findings": sorted(Finding.objects.values_list("product__slug", "field", "code", "severity", "message")),
        "chosen": sorted(Product.objects.values_list("slug", *CHOSEN_FIELDS)),
    }


def nothing_imported() -> dict[str, int]:
    return {model.__name__: 0 for model in CATALOG_TABLES}


def integrity() -> str:
    if connection.vendor != "sqlite":
        return "ok"  # PostgreSQL has no whole-file check to run; its crash safety is the WAL's
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        return "; ".join(row[0] for row in cursor.fetchall())


def wait_for_checks_midway(process: subprocess.Popen[bytes], timeout: float = 60) -> tuple[int, int]:
    """Read the child's progress bars until the spec checks are past their first batch and short of the last."""
    assert process.stderr is not None
    fd = process.stderr.fileno()
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if not ready:
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break  # the process ended first
        seen += chunk.decode(errors="replace")
        for match in CHECKS_BAR.finditer(seen):
            done, total = int(match.group(1)), int(match.group(2))
            if 0 < done < total:
                return done, total
    raise AssertionError(f"the import never showed its checks half done; it wrote:\n{seen[-2000:]}")


def test_an_import_killed_halfway_leaves_nothing_and_the_rerun_equals_an_uninterrupted_import(
    tmp_path: Path, catalog_file: Callable[..., Path]
) -> None:
    path = catalog_file(PRODUCTS)
    env = command_env(tmp_path, database_url())
    process = subprocess.Popen(
        [sys.executable, "-m", "minipack_web.cli", "import-catalog", str(path), "--progress"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        done, total = wait_for_checks_midway(process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert total == PRODUCTS and 0 < done < total  # killed with every product written, inside the transaction

    assert catalog_state()["counts"] == nothing_imported()
    assert integrity() == "ok"
    history = StringIO()
    call_command("import_history", stdout=history)  # what an operator runs after a crash: `minipack import-history`
    assert re.search(rf"interrupted\s+{re.escape(str(path))} \({PRODUCTS} records", history.getvalue()), (
        history.getvalue()
    )
    assert ImportRun.objects.get().status == ImportRun.Status.INTERRUPTED

    rerun = minipack("import-catalog", str(path), env=env)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{PRODUCTS} created, 0 updated, 0 unchanged" in rerun.stdout
    after_rerun = catalog_state()
    assert after_rerun["counts"]["Product"] == PRODUCTS

    # The same file imported once, without interruption, into an empty catalog.
    with connection.cursor() as cursor:
        # Plain SQL: the ORM would send a delete signal (and invalidate the page cache) once per claim.
        for model in (Finding, Claim, Product, Source, Brand):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
    catalog_import(records=read_catalog_file(path))
    assert after_rerun == catalog_state()
    assert list(ImportRun.objects.order_by("started_at").values_list("status", flat=True)) == [
        "interrupted",
        "succeeded",
        "succeeded",
    ]


@contextmanager
def disk_full(room_pages: int = 60) -> Iterator[None]:
    """The database has room for about ``room_pages`` more pages (SQLite), or fails findings as a full disk would."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Free pages left by earlier tests would take the import without growing the file: drop them first.
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA page_count")
            cursor.execute(f"PRAGMA max_page_count = {cursor.fetchone()[0] + room_pages}")
        else:
            cursor.execute(
                "CREATE FUNCTION minipack_test_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                "RAISE EXCEPTION 'could not extend file \"base/16384/16999\": No space left on device' "
                "USING ERRCODE = 'disk_full', HINT = 'Check free disk space.'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER minipack_test_disk_full BEFORE INSERT ON catalog_finding "
                "FOR EACH STATEMENT EXECUTE FUNCTION minipack_test_disk_full()"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA max_page_count = 4294967294")  # space freed: SQLite's own ceiling again
            else:
                cursor.execute("DROP TRIGGER minipack_test_disk_full ON catalog_finding")
                cursor.execute("DROP FUNCTION minipack_test_disk_full()")


def test_an_import_that_fills_the_disk_is_refused_whole_and_succeeds_once_there_is_room(
    tmp_path: Path, catalog_file: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    path = catalog_file(1000)

    with disk_full():
        code = main(["import-catalog", str(path)])  # in this process, on this connection and its page cap
    out, err = capsys.readouterr()

    assert code == 1
    assert f"minipack: {path}: not imported, nothing was written: the database has no room left (" in err
    expected = "database or disk is full" if connection.vendor == "sqlite" else "No space left on device"
    assert expected in err and "Free space on the disk that holds the database" in err
    assert "Traceback" not in err
    assert catalog_state()["counts"] == nothing_imported()
    assert integrity() == "ok"
    failed = ImportRun.objects.get()
    assert failed.status == ImportRun.Status.FAILED and expected in failed.message

    code = main(["import-catalog", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1000 created, 0 updated, 0 unchanged" in out
    assert catalog_state()["counts"]["Product"] == 1000
