"""Settings every environment shares. ``dev``, ``test`` and ``prod`` import this and add to it."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from minipack.client_ip import parse_networks
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
    "minipack_web.catalog",
    "minipack_web.guides",
    "minipack_web.community",
    "minipack_web.newsletter",
    "minipack_web.api",
    "minipack_web.seo",
    "minipack_web.caching",
]

MIDDLEWARE = [
    # First, so a cached public page is stored with what every other middleware added (decision 0008).
    "minipack_web.caching.PageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
    else:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        config = {"ENGINE": "django.db.backends.sqlite3", "NAME": sqlite_path}
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {**SQLITE_OPTIONS, **config.get("OPTIONS", {})}
    return config


DATABASES = {"default": database_settings(ENV.optional("DATABASE_URL"), sqlite_path=VAR_DIR / "db.sqlite3")}


def cache_settings(url: str | None, *, default_dir: Path) -> dict[str, Any]:
    """``CACHES`` from MINIPACK_CACHE_URL; without it, a directory of files under MINIPACK_VAR_DIR.

    The page cache's generation must be shared by every server process (gunicorn runs several), so
    the default is on disk, not in one process's memory. Schemes: ``file:///abs/dir``,
    ``db://table`` (run ``manage.py createcachetable``), ``locmem://`` (one process only, e.g.
    runserver), ``dummy://`` (cache nothing).
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
    else:
        raise ImproperlyConfigured(
            f"MINIPACK_CACHE_URL={url!r}: use file:///absolute/dir, db://table_name, locmem:// or dummy://."
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
# A second comment from one address (IP or email) within this many seconds is refused with 429.
MINIPACK_COMMENT_FLOOD_SECONDS = ENV.integer("MINIPACK_COMMENT_FLOOD_SECONDS", 15)
# At most this many comments per client IP (an IPv6 /64) in any hour; 0: no cap.
MINIPACK_COMMENT_HOURLY_LIMIT = ENV.integer("MINIPACK_COMMENT_HOURLY_LIMIT", 20)
# A comment form sent sooner than this after the page was made is refused (people read and type; scripts
# do not), and one older than the maximum is refused so an old form cannot be replayed for ever.
MINIPACK_COMMENT_FORM_MIN_SECONDS = ENV.integer("MINIPACK_COMMENT_FORM_MIN_SECONDS", 3)
MINIPACK_COMMENT_FORM_MAX_SECONDS = ENV.integer("MINIPACK_COMMENT_FORM_MAX_SECONDS", 2 * 60 * 60, minimum=1)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
