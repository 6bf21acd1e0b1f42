"""Fixtures for the newsletter tests: a real SMTP server on loopback, and the background sender switched on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import override_settings

from minipack_web.newsletter import delivery

from .helpers import ScriptedBackend, Sink


@pytest.fixture
def sink() -> Iterator[Sink]:
    server = Sink().start()
    yield server
    server.stop()


@pytest.fixture
def background() -> Iterator[None]:
    """Mail leaves in the background thread after each signup commits, as in production."""
    delivery.reset_background()
    with override_settings(MINIPACK_NEWSLETTER_BACKGROUND=True):
        yield
        assert delivery.wait_for_background(30), "the background sender did not finish"
    delivery.reset_background()


@pytest.fixture(autouse=True)
def scripted_backend() -> None:
    """Each test starts with the scripted test backend empty and obedient."""
    ScriptedBackend.reset()


@pytest.fixture(scope="session", autouse=True)
def remove_sender_lock_files(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The senders' lock files are named after the database, and each test run has its own: remove this run's."""
    yield
    with django_db_blocker.unblock():
        for name in ("digest", "outbox"):
            delivery.lock_path(name).unlink(missing_ok=True)
