"""An index for the next moment a story's comments close at the time the desk set (Article.comments_close_at):
the page cache asks for it with the other scheduled moments (ArticleQuerySet.next_change_after), as the first row
of an index, like the unpublish time's in 0009. Few stories have one, so the index holds only those."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_story_comment_rules"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                condition=models.Q(("comments_close_at__isnull", False)),
                fields=["comments_close_at"],
                name="article_comments_close_at_idx",
            ),
        ),
    ]
