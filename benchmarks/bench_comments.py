"""Comments under load: 50 readers x 20 comments at once through gunicorn on SQLite, and not one lost.

Each reader loads the bag page (the form's CSRF token and signed timestamp
come from it) and posts a comment, 20 times, all 50 at once: 1,000 GETs and
1,000 POSTs against gunicorn (4 gthread workers x 4 threads) with the
production settings on a fresh SQLite file (tests/web/community/comment_load.py
does the work; test_concurrency.py runs the same with 10 x 5 in CI). The
flood window, hourly cap and minimum form age are 0 here (set through the
environment): every post is one the site should keep. Target (RELIABILITY
C.32): 0 errors, acknowledged = stored, no duplicates, POST p99 under 1 s.

The peer is the same site without ``transaction_mode=IMMEDIATE``, SQLite's
default: the negative control RELIABILITY B.22 asks for, which must fail.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from tests.web.community.comment_load import LoadResult, percentile, run_comment_load

USERS, POSTS = 50, 20
P99_TARGET_MS = 1000.0


def _line(label: str, result: LoadResult, seconds: float) -> str:
    return (
        f"  {label:34} {len(result.errors):6d} {len(result.acknowledged):6d} {len(result.stored):6d} "
        f"{len(result.lost):5d} {result.duplicates:5d} {percentile(result.post_ms, 50):7.0f} "
        f"{percentile(result.post_ms, 99):7.0f} {percentile(result.get_ms, 50):7.0f} {seconds:6.1f}"
    )


def _run(label: str, *, control: bool) -> tuple[str, LoadResult]:
    tmp = Path(tempfile.mkdtemp(prefix="minipack-bench-comments-"))
    try:
        started = time.monotonic()
        result = run_comment_load(tmp, users=USERS, posts=POSTS, control=control)
        return _line(label, result, time.monotonic() - started), result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run() -> None:
    load_before = os.getloadavg()[0]
    # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so gunicorn is stopped.
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        ours_line, ours = _run("IMMEDIATE (production settings)", control=False)
        peer_line, peer = _run("DEFERRED (SQLite default; control)", control=True)
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(
        f"Comments under load: {USERS} users x {POSTS} (GET the bag page, POST a comment), all at once; gunicorn "
        f"4 gthread workers x 4 threads, SQLite WAL; load average {load_before:.1f} before the run on "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"  {'settings':34} {'errors':>6} {'acked':>6} {'rows':>6} {'lost':>5} {'dupes':>5} "
        f"{'POST p50':>7} {'POST p99':>7} {'GET p50':>7} {'secs':>6}   (times in ms)"
    )
    print(ours_line)
    print(peer_line)
    passed = (
        not ours.errors
        and len(ours.acknowledged) == USERS * POSTS
        and sorted(ours.stored) == sorted(ours.acknowledged)
        and percentile(ours.post_ms, 99) < P99_TARGET_MS
    )
    control_failed = bool(peer.errors)
    print(
        f"  {'PASS' if passed else 'FAIL'}: 0 errors, every acknowledged comment stored once, POST p99 < "
        f"{P99_TARGET_MS:.0f} ms. Control {'fails as it must' if control_failed else 'DID NOT FAIL: check the load'}"
        f" ({len(peer.errors)} of {USERS * POSTS} posts refused with 503, none lost)."
    )
    for error in ours.errors[:5]:
        print(f"    {error}")


if __name__ == "__main__":
    run()
