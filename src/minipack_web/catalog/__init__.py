"""The catalog in the database: brands, sources, products, their claims and the findings of the spec checks.

``services`` writes (imports, refreshes), ``selectors`` reads; both hand the
rules to the core (``minipack.records``, ``minipack.checks``,
``minipack.catalog``) and only move data between it and the database.
"""
