"""WSGI entry point. Production settings by default: a server is a deployment, and prod fails fast if unset."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minipack_web.settings.prod")

application = get_wsgi_application()
