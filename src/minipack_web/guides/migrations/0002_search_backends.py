"""What each database needs for search beyond the tables: a vendor-guarded migration.

SQLite: an FTS5 table with the trigram tokenizer (SQLite 3.34+), so any
substring of three characters or more — a prefix like 'fjall' included —
is found by the index. PostgreSQL: the pg_trgm extension, for
``TrigramWordSimilarity`` (typo tolerance). Other databases get nothing and
search falls back to substring matching on ``folded``.
"""

from django.db import migrations


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE VIRTUAL TABLE IF NOT EXISTS guides_search_fts USING fts5(folded, tokenize='trigram')"
        )
    elif vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


def drop(apps, schema_editor):
    # The extension stays: other code may come to rely on it, and dropping it needs more rights than creating.
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS guides_search_fts")


class Migration(migrations.Migration):
    dependencies = [("guides", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
