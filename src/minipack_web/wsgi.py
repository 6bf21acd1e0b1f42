"""WSGI entry point. Production settings by default: a server is a deployment, and prod fails fast if unset."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipack_web.settings.prod")

django_application = get_wsgi_application()

# Cached public pages are answered here, before Django builds a request (minipack_web.caching).
from minipack_web.caching import PageCacheFront  # noqa: E402 - needs the settings configured above

application = PageCacheFront(django_application)
