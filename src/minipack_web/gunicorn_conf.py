"""gunicorn's settings in production: ``gunicorn --config python:minipack_web.gunicorn_conf`` (``make serve``).

Read from the environment through ``ENV`` like every other setting; .env.example lists the variables.
Why these values: docs/decisions/0011-production-settings.md.
"""

from __future__ import annotations

import os

from minipack_web.monitoring.logs import json_logging
from minipack_web.settings.env import ENV


def _cpus() -> int:
    # The CPUs this process may use (a container's share), not every CPU the host has.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


# The site, with production settings unless DJANGO_SETTINGS_MODULE says otherwise (wsgi.py).
wsgi_app = "minipack_web.wsgi:application"
# Loopback: TLS ends at the proxy in front (nginx, Caddy), which forwards here.
bind = ENV.strings("MINIPACK_BIND", ("127.0.0.1:8000",))

# Threads, not one process per request: a worker waiting on SQLite's write lock or a slow client keeps
# serving others, and the page cache's in-memory copies are shared by a worker's threads. gunicorn's
# rule of thumb, 2 x CPUs + 1 workers, keeps every CPU busy; the load benchmark (RELIABILITY C.36) is
# how to re-tune it for a given machine.
worker_class = "gthread"
workers = ENV.integer("MINIPACK_WORKERS", 2 * _cpus() + 1, minimum=1)
threads = ENV.integer("MINIPACK_THREADS", 4, minimum=1)
# A request still running after this many seconds is a bug or a hang: its worker is killed and replaced.
timeout = ENV.integer("MINIPACK_TIMEOUT", 30, minimum=1)
# On a reload (SIGHUP) or stop (SIGTERM), requests in flight get this long to finish.
graceful_timeout = 30
keepalive = 5  # seconds an idle keep-alive connection from the proxy is held
# Workers are not recycled after N requests (max_requests stays 0): a recycled worker closes its keep-alive
# connections, and a client that sends on one at that moment gets a reset. No memory growth has been
# measured to justify it; the soak test (RELIABILITY C.35) is how to decide otherwise.
max_requests = 0

# Request limits before Django sees a byte: the request line (method, path and query) and the headers.
# gunicorn's defaults, named so they are a decision; a longer request line gets 414, not a parse.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# No access log: minipack_web.monitoring.logs.RequestLog writes one JSON line per request (of cache hits,
# a sample: MINIPACK_LOG_HIT_SAMPLE). gunicorn's own messages (start, reload, a killed worker) go to
# standard error as JSON too.
accesslog = None
errorlog = "-"
logconfig_dict = json_logging(ENV.string("MINIPACK_LOG_LEVEL", "INFO").strip().upper()) | {
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False}},
}
proc_name = "minipack"
