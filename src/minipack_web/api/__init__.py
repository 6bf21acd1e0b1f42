"""The public read-only JSON API over the catalog, built with django-ninja (docs/api.md).

``views`` holds the endpoints (thin: read the query, call one selector or
core function, return a schema), ``schemas`` the response shapes the
OpenAPI document at ``/api/openapi.json`` is generated from, ``selectors``
the API's reads, ``fit_body`` the reading of a fit request body (through
``minipack.fit.jsonl``) and ``errors`` the one place where core errors
become JSON 4xx answers.
"""
