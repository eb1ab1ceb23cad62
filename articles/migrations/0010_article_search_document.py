"""Store each story's weighted search vector (a generated column), and index that column instead of the expression.

Ranking needs every matching story's vector: from the 0006 expression index PostgreSQL had to parse each
one's body again, search after search. Adding the column rewrites the articles table once on PostgreSQL
(about a minute for 100,000 stories); on SQLite the column is NULL and unused.
"""

import importlib

import django.contrib.postgres.search
from django.contrib.postgres.indexes import GinIndex
from django.db import migrations, models

import articles.search

EXPRESSION_INDEX = importlib.import_module("articles.migrations.0006_article_search_index")

COLUMN_INDEX = GinIndex(fields=["search_document"], name="article_search_document_idx")


def index_the_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        article = apps.get_model("articles", "Article")
        schema_editor.remove_index(article, EXPRESSION_INDEX.search_index())
        schema_editor.add_index(article, COLUMN_INDEX)


def index_the_expression(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        article = apps.get_model("articles", "Article")
        schema_editor.remove_index(article, COLUMN_INDEX)
        schema_editor.add_index(article, EXPRESSION_INDEX.search_index())


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0009_public_query_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="search_document",
            field=models.GeneratedField(
                db_persist=True,
                expression=articles.search.SearchDocument(),
                output_field=django.contrib.postgres.search.SearchVectorField(null=True),
            ),
        ),
        migrations.RunPython(index_the_column, index_the_expression, elidable=False),
    ]
