"""Killing `minipack send-digest` halfway, again and again, still delivers exactly one copy to every subscriber.

The issue's promise, counted where it matters, at a real SMTP server: a
subprocess runs the real command against this test's database and sends to
an aiosmtpd sink on loopback, throttled so there is a "halfway". It is
SIGKILLed three times at different points of the SMTP conversation:

* while the server has the recipient but not the message (the delivery is
  ``sending``: nothing reached the server, so it must be sent again);
* right after the server accepted a message, before the sender read the
  answer (``finalising``: it reached the server, so it must never be sent again);
* whenever the test's poll sees enough mail at the sink (anywhere at all).

Then a last run goes to completion. Every confirmed subscriber must have
exactly one copy at the sink; pending and unsubscribed ones none.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

from minipack_web.catalog.services import catalog_import
from minipack_web.newsletter.models import ConsentRecord, DigestDelivery, Subscriber

from ..database.helpers import database_url
from ..factories import as_records, make_product
from .helpers import Sink, subscribe

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

CONFIRMED = 30
RATE = "25"  # mails a second: a run takes over a second, so every kill lands mid-send


def command_env(tmp_path: Path, sink: Sink) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "EMAIL_", "MINIPACK_"))}
    return {
        **keep,
        "DJANGO_SETTINGS_MODULE": "minipack_web.settings.dev",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the same key: the same suppression hashes and links
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
        "MINIPACK_VAR_DIR": str(tmp_path),
        "MINIPACK_CACHE_URL": "dummy://",
        "MINIPACK_SITE_URL": "https://minipack.example",
    }


class Runs:
    def __init__(self, env: dict[str, str], sink: Sink) -> None:
        self.env = env
        self.sink = sink
        self.outputs: list[str] = []

    def run(self, arm: Callable[[subprocess.Popen[str]], None] | None = None) -> int:
        """Run `minipack send-digest` once; ``arm`` sets up how it will be killed. Its exit code (-9 when killed)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "minipack_web.cli", "send-digest", "--rate", RATE, "--no-progress"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        if arm is not None:
            arm(process)
        out, _ = process.communicate(timeout=180)
        self.sink.on_rcpt = self.sink.on_data = None
        self.outputs.append(out)
        return process.returncode


def once(action: Callable[[], None]) -> Callable[[], None]:
    done = threading.Event()

    def run() -> None:
        if not done.is_set():
            done.set()
            action()

    return run


def kill(process: subprocess.Popen[str]) -> Callable[[], None]:
    return once(lambda: os.kill(process.pid, signal.SIGKILL))


def at_rcpt(n: int) -> Callable[[Sink], Callable[[subprocess.Popen[str]], None]]:
    """Kill while the server holds the recipient of message n, not its body."""

    def arm_for(sink: Sink) -> Callable[[subprocess.Popen[str]], None]:
        def arm(process: subprocess.Popen[str]) -> None:
            stop = kill(process)
            sink.on_rcpt = lambda received: stop() if received + 1 >= n else None

        return arm

    return arm_for


def after_data(n: int) -> Callable[[Sink], Callable[[subprocess.Popen[str]], None]]:
    """Kill once the server accepted message n, before the sender reads the answer."""

    def arm_for(sink: Sink) -> Callable[[subprocess.Popen[str]], None]:
        def arm(process: subprocess.Popen[str]) -> None:
            stop = kill(process)
            sink.on_data = lambda received: stop() if received >= n else None

        return arm

    return arm_for


def when_seen(n: int) -> Callable[[Sink], Callable[[subprocess.Popen[str]], None]]:
    """Kill as soon as the test sees n mails at the server, wherever the sender is then."""

    def arm_for(sink: Sink) -> Callable[[subprocess.Popen[str]], None]:
        def arm(process: subprocess.Popen[str]) -> None:
            def watch() -> None:
                while process.poll() is None:
                    if sink.count() >= n:
                        os.kill(process.pid, signal.SIGKILL)
                        return
                    time.sleep(0.002)

            threading.Thread(target=watch, daemon=True).start()

        return arm

    return arm_for


@pytest.mark.parametrize(
    "kills",
    [
        pytest.param((at_rcpt(5), after_data(12), when_seen(20)), id="rcpt5-data12-seen20"),
        pytest.param((after_data(1), when_seen(9), at_rcpt(24)), id="data1-seen9-rcpt24"),
    ],
)
def test_killed_runs_then_one_full_run_deliver_exactly_one_copy_each(tmp_path: Path, kills: tuple) -> None:
    catalog_import(records=as_records(make_product()))
    confirmed = [subscribe(f"reader{n:02d}@example.com").email for n in range(CONFIRMED)]
    others = [subscribe(f"pending{n}@example.com", state="pending").email for n in range(3)]
    others += [subscribe(f"left{n}@example.com", state="unsubscribed").email for n in range(3)]
    assert ConsentRecord.objects.filter(confirmed_at__isnull=False).count() == CONFIRMED + 3
    sink = Sink().start()
    try:
        runs = Runs(command_env(tmp_path, sink), sink)
        counts = []
        for arm_for in kills:
            assert runs.run(arm_for(sink)) == -signal.SIGKILL, runs.outputs[-1]
            counts.append(sink.count())
        final = runs.run()
    finally:
        sink.stop()

    assert counts == sorted(counts) and 0 < counts[0] < counts[-1] < CONFIRMED, counts  # each kill was mid-send
    assert final in (0, 1), runs.outputs[-1]
    assert "Issue 1 (" in runs.outputs[-1] and "resumed" in runs.outputs[-1]
    per_address = {address: len(sink.to(address)) for address in confirmed + others}
    assert {a: n for a, n in per_address.items() if a in confirmed and n != 1} == {}, "exactly one copy each"
    assert all(per_address[a] == 0 for a in others)
    assert sink.count() == CONFIRMED
    assert all(m.message["Subject"].startswith("Minipack weekly #1") for m in sink.messages)
    statuses = list(DigestDelivery.objects.values_list("status", flat=True))
    assert len(statuses) == CONFIRMED and set(statuses) <= {"sent", "in_doubt"}
    # The kill after the server's acceptance left a delivery in doubt: reported, counted as delivered, never resent.
    assert statuses.count("in_doubt") >= 1
    assert f"{statuses.count('sent')} sent" in runs.outputs[-1] and "in_doubt" in runs.outputs[-1]
    assert Subscriber.objects.filter(status="confirmed").count() == CONFIRMED
