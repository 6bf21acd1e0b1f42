"""`minipack backup` and `minipack restore` on the engine this pass runs on (RELIABILITY check 43).

The whole round trip an operator relies on: back up a site with a catalog,
comments and subscribers; restore into an empty database; start the site on
it; every table has the rows it had, the catalog exports the same, the pages
show the comments. Then what a restore must refuse, before it writes
anything: a damaged copy, a backup of the other engine, a database that is
not empty. And a backup taken while comments are being written holds every
comment acknowledged before it began, and restores with matching counts.
"""

from __future__ import annotations

import json
import re
import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from minipack.catalog import dump_catalog_json
from minipack.moderation import Status
from minipack_web.catalog.models import Product
from minipack_web.catalog.selectors import catalog_products
from minipack_web.catalog.services import catalog_load_bundled
from minipack_web.community.models import Comment
from minipack_web.database.manifest import read_manifest

from ..newsletter.helpers import subscribe
from .helpers import boot_site, command_env, minipack, probe, scratch_database, table_counts

pytestmark = pytest.mark.django_db(transaction=True)

BAG = "fjallraven-kanken-mini"
ENGINE = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def add_comment(product: Product, n: int) -> Comment:
    return Comment.objects.create(
        product=product,
        name=f"Reader {n}",
        email=f"reader{n}@example.com",
        body=f"Comment number {n}: the straps hold up.",
        status=Status.APPROVED.value,
        created_at=timezone.now(),
        ip_hash=f"{n:064d}",
        fingerprint=f"{n:064x}",
    )


@pytest.fixture
def site() -> None:
    """The bundled catalog, five shown comments on one bag, and subscribers in each state."""
    catalog_load_bundled()
    bag = Product.objects.get(slug=BAG)
    for n in range(5):
        add_comment(bag, n)
    for state in ("pending", "confirmed", "unsubscribed"):
        subscribe(f"{state}@example.com", state=state)


def backup(tmp_path: Path) -> Path:
    out = StringIO()
    call_command("backup_db", "--output", str(tmp_path / "site.backup"), stdout=out, stderr=StringIO())
    assert "Keep both files together" in out.getvalue()
    return tmp_path / "site.backup"


def test_a_backup_restored_into_an_empty_database_runs_the_site_with_every_row(tmp_path: Path, site: None) -> None:
    before = table_counts()
    catalog = dump_catalog_json(catalog_products())
    copy = backup(tmp_path)
    manifest = read_manifest(copy)
    assert manifest.engine == connection.vendor
    assert manifest.tables == before  # the manifest counted what Django sees, table by table
    assert manifest.tables["community_comment"] == 5 and manifest.tables["catalog_product"] > 20

    with scratch_database(tmp_path, "restored") as url:
        started = time.monotonic()
        done = minipack("restore", str(copy), env=command_env(tmp_path, url))
        assert done.returncode == 0, done.stderr
        assert "each as in the backup" in done.stdout
        restore_s = time.monotonic() - started

        booted = boot_site(url, tmp_path, "/", f"/bags/{BAG}/")

    assert booted["status"] == {"/": 200, f"/bags/{BAG}/": 200}
    assert "Comment number 3: the straps hold up." in booted["html"][f"/bags/{BAG}/"]
    assert booted["counts"] == before
    assert booted["catalog"] == catalog  # the same content, not only the same number of rows
    assert restore_s < 30, f"restore took {restore_s:.1f} s (RTO)"


def test_restore_refuses_a_database_that_has_data_and_force_replaces_it(tmp_path: Path, site: None) -> None:
    before = table_counts()
    copy = backup(tmp_path)
    add_comment(Product.objects.get(slug=BAG), 99)  # written after the backup

    with pytest.raises(CommandError) as refused:
        call_command("restore_db", str(copy), stdout=StringIO(), stderr=StringIO())
    assert str(connection.settings_dict["NAME"]) in str(refused.value)
    assert "is not empty" in str(refused.value) and "--force" in str(refused.value)
    assert Comment.objects.count() == 6  # nothing was touched

    out = StringIO()
    call_command("restore_db", str(copy), "--force", stdout=out, stderr=StringIO())
    assert table_counts() == before  # back to the backup: the later comment is gone
    # ...and the comment written after the backup is in the copy taken of the database the restore replaced.
    found = re.search(r"was backed up first to (\S+)\.\n", out.getvalue())
    assert found, out.getvalue()
    assert read_manifest(Path(found.group(1))).tables["community_comment"] == 6


def test_restore_refuses_a_damaged_copy_before_writing_anything(tmp_path: Path, site: None) -> None:
    copy = backup(tmp_path)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))

    with scratch_database(tmp_path, "target") as url:
        done = minipack("restore", str(copy), env=command_env(tmp_path, url))
        assert done.returncode == 1
        assert "is damaged or is not the file its manifest describes" in done.stderr
        assert "nothing was restored" in done.stderr
        assert probe(url, tmp_path)["tables"] == []


def test_restore_refuses_a_backup_of_the_other_engine_and_says_how_to_move_data(tmp_path: Path, site: None) -> None:
    copy = backup(tmp_path)
    manifest_file = copy.with_name(copy.name + ".manifest.json")
    data = json.loads(manifest_file.read_text())
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest_file.write_text(json.dumps({**data, "engine": other}))

    with pytest.raises(CommandError) as refused:
        call_command("restore_db", str(copy), "--force", stdout=StringIO(), stderr=StringIO())

    message = str(refused.value)
    assert f"is a {ENGINE[other]} backup and this site's database is {ENGINE[connection.vendor]}" in message
    assert "minipack export-catalog" in message and "minipack import-catalog" in message


def test_restore_refuses_a_copy_without_its_manifest(tmp_path: Path, site: None) -> None:
    copy = backup(tmp_path)
    copy.with_name(copy.name + ".manifest.json").unlink()

    with pytest.raises(CommandError, match="no manifest beside"):
        call_command("restore_db", str(copy), "--force", stdout=StringIO(), stderr=StringIO())


def test_backup_without_pg_dump_says_what_to_install(tmp_path: Path, site: None) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is PostgreSQL's")
    (tmp_path / "empty-bin").mkdir()
    with override_settings(MINIPACK_PG_BIN=str(tmp_path / "empty-bin")), pytest.raises(CommandError) as refused:
        backup(tmp_path)
    assert "pg_dump of PostgreSQL" in str(refused.value) and "MINIPACK_PG_BIN" in str(refused.value)
    assert not list(tmp_path.glob("site.backup*")) and not list(tmp_path.glob(".site.backup*"))


def test_a_backup_taken_while_comments_are_written_holds_each_acknowledged_one(tmp_path: Path, site: None) -> None:
    bag = Product.objects.get(slug=BAG)
    earlier = set(Comment.objects.values_list("pk", flat=True))
    acknowledged: list[int] = []
    stop = threading.Event()

    def write() -> None:
        # A busy site's pace, not a flat-out loop: SQLite then leaves recent commits in the -wal file (it copies
        # them into the database file every 1000 pages), which is what a plain file copy would miss.
        try:
            n = 1000
            while not stop.is_set():
                acknowledged.append(add_comment(bag, n).pk)  # committed when create() returns
                n += 1
                time.sleep(0.002)
        finally:
            connection.close()  # this thread's own connection

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 20:
            time.sleep(0.01)
        others = {table: n for table, n in table_counts().items() if table != "community_comment"}
        before_backup = list(acknowledged)
        copy = backup(tmp_path)
        during = len(acknowledged) - len(before_backup)
    finally:
        stop.set()
        writer.join()

    assert during > 0, "no comment was written while the backup ran: this test would not see an inconsistent copy"
    manifest = read_manifest(copy)
    with scratch_database(tmp_path, "restored") as url:
        done = minipack("restore", str(copy), env=command_env(tmp_path, url))
        assert done.returncode == 0, done.stderr  # every table's rows match the manifest, so counts and copy agree
        restored = probe(url, tmp_path)
    stored = set(restored["comments"])
    assert set(before_backup) <= stored  # nothing acknowledged before the backup began is missing
    assert stored <= earlier | set(acknowledged)
    assert len(stored) == manifest.tables["community_comment"]
    assert {t: n for t, n in restored["counts"].items() if t != "community_comment"} == others


def test_restoring_a_backup_older_than_the_code_says_to_migrate(tmp_path: Path, site: None) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app, name, applied FROM django_migrations WHERE app = 'catalog' ORDER BY name DESC")
        latest = cursor.fetchone()
        cursor.execute("DELETE FROM django_migrations WHERE id = %s", [latest[0]])  # as before that migration
    try:
        copy = backup(tmp_path)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO django_migrations (id, app, name, applied) VALUES (%s, %s, %s, %s)", latest)

    with scratch_database(tmp_path, "restored") as url:
        done = minipack("restore", str(copy), env=command_env(tmp_path, url))

    assert done.returncode == 0, done.stderr
    assert "The backup predates 1 migration(s) of this code" in done.stdout
    assert "python manage.py migrate" in done.stdout and "invalidate_pages" in done.stdout
