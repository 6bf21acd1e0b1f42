"""The test suite: fast and isolated. With DATABASE_URL set it runs on PostgreSQL (CI runs both engines)."""

import os

from minipack_web.settings.base import *  # noqa: F403
from minipack_web.settings.base import DATABASES, VAR_DIR

SECRET_KEY = "test-only-insecure-key"
ALLOWED_HOSTS = ["testserver", "localhost"]

# Hashing with PBKDF2 costs ~0.3 s per password; tests log users in often.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# WhiteNoise serves static files from the app folders, as in development: no collectstatic before a test run.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Off: the suite sends hundreds of requests from one address (the API's schema fuzzing). The limiter's own
# tests (tests/web/test_ratelimit.py) turn each limit on with override_settings.
MINIPACK_RATE_LIMITS = {"api": "off", "search": "off", "newsletter": "off"}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tests drain the newsletter's mail queue themselves (tests/web/newsletter turn the thread on where they test it).
MINIPACK_NEWSLETTER_BACKGROUND = False
MINIPACK_NEWSLETTER_RETRY_BASE = 0.01
MINIPACK_NEWSLETTER_RETRY_CAP = 0.05

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not Django's default in-memory test database: WAL and the
    # IMMEDIATE transaction mode only mean something on a file, and the
    # concurrency checks (RELIABILITY D.46) need several connections to one
    # database. The process id keeps two test runs in one checkout apart;
    # Django deletes the file when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": VAR_DIR / f"test_db_{os.getpid()}.sqlite3"}
