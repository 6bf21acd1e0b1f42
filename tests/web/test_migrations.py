"""Guard rail: every model change ships with its migration (as djangoproject.com's PendingMigrationsTests)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_migrations_are_pending() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:  # makemigrations --check exits 1 when a migration is missing
        pytest.fail(f"Pending migrations; run `python manage.py makemigrations`:\n{out.getvalue()}")
