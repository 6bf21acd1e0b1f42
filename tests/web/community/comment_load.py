"""Many readers posting comments at once through gunicorn on SQLite, and an account of every comment.

Shared by ``test_concurrency.py`` (a small run in CI) and
``benchmarks/bench_comments.py`` (50 users x 20 comments in ``make bench``);
``drive_comment_load`` alone runs the readers against any server or proxy
(``benchmarks/bench_load.py``'s write mix on PostgreSQL and on two servers).
Everything is on loopback in a temporary directory: a fresh SQLite file with
the bundled catalog, and gunicorn (``minipack_web.ops``) with the production settings (WAL,
``transaction_mode=IMMEDIATE``, a 20 s busy timeout). Each simulated user
has its own cookie, email and client address (an ``X-Forwarded-For`` hop
from 127.0.0.1, the one trusted proxy), and for each comment loads the bag
page (taking the form's CSRF token and signed timestamp from it, as a
browser would) and posts the form. The flood window, the hourly cap and the
minimum form age are set to 0 through the environment, so every post is
one the site should store.

A post is *acknowledged* when it is answered 303 to the author's own page.
Each body carries a tag naming its user and number, so after the run the
tags acknowledged can be compared with the tags stored: a lost comment is
acknowledged but not stored; an extra one is stored but was not acknowledged.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlencode

from minipack_web.ops.services import gunicorn

ROOT = Path(__file__).resolve().parents[3]
BAG_PATH = "/bags/fjallraven-kanken-mini/"
TARGET = "bag:fjallraven-kanken-mini"
# A control run swaps in these settings: production's, without transaction_mode (RELIABILITY B.22's negative control).
CONTROL_SETTINGS = """\
from minipack_web.settings.prod import *  # noqa: F403
from minipack_web.settings.prod import DATABASES

# The negative control: SQLite's default DEFERRED transactions, everything else as in production.
DATABASES["default"]["OPTIONS"] = {k: v for k, v in DATABASES["default"]["OPTIONS"].items() if k != "transaction_mode"}
"""
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_ISSUED = re.compile(r'name="issued" value="([^"]+)"')


@dataclass
class LoadResult:
    users: int
    posts_per_user: int
    acknowledged: list[str] = field(default_factory=list)  # the body tags of posts answered 303
    stored: list[str] = field(default_factory=list)  # the body tags in the database afterwards
    errors: list[str] = field(default_factory=list)  # one line per failed request
    post_ms: list[float] = field(default_factory=list)
    get_ms: list[float] = field(default_factory=list)
    server_log: str = ""
    seconds: float = 0.0  # the load's wall time, first request to last answer

    @property
    def lost(self) -> set[str]:
        return set(self.acknowledged) - set(self.stored)

    @property
    def unacknowledged_rows(self) -> set[str]:
        return set(self.stored) - set(self.acknowledged)

    @property
    def duplicates(self) -> int:
        return len(self.stored) - len(set(self.stored))


def site_env(
    var: Path, *, secret: str, pythonpath: Path | None = None, settings_module: str = "minipack_web.settings.prod"
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MINIPACK_CACHE_URL")}
    env |= {
        "DJANGO_SETTINGS_MODULE": settings_module,
        "DJANGO_SECRET_KEY": secret,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "MINIPACK_VAR_DIR": str(var),
        "MINIPACK_TRUSTED_PROXIES": "127.0.0.1",
        # Plain http on loopback, no TLS proxy in front: no redirect to https:// (settings/prod.py).
        "MINIPACK_PLAIN_HTTP": "1",
        # Off for the load, so every post is one the site should keep (settings/base.py says so too).
        "MINIPACK_COMMENT_FLOOD_SECONDS": "0",
        "MINIPACK_COMMENT_HOURLY_LIMIT": "0",
        "MINIPACK_COMMENT_FORM_MIN_SECONDS": "0",
    }
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH", "")]))
    return env


class _User:
    """One reader: a keep-alive connection, a cookie, an email and a client address of their own."""

    def __init__(self, host: str, n: int, result: LoadResult, lock: threading.Lock) -> None:
        self.host, self.n, self.result, self.lock = host, n, result, lock
        self.cookie = ""
        self.ip = f"10.{n // 250}.{n % 250}.1"
        self.connection = http.client.HTTPConnection(host, timeout=120)

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, dict[str, str], str, float]:
        headers = {"X-Forwarded-For": self.ip, "Host": "127.0.0.1"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.connection.close()  # the next request opens a new connection
            raise
        elapsed = (time.perf_counter() - started) * 1000
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("csrftoken="):
                self.cookie = value.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text, elapsed

    def _error(self, message: str) -> None:
        with self.lock:
            self.result.errors.append(f"user {self.n}: {message}")

    def run(self, posts: int) -> None:
        for p in range(posts):
            tag = f"u{self.n}p{p}"
            try:
                status, _, page, get_ms = self._request("GET", BAG_PATH)
                if status != 200:
                    self._error(f"GET {BAG_PATH} -> {status}")
                    continue
                token, issued = _TOKEN.search(page), _ISSUED.search(page)
                if not token or not issued:
                    self._error("the bag page has no comment form")
                    continue
                form = {
                    "csrfmiddlewaretoken": token.group(1),
                    "target": TARGET,
                    "issued": unescape(issued.group(1)),
                    "name": f"Load user {self.n}",
                    "email": f"user{self.n}@load.example",
                    "body": f"Comment {p} from user {self.n}. [{tag}]",
                    "website": "",
                }
                status, headers, _, post_ms = self._request("POST", "/comments/", urlencode(form))
            except (OSError, http.client.HTTPException) as exc:
                self._error(f"{tag}: {type(exc).__name__}: {exc}")
                continue
            with self.lock:
                self.result.get_ms.append(get_ms)
                self.result.post_ms.append(post_ms)
            if status == 303 and headers.get("location", "").startswith("/comments/posted/"):
                with self.lock:
                    self.result.acknowledged.append(tag)
            else:
                self._error(f"POST {tag} -> {status}")
        self.connection.close()


def run_comment_load(
    tmp: Path, *, users: int, posts: int, workers: int = 4, threads: int = 4, control: bool = False
) -> LoadResult:
    """Serve a fresh site from ``tmp``; ``users`` readers each post ``posts`` comments at once; account for each.

    ``control``: serve it with SQLite's default transaction mode instead (the negative control).
    """
    var = tmp / "var"
    secret = secrets.token_urlsafe(50)
    env = site_env(var, secret=secret)
    # As `make serve` does: production pages link to collected, hashed static files.
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"], ["load_bundled_catalog"]):
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *command], env=env, cwd=ROOT, check=True, capture_output=True
        )
    if control:
        (tmp / "control_settings.py").write_text(CONTROL_SETTINGS)
        env = site_env(var, secret=secret, pythonpath=tmp, settings_module="control_settings")
    with gunicorn(env, base=tmp, name="gunicorn", workers=workers, threads=threads) as server:
        result = drive_comment_load(f"127.0.0.1:{server.port}", users=users, posts=posts)
    result.server_log = server.log.read_text(errors="replace")
    with contextlib.closing(sqlite3.connect(var / "db.sqlite3")) as db:
        result.stored = stored_tags(row[0] for row in db.execute("SELECT body FROM community_comment"))
    return result


def drive_comment_load(host: str, *, users: int, posts: int) -> LoadResult:
    """``users`` readers at once against the site at ``host`` (HOST:PORT: one server or a proxy), ``posts`` each.

    Fills everything but ``stored`` (read the database with ``stored_tags``) and ``server_log``.
    """
    result = LoadResult(users, posts)
    lock = threading.Lock()
    readers = [_User(host, n, result, lock) for n in range(users)]
    running = [threading.Thread(target=reader.run, args=(posts,)) for reader in readers]
    started = time.monotonic()
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    result.seconds = time.monotonic() - started
    return result


def stored_tags(bodies: Iterable[str]) -> list[str]:
    """The load tags ('u3p7') in these comment bodies, one per comment that has one."""
    return [m.group(1) for m in (re.search(r"\[(u\d+p\d+)\]", b) for b in bodies) if m]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]
