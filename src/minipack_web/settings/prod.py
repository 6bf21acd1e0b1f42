"""Production. Fails at start-up, not at the first request, when the secret or the host list is missing.

A later issue hardens this (HTTPS redirects, HSTS, CSP, secure cookies; RELIABILITY section 4).
"""

from minipack_web.settings.base import *  # noqa: F403
from minipack_web.settings.env import ENV

DEBUG = False
SECRET_KEY = ENV.required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = ENV.required_strings("DJANGO_ALLOWED_HOSTS")
