"""An index for "the comments of this address", whatever its case: every comment posted asks the policy
how many this address has had approved and how many it sent in the last minute
(comments/policy.py, `user_email__iexact`). Without it each post read the whole comments table: 170 ms
with 1,000,000 comments on PostgreSQL.

`iexact` is UPPER(user_email) = UPPER(…) on PostgreSQL and `user_email LIKE …` on SQLite, which uses an
index only when it compares without case (NOCASE), so each database gets the index it can use. The table
is django_comments' own, so the index is added here (like 0003).
"""

from django.db import migrations, models
from django.db.models.functions import Collate, Upper

NAME = "comment_email_idx"


def email_index(vendor):
    if vendor == "postgresql":
        return models.Index(Upper("user_email"), name=NAME)
    if vendor == "sqlite":
        return models.Index(Collate("user_email", "NOCASE"), name=NAME)
    return None


def create_index(apps, schema_editor):
    index = email_index(schema_editor.connection.vendor)
    if index is not None:
        schema_editor.add_index(apps.get_model("django_comments", "Comment"), index)
    if schema_editor.connection.vendor == "postgresql":
        # PostgreSQL knows an expression's values only once it has analysed them: until then it guesses
        # thousands of rows per address and reads the comments table anyway.
        schema_editor.execute("ANALYZE django_comments")


def drop_index(apps, schema_editor):
    index = email_index(schema_editor.connection.vendor)
    if index is not None:
        schema_editor.remove_index(apps.get_model("django_comments", "Comment"), index)


class Migration(migrations.Migration):
    dependencies = [
        ("comments", "0003_comment_target_index"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
