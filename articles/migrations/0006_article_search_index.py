"""A GIN index over the stories' weighted search vector, on PostgreSQL only (SQLite has no full-text search).

The expression is frozen here, the same as articles.search.search_vector() today: a change there needs
a new migration (tests/stories/test_search.py checks on PostgreSQL that searches use this index).
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations


def search_index():
    return GinIndex(
        SearchVector("headline", weight="A", config="english")
        + SearchVector("dek", weight="B", config="english")
        + SearchVector("body", weight="C", config="english"),
        name="article_search_idx",
    )


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.add_index(apps.get_model("articles", "Article"), search_index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("articles", "Article"), search_index())


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0005_source_seo_policy"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
