"""The import record: every real import leaves one, a dry run none; a run whose process died is marked interrupted."""

from __future__ import annotations

import os
import socket
import subprocess
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from minipack_web.catalog.models import ImportRun
from minipack_web.catalog.services import catalog_import, import_runs_reconcile

from ..factories import as_records, make_product

pytestmark = pytest.mark.django_db


def running(pid: int, host: str | None = None) -> ImportRun:
    return ImportRun.objects.create(
        source="old.csv", records=3, host=host or socket.gethostname(), pid=pid, started_at=timezone.now()
    )


def reaped_pid() -> int:
    """The pid of a process that has ended and been reaped: it names no process now."""
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_import_is_recorded_with_its_outcome_and_a_dry_run_is_not() -> None:
    catalog_import(records=as_records(make_product()), dry_run=True)
    assert not ImportRun.objects.exists()

    catalog_import(records=as_records(make_product()), source="bags.csv", digest="ab" * 32)

    run = ImportRun.objects.get()
    assert (run.status, run.source, run.records, run.created, run.updated, run.unchanged) == (
        "succeeded",
        "bags.csv",
        1,
        1,
        0,
        0,
    )
    assert run.pid == os.getpid() and run.finished_at is not None
    history = StringIO()
    call_command("import_history", stdout=history)
    assert "succeeded" in history.getvalue() and "bags.csv (1 records" in history.getvalue()
    assert "1 created, 0 updated, 0 unchanged" in history.getvalue()


def test_a_run_whose_process_ended_is_marked_interrupted_and_the_next_import_says_so() -> None:
    gone = running(reaped_pid())
    alive_here = running(os.getpid())  # this very process: still going
    elsewhere = running(reaped_pid(), host="another-host")  # cannot tell from here: left as it is

    report = catalog_import(records=as_records(make_product()), source="new.csv")

    assert [n for n in report.notices if "old.csv" in n and "was interrupted" in n and "none of its rows" in n]
    statuses = dict(ImportRun.objects.values_list("pk", "status"))
    assert statuses[gone.pk] == "interrupted"
    assert statuses[alive_here.pk] == statuses[elsewhere.pk] == "running"
    assert import_runs_reconcile() == []  # marked once


def test_an_editor_reads_the_import_history_in_the_admin_but_cannot_delete_it(admin_client: Client) -> None:
    """The record of what each import did (and which died) is evidence: not editable, not deletable."""
    catalog_import(records=as_records(make_product()), source="bags.csv")
    run = ImportRun.objects.get()

    listing = admin_client.get("/admin/catalog/importrun/")
    assert listing.status_code == 200 and "bags.csv" in listing.content.decode()
    assert 'name="action"' not in listing.content.decode()  # no bulk "delete selected"
    assert admin_client.get(f"/admin/catalog/importrun/{run.pk}/delete/").status_code == 403
    assert admin_client.post(f"/admin/catalog/importrun/{run.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ImportRun.objects.filter(pk=run.pk).exists()
