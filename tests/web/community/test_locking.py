"""The flood limit holds across connections: posts sent at the same moment cannot all pass it (RELIABILITY A.14).

Each thread has its own database connection, as each gunicorn worker has,
so these run the real locking of the engine under test: SQLite's IMMEDIATE
transactions, PostgreSQL's advisory locks. A pause is put between the flood
check and the insert (by wrapping the moderation decision, which runs in
between) so every post reaches the check before any commits: without the
lock, each would see no earlier comment and all would be stored.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from minipack_web.community import services
from minipack_web.community.models import Comment
from minipack_web.community.selectors import target_page

from ..factories import as_records, make_product
from .conftest import BAG

POSTS = 6
PAUSE_S = 0.3  # long enough for every thread to reach the check while the first is inside its transaction


@pytest.fixture
def committed_bag(transactional_db: None) -> None:
    from minipack_web.catalog.services import catalog_import

    catalog_import(records=as_records(make_product(BAG.slug)))


@pytest.fixture
def slow_decision(monkeypatch: pytest.MonkeyPatch) -> None:
    decide = services.decide

    def slowly(**kwargs: Any) -> Any:
        time.sleep(PAUSE_S)
        return decide(**kwargs)

    monkeypatch.setattr(services, "decide", slowly)


def race(post: Callable[[int], None]) -> Counter[str]:
    """Run ``post(n)`` for n in range(POSTS) at once, each in its own thread and connection; count the outcomes."""
    outcomes: Counter[str] = Counter()
    start = threading.Barrier(POSTS)
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            start.wait()
            post(n)
            outcome = "stored"
        except services.CommentRefused as refused:
            outcome = type(refused).__name__
        except Exception as exc:  # noqa: BLE001 - any other failure is a result to report, not a crash
            outcome = f"error: {exc}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.usefixtures("committed_bag", "slow_decision")
def test_posts_from_one_ip_at_the_same_moment_store_exactly_one() -> None:
    page = target_page(BAG)
    assert page is not None

    def post(n: int) -> None:
        services.comment_post(
            page=page,
            parent_id=None,
            name=f"P{n}",
            email=f"p{n}@example.com",
            body=f"Body {n}",
            client_ip="203.0.113.5",
        )

    assert race(post) == Counter({"stored": 1, "Flooded": POSTS - 1})
    assert Comment.objects.count() == 1


@pytest.mark.usefixtures("committed_bag", "slow_decision")
def test_posts_from_one_email_through_many_ips_at_the_same_moment_store_exactly_one() -> None:
    page = target_page(BAG)
    assert page is not None

    def post(n: int) -> None:
        services.comment_post(
            page=page,
            parent_id=None,
            name="Same",
            email="same@example.com",
            body=f"Body {n}",
            client_ip=f"203.0.113.{n + 10}",
        )

    assert race(post) == Counter({"stored": 1, "Flooded": POSTS - 1})


@pytest.mark.usefixtures("committed_bag")
def test_posts_from_different_senders_at_the_same_moment_are_all_stored() -> None:
    page = target_page(BAG)
    assert page is not None

    def post(n: int) -> None:
        services.comment_post(
            page=page, parent_id=None, name="X", email=f"x{n}@example.com", body="Hi", client_ip=f"198.51.100.{n + 1}"
        )

    assert race(post) == Counter({"stored": POSTS})
    assert Comment.objects.count() == POSTS
