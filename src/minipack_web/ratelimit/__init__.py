"""Per-client request limits on what scrapers hammer, counted in the shared cache so they hold on every server.

``@rate_limit(scope)`` on a view counts each client's requests (by address,
``minipack.client_ip``) in fixed windows (``minipack.rate_limit``) with an
atomic ``incr`` in ``CACHES["default"]``: Redis when several servers run, so
the count is the site's, not one process's. Over the limit the view is not
run and the client gets 429 with ``Retry-After``: JSON for the API, a short
page for the site. Limits are settings (``MINIPACK_RATE_LIMITS``, from the
environment). When the cache cannot count, the request is let through
(fail open): the limited views only read, or, for newsletter signups, are
guarded by the database's own per-address rules. Why: docs/decisions/0012-several-servers.md.
"""

from minipack_web.ratelimit.limiter import Verdict, check, rate_limit, request_client_ip

__all__ = ["Verdict", "check", "rate_limit", "request_client_ip"]
