"""Absolute URLs on the site's one configured origin, ``MINIPACK_SITE_URL``."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` ('/bags/x/') on ``MINIPACK_SITE_URL``; a URL that is already absolute is returned as it is."""
    if path.startswith(("http://", "https://")):
        return path
    if not path.startswith("/"):
        raise ValueError(f"expected a path from the site root, got {path!r}")
    # Read at call time, not import time, so override_settings and a per-deployment value both hold.
    return f"{settings.MINIPACK_SITE_URL}{path}"
