"""The public read-only JSON API over the catalog.

Empty for now; the endpoints and their OpenAPI schema land in a later issue.
"""
