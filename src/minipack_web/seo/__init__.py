"""How the site describes itself to search engines and feed readers.

One origin for every absolute URL (``MINIPACK_SITE_URL``, never the
request's Host header); canonical, robots and OpenGraph tags in each page's
head (``templatetags/seo.py``); ``/sitemap.xml``, ``/robots.txt`` and the
Atom feed of guides at ``/feeds/guides.atom``. The schema.org data itself is
built in the core (``minipack.schema_org``) and serialised by the selectors
of the page it describes.
"""
