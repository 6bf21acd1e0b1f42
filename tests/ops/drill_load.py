"""Readers loading a bag page and posting comments for as long as a fault drill lasts; a timed record of each request.

Each reader is ``comment_load``'s (tests/web/community): its own cookie, email
and client address; it loads the bag page, takes the form's CSRF token and
stamp from it, and posts a comment whose body carries a tag (``u<n>p<i>``).
Here the readers keep going until the drill calls ``stop()``, instead of for a
fixed number of posts, and every request is recorded with when it started,
when it ended and how (an HTTP status, or no answer at all), so a drill can
count the failures inside its fault window and after it.

A reader whose request failed (a 5xx, or no answer at all) waits what
``Retry-After`` says (at most ``MAX_PAUSE_S``; ``NO_ANSWER_PAUSE_S`` without
one) before going on, as a person told "try again in a few seconds" would. So
an outage costs each reader about one failed request, not one every few
milliseconds, and the failure count measures the site, not the client's
retry loop. A reader that waits closes its connection first (``_pause``
says why).

A comment is *acknowledged* when its post is answered 303 to the author's
page. ``stored_tags_postgres`` reads the tags back from the database
afterwards and ``Load.own`` keeps this load's, so a drill can compare the two
lists: a tag acknowledged but not stored is a lost comment; one stored but
not acknowledged, a post the server acted on whose answer never arrived.
"""

from __future__ import annotations

import contextlib
import http.client
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from web.community.comment_load import LoadResult, _User, percentile

MAX_PAUSE_S = 5.0
NO_ANSWER_PAUSE_S = 1.0
_TAG = re.compile(r"\[(u\d+p\d+)\]")


class _Stopped(Exception):
    """Raised inside a reader's loop when the drill is over (not an OSError, so ``_User.run`` lets it through)."""


@dataclass(frozen=True)
class Sample:
    """One request: ``time.monotonic()`` when it was sent and when it ended; ``status`` None if nothing answered."""

    method: str
    path: str
    started: float
    ended: float
    status: int | None
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status is None or self.status >= 500

    @property
    def ms(self) -> float:
        return (self.ended - self.started) * 1000

    def describe(self, origin: float) -> str:
        outcome = str(self.status) if self.status is not None else self.error
        return f"{self.started - origin:7.3f}-{self.ended - origin:7.3f} s {self.method} {self.path} -> {outcome}"


class _DrillUser(_User):
    def __init__(self, load: Load, n: int) -> None:
        super().__init__(load.host, n, load.result, load.lock)
        self.load = load

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], str, float]:
        if self.load.stopping.is_set():
            raise _Stopped
        started = time.monotonic()
        try:
            answer = super()._request(method, path, body)
        except (OSError, http.client.HTTPException) as exc:
            self.load.record(Sample(method, path, started, time.monotonic(), None, f"{type(exc).__name__}: {exc}"))
            self._pause(NO_ANSWER_PAUSE_S)
            raise
        status, headers = answer[0], answer[1]
        sample = Sample(method, path, started, time.monotonic(), status)
        self.load.record(sample)
        if sample.failed:
            self._pause(min(float(headers.get("retry-after", NO_ANSWER_PAUSE_S)), MAX_PAUSE_S))
        return answer

    def _pause(self, seconds: float) -> None:
        # Without its connection: one left idle as long as gunicorn's keepalive (5 s) can be closed by the server
        # just as the reader sends on it again, a race a browser hides by sending again and this client does not.
        self.connection.close()
        self.load.stopping.wait(seconds)

    def run_until_stopped(self) -> None:
        with contextlib.suppress(_Stopped):
            self.run(posts=1_000_000)
        self.connection.close()


@dataclass
class Load:
    """``users`` readers against ``host`` (HOST:PORT); reader numbers start at ``first_user`` (tags stay unique)."""

    host: str
    users: int
    first_user: int = 0
    result: LoadResult = field(init=False)
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)
    began: float = 0.0
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.result = LoadResult(self.users, posts_per_user=0)

    def record(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def start(self) -> None:
        self.began = time.monotonic()
        readers = [_DrillUser(self, n) for n in range(self.first_user, self.first_user + self.users)]
        self._threads = [threading.Thread(target=r.run_until_stopped, daemon=True) for r in readers]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 60) -> None:
        """Stop the readers after the requests they are in (a second call does nothing more)."""
        self.stopping.set()
        for thread in self._threads:
            thread.join(timeout)

    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.failed]

    def during(self, start: float, end: float) -> list[Sample]:
        """Failed requests that were running at some moment of [start, end]."""
        return [s for s in self.failures() if s.started <= end and s.ended >= start]

    def after(self, moment: float) -> list[Sample]:
        """Failed requests sent after ``moment``."""
        return [s for s in self.failures() if s.started > moment]

    def p99_ms(self) -> float:
        return percentile([s.ms for s in self.samples], 99)

    def longest_ms(self) -> float:
        return max((s.ms for s in self.samples), default=0.0)

    def report(self, samples: Iterable[Sample]) -> str:
        return "\n".join(s.describe(self.began) for s in samples)

    def own(self, stored: Iterable[str]) -> list[str]:
        """The tags in ``stored`` that this load's readers wrote (other loads on the same database wrote the rest)."""
        mine = range(self.first_user, self.first_user + self.users)
        return [tag for tag in stored if int(tag[1:].split("p", 1)[0]) in mine]


@contextlib.contextmanager
def running(host: str, *, users: int, first_user: int = 0) -> Iterator[Load]:
    """Readers running for the length of the ``with`` block; stopped, and their threads joined, at its end.

    Call ``stop()`` inside the block to stop them sooner: before the server they load goes, say.
    """
    load = Load(host, users, first_user)
    load.start()
    try:
        yield load
    finally:
        load.stop()


def tags(bodies: Iterable[str]) -> list[str]:
    return [m.group(1) for m in map(_TAG.search, bodies) if m]


def stored_tags_postgres(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as db:
        return tags(row[0] for row in db.execute("SELECT body FROM community_comment"))
