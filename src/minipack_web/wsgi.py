"""WSGI entry point. Production settings by default: a server is a deployment, and prod fails fast if unset."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipack_web.settings.prod")

django_application = get_wsgi_application()

# Cached public pages are answered here, before Django builds a request (minipack_web.caching).
from minipack_web.caching import PageCacheFront  # noqa: E402 - needs the settings configured above
from minipack_web.monitoring.logs import RequestLog  # noqa: E402

# The request log is outermost, so pages the cache's front door answers are logged too (a sample of them).
application = RequestLog(PageCacheFront(django_application), hit_sample=settings.MINIPACK_LOG_HIT_SAMPLE)

# Several servers behind one proxy: each names itself in X-Served-By (docs/deploy.md).
from minipack_web.ops.served_by import served_by  # noqa: E402
from minipack_web.settings.env import ENV  # noqa: E402

application = served_by(application, ENV.optional("MINIPACK_SERVER_NAME"))
