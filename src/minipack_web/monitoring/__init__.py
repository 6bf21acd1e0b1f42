"""What an operator watches: the health check a load balancer probes, and one structured log line per request.

``/healthz`` (``views.healthz``) answers JSON, 200 or 503 naming the part
that failed, and is never cached or redirected to HTTPS. ``logs.RequestLog``
wraps the WSGI application outside the page cache's front door (``wsgi.py``),
so pages served from the cache are logged like the rest; ``logs.json_logging``
is the logging configuration production and gunicorn share (one JSON object
per line on standard error). Why: docs/decisions/0011-production-settings.md.
"""
