"""No comment is lost under concurrent posting on SQLite through gunicorn (RELIABILITY B.22, C.32, D.46).

A small run here (10 users x 5 comments, each loading the page first); the
full 50 x 20 is ``benchmarks/bench_comments.py`` in ``make bench``. The
server is a real gunicorn (4 gthread workers x 4 threads) on a SQLite file
with the production settings, started by ``comment_load.run_comment_load``.
The negative control serves the same site without ``transaction_mode`` and
must fail, or this test could not see the problem it guards against.
Runs against SQLite whichever database the rest of the suite uses: the
contention it checks is SQLite's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .comment_load import run_comment_load

USERS, POSTS = 10, 5


def test_every_acknowledged_comment_is_stored_and_nothing_else(tmp_path: Path) -> None:
    result = run_comment_load(tmp_path, users=USERS, posts=POSTS)

    assert result.errors == [], "\n".join(result.errors[:20]) + "\n" + result.server_log[-3000:]
    assert len(result.acknowledged) == USERS * POSTS
    assert sorted(result.stored) == sorted(result.acknowledged)  # none lost, none extra, none twice


@pytest.mark.slow
def test_the_negative_control_without_immediate_transactions_fails(tmp_path: Path) -> None:
    """SQLite's default DEFERRED transactions under the same load: some posts fail with 'database is locked'.

    Even then nothing is silently lost: each failure is answered 503 with the text kept, never a 500 or a
    303 for a comment that was not stored.
    """
    result = run_comment_load(tmp_path, users=2 * USERS, posts=POSTS, control=True)

    assert result.errors, "no post failed without transaction_mode=IMMEDIATE: this load cannot detect contention"
    assert all(e.endswith("-> 503") for e in result.errors), result.errors[:10]
    assert "database is locked" in result.server_log
    assert sorted(result.stored) == sorted(result.acknowledged)
