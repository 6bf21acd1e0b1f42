"""Top-level routes: the editor admin and each app's own URLs."""

from django.contrib import admin
from django.contrib.staticfiles.urls import staticfiles_urlpatterns
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("minipack_web.api.urls")),
    path("newsletter/", include("minipack_web.newsletter.urls")),
    path("comments/", include("minipack_web.community.urls")),
    # /healthz, for load balancers.
    path("", include("minipack_web.monitoring.urls")),
    # /robots.txt, /sitemap.xml and /feeds/: what search engines and feed readers fetch.
    path("", include("minipack_web.seo.urls")),
    path("", include("minipack_web.guides.urls")),
    path("", include("minipack_web.catalog.urls")),
]

# Static files from the app folders while DEBUG is on (an empty list otherwise); in production WhiteNoise
# serves the collected, hashed files (settings/prod.py, docs/decisions/0011-production-settings.md).
urlpatterns += staticfiles_urlpatterns()
