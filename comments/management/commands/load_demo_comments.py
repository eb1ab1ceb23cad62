"""Readers' comments on the demo newsroom: `manage.py load_demo_comments`, after `manage.py load_demo`.

Safe to run again: a story that has comments already (loaded before, or readers have commented) is
left alone, and so is a demo story that is not there.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from comments.models import ArticleComment

# The threads of the demo stories, by slug: each comment posted `after` the story went live.
THREADS = {
    "council-approves-eastern-tram-line": [
        {
            "name": "Priya Nair",
            "email": "priya.nair@example.com",
            "url": "",
            "text": "Finally. The 14 bus is standing room only every morning; the tram can't come soon enough.",
            "after": datetime.timedelta(minutes=40),
            "replies": [
                {
                    "name": "Daniel Kowalski",
                    "email": "dkowalski@example.com",
                    "url": "https://daniel.example.org/",
                    "text": "The story says 2029 at the earliest, so the 14 bus it is for a while yet. "
                    "Still good news.",
                    "after": datetime.timedelta(minutes=75),
                }
            ],
        },
        {
            "name": "Margaret Hale",
            "email": "m.hale@example.com",
            "url": "",
            "text": "Will the route keep the stop at Fenwick Market? The map in the plan is hard to read.",
            "after": datetime.timedelta(minutes=90),
        },
    ],
    "corn-exchange-reopens-as-concert-hall": [
        {
            "name": "Leo Fischer",
            "email": "leo.fischer@example.com",
            "url": "",
            "text": "Went to the opening night. The sound from the back row was better than I expected.",
            "after": datetime.timedelta(hours=20),
        },
        {
            "name": "Sunita Rao",
            "email": "sunita@example.com",
            "url": "",
            "text": "Are the winter series tickets on sale yet? The box office website doesn't say.",
            "after": datetime.timedelta(hours=30),
            "public": False,  # held for moderation
        },
    ],
}


class Command(BaseCommand):
    help = "Load readers' comments on the demo newsroom's stories (run load_demo first). Safe to re-run."

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        self.created = 0
        stories = {article.slug: article for article in Article.objects.filter(slug__in=THREADS)}
        with transaction.atomic():
            for slug, thread in THREADS.items():
                if slug in stories:
                    self.add_comments(stories[slug], thread)
        if self.verbosity >= 1:
            self.stdout.write(
                f"Demo comments: {len(THREADS)} stories with threads. "
                + (f"Created {self.created} comments." if self.created else "Nothing new: they were already loaded.")
            )

    def add_comments(self, article, comments):
        content_type = ContentType.objects.get_for_model(Article)
        on_story = ArticleComment.objects.filter(content_type=content_type, object_pk=str(article.pk))
        if on_story.exists():
            return  # loaded before (or readers have commented): leave the thread alone

        def create(spec, parent=None):
            comment = ArticleComment.objects.create(
                content_type=content_type,
                object_pk=str(article.pk),
                site_id=settings.SITE_ID,
                user_name=spec["name"],
                user_email=spec["email"],
                user_url=spec["url"],
                comment=spec["text"],
                is_public=spec.get("public", True),
                submit_date=article.published_at + spec["after"],
                parent_id=parent.pk if parent else 0,
            )
            self.created += 1
            for reply in spec.get("replies", []):
                create(reply, parent=comment)

        for spec in comments:
            create(spec)
        if self.verbosity >= 2:
            self.stdout.write(f"  + comments on: {article}")
