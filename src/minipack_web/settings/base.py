"""Settings every environment shares. ``dev``, ``test`` and ``prod`` import this and add to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE as _NONE  # private names: an upper-case one would become a setting
from csp.constants import SELF as _SELF
from django.core.exceptions import ImproperlyConfigured

from minipack.client_ip import parse_networks
from minipack.rate_limit import parse_rate
from minipack_web.settings.email import default_file_path, mail_settings, positive_number
from minipack_web.settings.env import ENV

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # src/minipack_web
BASE_DIR = PACKAGE_DIR.parent.parent  # the repository root
# Runtime files (the SQLite database, collected static files) live outside the source tree.
VAR_DIR = ENV.path("MINIPACK_VAR_DIR", BASE_DIR / "var")

DEBUG = False
ALLOWED_HOSTS: list[str] = []

# Where the site lives, for every absolute URL we publish (canonical links, OpenGraph, JSON-LD, the sitemap,
# the feed): read from settings, never from the request's Host header, so a forged Host cannot put
# another origin into a page or a cached copy of one. prod.py derives it when it is not set.
MINIPACK_SITE_URL = ENV.origin("MINIPACK_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # CSP system checks (django-csp); "ninja" so the API's docs page loads Swagger UI from our own static
    # files instead of a CDN, which the Content-Security-Policy below would (rightly) block.
    "csp",
    "ninja",
    "minipack_web.catalog",
    "minipack_web.guides",
    "minipack_web.community",
    "minipack_web.newsletter",
    "minipack_web.api",
    "minipack_web.seo",
    "minipack_web.caching",
    "minipack_web.database",
]

MIDDLEWARE = [
    # First, so a cached public page is stored with what every other middleware added (decision 0008).
    "minipack_web.caching.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered here, before sessions, CSRF and auth do work they do not need; still
    # after SecurityMiddleware, so they get its HTTPS redirect and headers (whitenoise's documented place).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every response; after the page cache, so cached pages are stored with it.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it is the first to see a view's exception: a full disk or a database busy past its timeout
    # becomes a 503 page with Retry-After instead of a 500 (RELIABILITY check 24).
    "minipack_web.database.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "minipack_web.urls"
WSGI_APPLICATION = "minipack_web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite, as Django configures it by default, loses writes under concurrency
# ("database is locked"). IMMEDIATE makes a transaction take the write lock at
# BEGIN, so a writer waits up to `timeout` seconds for its turn instead of
# failing when it upgrades a read lock; WAL lets readers carry on during a
# write; synchronous=NORMAL is durable enough in WAL mode and much faster.
# Measured in /work/shared/RELIABILITY.md, key finding 1: 0 of 1600 failed.
SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}


def database_settings(url: str | None, *, sqlite_path: Path) -> dict[str, Any]:
    """DATABASE_URL when given (PostgreSQL for larger sites), else a SQLite file; SQLite always gets SQLITE_OPTIONS."""
    if url:
        # Persistent connections with a health check survive a PostgreSQL restart
        # (a stale connection is replaced instead of failing the request).
        try:
            config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        except ValueError as exc:  # the message names the problem, never the URL (it may hold a password)
            raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
        _check_database(config)
    else:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_path}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


def _check_database(config: dict[str, Any]) -> None:
    """Refuse, at start-up, a DATABASE_URL that parses but cannot be what the site runs on."""
    engine, name = config["ENGINE"], str(config.get("NAME") or "")
    if engine not in ("django.db.backends.postgresql", "django.db.backends.sqlite3"):
        # The suite runs on these two only (.ci/run); anything else would be untested in production.
        raise ImproperlyConfigured(
            f"DATABASE_URL: {engine} is not supported; use postgres://user:password@host:5432/name or sqlite:///path"
        )
    if not name or name == ":memory:":
        # An in-memory SQLite database is a different, empty one in every connection and process.
        raise ImproperlyConfigured("DATABASE_URL names no database; add it (postgres://…/name, sqlite:////abs/path)")


DATABASES = {"default": database_settings(ENV.optional("DATABASE_URL"), sqlite_path=VAR_DIR / "db.sqlite3")}
# The folder of pg_dump and pg_restore for `minipack backup`/`restore` on PostgreSQL; unset, they are looked for
# in /usr/lib/postgresql/<server version>/bin (Debian) and on PATH.
MINIPACK_PG_BIN = ENV.optional("MINIPACK_PG_BIN")


def cache_settings(url: str | None, *, default_dir: Path) -> dict[str, Any]:
    """``CACHES`` from MINIPACK_CACHE_URL; without it, a directory of files under MINIPACK_VAR_DIR.

    The page cache's generation must be shared by every server process (gunicorn runs several), so
    the default is on disk, not in one process's memory. Schemes: ``file:///abs/dir``,
    ``db://table`` (run ``manage.py createcachetable``), ``locmem://`` (one process only, e.g.
    runserver), ``dummy://`` (cache nothing), ``redis://host:6379/0`` or ``rediss://`` (several
    servers: docs/decisions/0012-several-servers.md).
    """
    parsed = urlsplit(url or default_dir.as_uri())
    if parsed.scheme == "file":
        # A page miss lists the directory to cull it; 2,000 entries keep that to a few ms.
        config: dict[str, Any] = {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": unquote(parsed.path),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    elif parsed.scheme == "db" and parsed.netloc:
        config = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": parsed.netloc}
    elif parsed.scheme == "locmem":
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    elif parsed.scheme == "dummy":
        config = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    elif parsed.scheme in ("redis", "rediss") and parsed.hostname:
        # django-redis, not Django's built-in RedisCache: with IGNORE_EXCEPTIONS a Redis that is down is a
        # miss, so pages are served uncached instead of answering 500 (RELIABILITY finding 4, check B.28).
        # Short timeouts and GuardedRedis (fail fast for a while after a failure) keep a vanished Redis
        # host from adding seconds to every request; GuardedRedis also logs the outage, once.
        config = {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
                "REDIS_CLIENT_CLASS": "minipack_web.caching.guarded_redis.GuardedRedis",
            },
        }
    else:
        # The scheme only: a redis:// URL may carry a password.
        raise ImproperlyConfigured(
            f"MINIPACK_CACHE_URL ({parsed.scheme}://…) is not a cache URL: use file:///absolute/dir, db://table_name, "
            "locmem://, dummy:// or redis://host:6379/0."
        )
    config["TIMEOUT"] = 3600
    return {"default": config}


CACHES = cache_settings(ENV.optional("MINIPACK_CACHE_URL"), default_dir=VAR_DIR / "cache")

# Readers' comments (docs/decisions/0009-comments.md). Each limit is read from the environment so a load test
# can lift it (benchmarks/bench_comments.py sets the flood window, the hourly cap and the minimum form age
# to 0, which turns each off); production keeps these defaults.
# Proxies we run, whose X-Forwarded-For hop names the client (addresses or CIDR networks, comma-separated).
# Empty: the connection's own address is the client, and the header is ignored.
MINIPACK_TRUSTED_PROXIES = ENV.strings("MINIPACK_TRUSTED_PROXIES")
try:
    parse_networks(MINIPACK_TRUSTED_PROXIES)  # gunicorn runs no system checks: a typo must stop start-up here
except ValueError as exc:
    raise ImproperlyConfigured(f"MINIPACK_TRUSTED_PROXIES: {exc}") from None

# The request log (wsgi.py) logs one page-cache hit in this many; here, in development and tests, every one.
# Production logs a sample (prod.py, docs/decisions/0014-cached-hit-cost.md).
MINIPACK_LOG_HIT_SAMPLE = 1

# A second comment from one address (IP or email) within this many seconds is refused with 429.
MINIPACK_COMMENT_FLOOD_SECONDS = ENV.integer("MINIPACK_COMMENT_FLOOD_SECONDS", 15)
# At most this many comments per client IP (an IPv6 /64) in any hour; 0: no cap.
MINIPACK_COMMENT_HOURLY_LIMIT = ENV.integer("MINIPACK_COMMENT_HOURLY_LIMIT", 20)
# A comment form sent sooner than this after the page was made is refused (people read and type; scripts
# do not), and one older than the maximum is refused so an old form cannot be replayed for ever.
MINIPACK_COMMENT_FORM_MIN_SECONDS = ENV.integer("MINIPACK_COMMENT_FORM_MIN_SECONDS", 3)
MINIPACK_COMMENT_FORM_MAX_SECONDS = ENV.integer("MINIPACK_COMMENT_FORM_MAX_SECONDS", 2 * 60 * 60, minimum=1)

# Per-client limits on what scrapers hammer (minipack_web.ratelimit; docs/decisions/0012-several-servers.md),
# counted in CACHES["default"] (Redis on several servers, so a limit is the site's, not one process's).
# COUNT/PERIOD (s, m, h, d; "10/5m") or "off". A person searching makes a few requests a minute; a program
# using the API is held to two a second on average; ten signups from one address in a minute (an office
# behind one address, RELIABILITY C.33) still pass. Cached pages served without Django are not counted.
MINIPACK_RATE_LIMITS = {
    "api": ENV.string("MINIPACK_RATE_LIMIT_API", "120/m"),
    "search": ENV.string("MINIPACK_RATE_LIMIT_SEARCH", "120/m"),
    "newsletter": ENV.string("MINIPACK_RATE_LIMIT_NEWSLETTER", "20/h"),
}
for _scope, _rate in MINIPACK_RATE_LIMITS.items():
    try:
        parse_rate(_rate)  # gunicorn runs no system checks: a typo must stop start-up here
    except ValueError as exc:
        raise ImproperlyConfigured(f"MINIPACK_RATE_LIMIT_{_scope.upper()}: {exc}") from None

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Headers every environment sends, so the test suite and the browser tests see what production serves
# (docs/decisions/0011-production-settings.md). Most are Django's defaults, named here so a reader finds
# them and a change to a default cannot slip in unnoticed. What needs HTTPS (HSTS, the HTTPS redirect,
# Secure cookies) is in prod.py.
X_FRAME_OPTIONS = "DENY"  # no page of ours is meant to be framed (clickjacking)
SECURE_CONTENT_TYPE_NOSNIFF = True
# Links to shops and sources leave the site without saying which of our pages they came from.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True  # only editors have sessions; no script of ours reads the cookie
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp 4; Django 6 has SECURE_CSP). Nothing loads unless listed: our own
# scripts, styles, images, forms and fetches; no inline script or style, no plugins, no framing, no <base>.
# data: images are for Swagger UI's stylesheet (its icons are data: URLs); they cannot run script. No
# nonces: a nonce differs per response, and cached pages are shared by every visitor (decision 0008).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": [_NONE],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "connect-src": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
        "base-uri": [_NONE],
    },
}

# Request limits, checked before a body is parsed (RELIABILITY A.21): an oversized form or one with too
# many fields is a 400, not memory spent. Uploaded files do not count towards the first; a bag photo
# (minipack.photos.MAX_BYTES, 10 MB) is refused by the photo form with its own message.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MiB, Django's default: the largest form (an API fit body) is 1 MiB
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # the biggest admin formset posts a few hundred
# Uploads larger than this go to a temporary file instead of memory while they are read.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# Editors' bag photos: the resized variants services.bag_photo_create writes. Django serves them itself
# (catalog.views.photo_file), with or without DEBUG; see docs/decisions/0007-bag-photos.md.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"

# Outgoing mail (minipack_web/settings/email.py lists the variables). Mail never goes out on a request:
# it is queued in the database and sent by a background thread or `minipack send-mail`, so this timeout
# bounds how long one SMTP step may hang that sender, never a visitor (docs/decisions/0010-newsletter.md).
_MAIL = mail_settings(ENV)
MINIPACK_EMAIL_CONFIGURED = _MAIL.configured
EMAIL_BACKEND = _MAIL.backend
EMAIL_HOST = _MAIL.host
EMAIL_PORT = _MAIL.port
EMAIL_HOST_USER = _MAIL.user
EMAIL_HOST_PASSWORD = _MAIL.password
EMAIL_USE_TLS = _MAIL.use_tls
EMAIL_USE_SSL = _MAIL.use_ssl
EMAIL_FILE_PATH = _MAIL.file_path or default_file_path(VAR_DIR)
EMAIL_TIMEOUT = positive_number(ENV, "EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = ENV.string("DEFAULT_FROM_EMAIL", "Minipack <newsletter@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The newsletter. Digest mails per second (`minipack send-digest --rate` overrides it for one run).
MINIPACK_NEWSLETTER_RATE = positive_number(ENV, "MINIPACK_NEWSLETTER_RATE", 10)
# Send queued mail from a thread right after the signup commits; off in tests, which drain the queue themselves.
MINIPACK_NEWSLETTER_BACKGROUND = ENV.boolean("MINIPACK_NEWSLETTER_BACKGROUND", True)
# The key of the hashes we keep of addresses (the suppression list) and of signup IP addresses. Set it in
# production and keep it: rotating DJANGO_SECRET_KEY without it would orphan every suppression.
MINIPACK_NEWSLETTER_HASH_KEY = ENV.string("MINIPACK_NEWSLETTER_HASH_KEY")
# Within one `send-digest` run, a temporarily refused mail is tried this many times, waiting 2 s, 4 s, 8 s…
MINIPACK_NEWSLETTER_TRIES = 4
MINIPACK_NEWSLETTER_RETRY_BASE = 2.0
MINIPACK_NEWSLETTER_RETRY_CAP = 60.0
