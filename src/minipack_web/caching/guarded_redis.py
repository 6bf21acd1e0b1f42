"""The Redis client behind the shared cache on several servers: when Redis stops answering, give up at once.

``settings.base.cache_settings`` names ``GuardedRedis`` as django-redis's
``REDIS_CLIENT_CLASS`` for ``redis://`` cache URLs. django-redis with
``IGNORE_EXCEPTIONS`` already turns a failed command into a miss (the
built-in ``RedisCache`` raises instead, and every cached page answers 500:
RELIABILITY finding 4), but each command still waits for its socket
timeout first. A page request makes several cache calls (the generation, the
page, a rate-limit counter), so a Redis host that has vanished from the
network (no "connection refused", only silence) would cost every request
~0.25 s per call. After a connection failure this client refuses every
command at once for ``COOLDOWN_S``, then lets one command through to probe;
the first success closes the circuit.

It also raises the alert: one ERROR line when this process loses Redis and
one WARNING when it is back, instead of a traceback for every ignored call
(which is why ``DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS`` stays off).
Decision record: docs/decisions/0012-several-servers.md.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import redis

logger = logging.getLogger(__name__)

# Long enough that a dead Redis costs one slow call per process every few seconds, short enough that the
# cache is back in use within seconds of Redis answering again.
COOLDOWN_S = 2.0
# Other Redis errors (out of memory, a read-only replica) are logged at most this often per process.
OTHER_ERROR_LOG_EVERY_S = 60.0


class Circuit:
    """Closed while Redis answers; open for ``cooldown`` seconds after a connection failure; one probe at a time."""

    def __init__(self, cooldown: float = COOLDOWN_S) -> None:
        self.cooldown = cooldown
        self._lock = threading.Lock()
        self._down = False
        self._open_until = 0.0
        self._other_logged_at = -OTHER_ERROR_LOG_EVERY_S

    @property
    def down(self) -> bool:
        return self._down

    def allow(self) -> bool:
        if not self._down:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self._open_until:
                return False
            # Half-open: this caller probes; the others keep failing fast until it has an answer.
            self._open_until = now + self.cooldown
            return True

    def failed(self, error: Exception) -> None:
        with self._lock:
            was_down, self._down = self._down, True
            self._open_until = time.monotonic() + self.cooldown
        if not was_down:
            logger.error(
                "shared cache (Redis) unreachable: %s. Pages are served uncached and rate limits are not counted "
                "until it answers; retrying every %.0f s.",
                error,
                self.cooldown,
            )

    def succeeded(self) -> None:
        if not self._down:
            return
        with self._lock:
            was_down, self._down = self._down, False
            self._open_until = 0.0
        if was_down:
            logger.warning("shared cache (Redis) reachable again: caching and rate limits resume.")

    def other_error(self, error: Exception) -> None:
        now = time.monotonic()
        if now - self._other_logged_at >= OTHER_ERROR_LOG_EVERY_S:
            self._other_logged_at = now
            logger.error("shared cache (Redis) refused a command: %s (serving as if uncached)", error)

    def reset(self) -> None:
        """Forget any failure (for tests)."""
        with self._lock:
            self._down = False
            self._open_until = 0.0


# One per process: every cache alias and connection in it shares what it learnt about Redis.
circuit = Circuit()


class GuardedRedis(redis.Redis):
    """``redis.Redis`` whose commands fail fast while ``circuit`` is open (django-redis then answers a miss)."""

    def execute_command(self, *args: Any, **options: Any) -> Any:
        if not circuit.allow():
            raise redis.ConnectionError("Redis marked unreachable after a recent failure (circuit open)")
        try:
            result = super().execute_command(*args, **options)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            circuit.failed(exc)
            raise
        except redis.RedisError as exc:
            circuit.other_error(exc)
            raise
        circuit.succeeded()
        return result
