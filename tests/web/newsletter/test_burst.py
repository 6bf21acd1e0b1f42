"""A signup burst (RELIABILITY C.33): 500 addresses from 50 IPs, sent concurrently; every one gets one confirmation."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from django.db import connection
from django.test import Client, override_settings

from minipack_web.newsletter import delivery
from minipack_web.newsletter.models import ConsentRecord, Subscriber

from .helpers import Sink, post_signup, smtp_settings

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

ADDRESSES = 500
IPS = 50
THREADS = 10


def test_a_burst_of_signups_is_stored_and_confirmed_once_each(sink: Sink, background: None) -> None:
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def sign_up(worker: int) -> None:
        client = Client()
        try:
            for n in range(worker, ADDRESSES, THREADS):
                response = post_signup(client, f"reader{n}@example.com", REMOTE_ADDR=f"198.51.100.{n % IPS + 1}")
                with lock:
                    statuses[response.status_code] += 1
        finally:
            connection.close()  # this thread's connection

    started = time.monotonic()
    with override_settings(**smtp_settings(sink.port)):
        workers = [threading.Thread(target=sign_up, args=(w,)) for w in range(THREADS)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        assert statuses == {200: ADDRESSES}  # no per-IP limit stops distinct people behind one address
        assert sink.wait_for(ADDRESSES, timeout=300), f"{sink.count()} of {ADDRESSES} confirmations arrived"
        assert delivery.wait_for_background(60)
    elapsed = time.monotonic() - started

    assert Subscriber.objects.filter(status="pending").count() == ADDRESSES
    assert ConsentRecord.objects.count() == ADDRESSES
    per_address = Counter(address for m in sink.messages for address in m.rcpt_tos)
    assert len(per_address) == ADDRESSES and set(per_address.values()) == {1}  # no duplicates
    assert elapsed < 300
