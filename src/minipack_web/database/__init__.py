"""The database as an operator handles it: backups and restores, and what a visitor sees when it cannot take a write.

``backup`` and ``restore`` copy the whole database with each engine's own
consistent tool (SQLite's online backup API, PostgreSQL's ``pg_dump -Fc``
and ``pg_restore``) and describe each copy in a manifest that a restore
checks before and after it writes (docs/decisions/0013-backups-and-drills.md).
``errors`` tells a database that is full or busy from other failures, and
``middleware`` turns those into a 503 page with Retry-After instead of a 500.
"""
