"""Local development: DEBUG on, a throwaway secret, static files served by runserver (django.contrib.staticfiles)."""

from minipack_web.settings.base import *  # noqa: F403
from minipack_web.settings.env import ENV

DEBUG = True
SECRET_KEY = ENV.string("DJANGO_SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ENV.strings("DJANGO_ALLOWED_HOSTS", ("localhost", "127.0.0.1", "[::1]"))
if not MINIPACK_EMAIL_CONFIGURED:  # noqa: F405 - from base
    # Mail is printed on the console unless EMAIL_URL or EMAIL_HOST says where to send it.
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
