"""Production: base.py plus what needs HTTPS, hashed static files and JSON logs.

Fails at start-up, not at the first request, when the secret or the host
list is missing or the secret is weak (gunicorn runs no system checks).
`manage.py check --deploy --fail-level WARNING` passes with these settings
(`make lint` runs it). Why each choice: docs/decisions/0011-production-settings.md.
"""

from django.core.checks.security import base as deploy_checks
from django.core.exceptions import ImproperlyConfigured

from minipack_web.monitoring.logs import json_logging
from minipack_web.settings.base import *  # noqa: F403
from minipack_web.settings.env import ENV

DEBUG = False


def _strong_secret(name: str, key: str) -> str:
    """``key``, if Django's deploy check would accept it; a short, repetitive or placeholder key stops start-up."""
    shortest = deploy_checks.SECRET_KEY_MIN_LENGTH
    if len(key) < shortest or len(set(key)) < deploy_checks.SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        raise ImproperlyConfigured(
            f"{name} is too weak: use at least {shortest} random characters, e.g. the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if key.startswith(deploy_checks.SECRET_KEY_INSECURE_PREFIX) or "insecure" in key:
        raise ImproperlyConfigured(f"{name} is a development placeholder: generate a new one for production.")
    return key


SECRET_KEY = _strong_secret("DJANGO_SECRET_KEY", ENV.required("DJANGO_SECRET_KEY"))
# Old keys, still accepted for signatures made before a rotation (sessions, newsletter links), newest first.
SECRET_KEY_FALLBACKS = [
    _strong_secret("DJANGO_SECRET_KEY_FALLBACKS", k) for k in ENV.strings("DJANGO_SECRET_KEY_FALLBACKS")
]
ALLOWED_HOSTS = ENV.required_strings("DJANGO_ALLOWED_HOSTS")

# HTTPS. TLS ends at our proxy (nginx, Caddy, a load balancer), which must set X-Forwarded-Proto and drop
# any a client sent; Django then knows a request was secure, redirects plain HTTP to https:// on the same
# host, and sends HSTS (a year, subdomains, preload-eligible: submitting the domain to the preload list is
# a separate decision). MINIPACK_PLAIN_HTTP=1 turns all of this off for a trial over http://127.0.0.1 with
# no proxy (make serve on a laptop, the load tests); `check --deploy` then warns, as it should.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
_HTTPS = not ENV.boolean("MINIPACK_PLAIN_HTTP")
SECURE_SSL_REDIRECT = _HTTPS
# A load balancer probes over plain HTTP, often without the proxy in between; a 301 would read as "down".
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 31_536_000 if _HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS

# Static files: `collectstatic` (make serve runs it) writes each file under a name with a hash of its
# content plus gzip copies, and WhiteNoiseMiddleware (base.py) serves them with a year's Cache-Control.
# Templates fail loudly if collectstatic has not run (no manifest), rather than link to files that 404.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# One JSON object per line on standard error: every request (minipack_web.monitoring.logs.RequestLog,
# wrapped around the site in wsgi.py) and every error with its traceback (Django's django.request logger).
MINIPACK_LOG_LEVEL = ENV.string("MINIPACK_LOG_LEVEL", "INFO").strip().upper()
if MINIPACK_LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    raise ImproperlyConfigured(f"MINIPACK_LOG_LEVEL={MINIPACK_LOG_LEVEL!r}: use DEBUG, INFO, WARNING or ERROR.")
LOGGING = json_logging(MINIPACK_LOG_LEVEL)
# One page-cache hit in this many gets a request line (with "sample": N); every other request gets one.
# 1 logs every hit, at about a quarter of the hit rate (docs/decisions/0014-cached-hit-cost.md).
MINIPACK_LOG_HIT_SAMPLE = ENV.integer("MINIPACK_LOG_HIT_SAMPLE", 100, minimum=1)


def _origin_from_hosts(hosts: list[str]) -> str:
    """https:// and the first host that names one site ('*' and '.example.com' patterns name none)."""
    for host in hosts:
        if host != "*" and not host.startswith("."):
            return f"https://{host}"
    raise ImproperlyConfigured(
        "Set MINIPACK_SITE_URL (e.g. https://minipack.example): DJANGO_ALLOWED_HOSTS names no single host."
    )


# Unset, the site is the first allowed host over HTTPS (what production serves). With no single host to take,
# start-up fails rather than publish the dev default (127.0.0.1) in sitemaps and canonical links.
MINIPACK_SITE_URL = ENV.origin("MINIPACK_SITE_URL") or _origin_from_hosts(ALLOWED_HOSTS)
