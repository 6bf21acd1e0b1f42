"""Reader-facing pages built from the whole catalog: site search (/search/, with
autocomplete at /search/suggest) and the FAQ answered from data (/faq/).

The guide pages (the Top 10 at / and /guides/<slug>/) land here next; the
guides themselves are defined in the core (``minipack.guides``).
"""
