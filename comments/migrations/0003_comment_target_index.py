"""One index for "the comments on this story": django_comments' table is filtered by content type, object
and site on every story page and list page (comments/selectors.py).

django_comments indexes object_pk and site_id separately. Without statistics (SQLite is never ANALYZEd
here) SQLite picks the site_id index, which every comment shares, and reads the whole table for each
story page; PostgreSQL finds the object_pk index but filters the rest row by row. This index matches the
three equalities. The table is django_comments' own, so the index is added here, like migration 0006 of
articles (tests/test_public_query_indexes.py checks the plans on PostgreSQL).
"""

from django.db import migrations, models

NAME = "comment_target_idx"


def target_index():
    return models.Index(fields=["object_pk", "content_type", "site"], name=NAME)


def create_index(apps, schema_editor):
    schema_editor.add_index(apps.get_model("django_comments", "Comment"), target_index())


def drop_index(apps, schema_editor):
    schema_editor.remove_index(apps.get_model("django_comments", "Comment"), target_index())


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0002_outbox_privacy_requests"),
        ("django_comments", "0004_add_object_pk_is_removed_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
