"""Production. Fails at start-up, not at the first request, when the secret or the host list is missing.

A later issue hardens this (HTTPS redirects, HSTS, CSP, secure cookies; RELIABILITY section 4).
"""

from django.core.exceptions import ImproperlyConfigured

from minipack_web.settings.base import *  # noqa: F403
from minipack_web.settings.env import ENV

DEBUG = False
SECRET_KEY = ENV.required("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = ENV.required_strings("DJANGO_ALLOWED_HOSTS")


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
