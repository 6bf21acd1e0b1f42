"""Wires the page cache to every write: model signals for the apps whose data pages show, and a start-up check."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.autoreload import file_changed

from minipack_web.caching.pages import build_id, invalidate_pages

# The apps whose rows public pages print. Every model in them, today's and tomorrow's (photos,
# guides edited in the admin), starts a new page generation when saved or deleted: one listener
# per model, connected by app label, so a new model is covered without anyone remembering to.
PAGE_APPS = ("catalog", "guides")
# Not "community": pages print only approved comments, so that app tells the cache itself, and only of writes
# that can change a page; a held comment must not let any visitor empty the cache (community/apps.py, decision 0009).

# Rows derived from the others and written only in bulk by services that invalidate explicitly
# (catalog_refresh rewrites findings; the search index follows the catalog). Listening to their
# deletes would cost more than it says: Django fetches every row and sends a signal per row
# instead of one DELETE when a model has delete listeners.
DERIVED = frozenset({"catalog.Finding", "guides.SearchDocument", "guides.SearchIndexState"})

MIDDLEWARE_PATH = "minipack_web.caching.PageCacheMiddleware"


def _changed(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    invalidate_pages(using=using)


def _m2m_changed(sender: Any, action: str, using: str | None = None, **kwargs: Any) -> None:
    if action.startswith("post_"):  # not the pre_ half of each change
        invalidate_pages(using=using)


def _migrated(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    # migrate and flush (which ends by sending post_migrate) can change every row at once. Not when the
    # generation's own table is missing: migrating backwards past this app, or a plan that stops short of it.
    from minipack_web.caching.models import PageGeneration

    if PageGeneration._meta.db_table in connections[using or DEFAULT_DB_ALIAS].introspection.table_names():
        invalidate_pages(using=using)


def _file_changed(sender: Any, file_path: Any, **kwargs: Any) -> None:
    # runserver reloads templates without restarting, so the build id read at start would outlive an
    # edited template. Returns None: the reloader still restarts for Python files.
    build_id.cache_clear()


def check_middleware(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    # First: a stored page must carry every header the others add, and the cookies and Vary they set
    # must be seen before a page is stored; the WSGI front serves stored pages with no middleware at all.
    if list(settings.MIDDLEWARE[:1]) == [MIDDLEWARE_PATH]:
        return []
    return [
        checks.Error(
            f"{MIDDLEWARE_PATH} must be the first entry of MIDDLEWARE.",
            hint="Without it @cache_public_page caches nothing; later, a stored page could lack headers or "
            "carry a cookie another middleware set.",
            id="caching.E001",
        )
    ]


class CachingConfig(AppConfig):
    name = "minipack_web.caching"
    label = "caching"
    verbose_name = "Page cache"

    def ready(self) -> None:
        checks.register(check_middleware)
        for label in PAGE_APPS:
            for model in apps.get_app_config(label).get_models():
                if model._meta.label in DERIVED:
                    continue
                uid = f"minipack-pages-{model._meta.label_lower}"
                post_save.connect(_changed, sender=model, dispatch_uid=uid)
                post_delete.connect(_changed, sender=model, dispatch_uid=uid)
                for field in model._meta.local_many_to_many:
                    m2m_changed.connect(_m2m_changed, sender=field.remote_field.through, dispatch_uid=uid)
        post_migrate.connect(_migrated, sender=self, dispatch_uid="minipack-pages-migrate")
        file_changed.connect(_file_changed, dispatch_uid="minipack-pages-file-changed")
