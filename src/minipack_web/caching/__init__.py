"""The public page cache: whole HTML pages kept per address, dropped the moment an editor changes anything.

Views opt in with ``@cache_public_page(timeout)``. ``PageCacheMiddleware``
(first in ``MIDDLEWARE``) stores a page once every other middleware is done
with it, and only if it is the same for everyone (no cookie set, no CSRF
token used, no session read, no Vary); ``PageCacheFront`` (``wsgi.py``)
answers stored pages before Django builds a request. Each page is filed
under the site's current *generation*, a random token kept in the database
and copied to the shared cache, which any write to the catalog or the
guides replaces, so every server process stops serving the old pages at
once. Why each choice: docs/decisions/0008-page-cache.md and, for several
servers sharing Redis, 0012-several-servers.md.
"""

from minipack_web.caching.pages import (
    GENERATION_COPY_S,
    GENERATION_REUSE_S,
    PAGE_TIMEOUT,
    PageCacheFront,
    PageCacheMiddleware,
    cache_public_page,
    clear_local_pages,
    invalidate_pages,
    new_generation,
)

__all__ = [
    "GENERATION_COPY_S",
    "GENERATION_REUSE_S",
    "PAGE_TIMEOUT",
    "PageCacheFront",
    "PageCacheMiddleware",
    "cache_public_page",
    "clear_local_pages",
    "invalidate_pages",
    "new_generation",
]
