"""Fill an empty database with a realistic newsroom's stories for the benchmark, fast:

    manage.py seed_bench --articles 2000         # make bench's quick dataset (then seed_bench_comments)
    manage.py seed_bench --articles 100000       # the big one, on PostgreSQL

Sources, sections, authors and tags; stories over the past months (mostly published, some scheduled,
drafts, unpublished, a few with an unpublish time), a third of them with one of a few shared lead
images, one in a hundred mentioning a lighthouse (for a search that matches a few). Three stories are
the benchmark's fixed points: "bench-0-comments", "bench-100-comments" and "bench-1000-comments",
published two hours ago in News with comments open; `manage.py seed_bench_comments` (comments/) gives
them, and the other published stories, their readers' comments.

Rows go in with bulk inserts, in batches, with no per-row signals, so the page cache hears nothing:
whoever seeds tells it once at the end (scripts/bench.py). Repeatable: the same --seed gives the same data.
"""

import datetime
import io
import random
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from imagekit.cachefiles import ImageCacheFile
from imagekit.registry import generator_registry
from PIL import Image, ImageDraw

from articles.management.commands.import_feed import ProgressBar
from articles.models import Article, Author, Section, Source, Tag

FIXED_STORIES = {"bench-0-comments": 0, "bench-100-comments": 100, "bench-1000-comments": 1000}
SECTIONS = ["News", "Business", "Sport", "Culture", "Science", "Opinion", "World", "Travel"]
VOCABULARY = (
    "council harbour budget vote mayor river bridge school teachers parents market prices storm weather "
    "railway station night bus route housing rent tenants court ruling judge police report museum exhibition "
    "festival concert orchestra theatre season club match league coach players stadium fans goal minute "
    "scientists study climate coast erosion ferry island fishermen quota farmers harvest drought hospital "
    "nurses doctors ward funding minister plan election candidates debate survey residents street traffic "
    "cyclists lane park trees library opening hours volunteers charity appeal donors company workers jobs "
    "factory plant energy wind solar grid prices inflation bank rates savings airport flights delays tourists "
    "hotel summer winter spring autumn morning evening week month year city town village region country"
)
WORDS = VOCABULARY.split()
STATUS_SHARES = [  # of the stories other than the fixed three
    (Article.Status.PUBLISHED, 0.955),
    (Article.Status.SCHEDULED, 0.01),
    (Article.Status.DRAFT, 0.015),
    (Article.Status.IN_REVIEW, 0.01),
    (Article.Status.UNPUBLISHED, 0.01),
]
# Every word of WORDS is in nearly every story; a search the way readers search matches a few: this
# sentence is in one story in a hundred (the benchmark searches for "lighthouse").
RARE_SENTENCE = "The lighthouse keeper has seen it all before."
RARE_SHARE = 0.01
IMAGES = 4
IMAGE_SIZE = (1600, 900)


def sentence(rng, low, high):
    words = rng.choices(WORDS, k=rng.randint(low, high))
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng, 8, 18) for _ in range(rng.randint(3, 6)))


class Command(BaseCommand):
    help = "Fill an empty database with stories for the benchmark (bulk inserts); seed_bench_comments adds comments."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=2000, help="stories in all (default 2000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed, the same data")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per insert (default 5000)")

    def handle(self, *args, articles, seed, batch_size, **options):
        if articles < 10:
            raise CommandError("--articles must be at least 10 (three of them are the benchmark's fixed stories).")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        existing = Article.objects.count()
        if existing:
            raise CommandError(
                f"seed_bench fills an empty database, and this one has {existing} stories: "
                "point DATABASE_URL at a new one (make bench makes its own)."
            )
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.verbosity = options["verbosity"]
        self.now = timezone.now().replace(microsecond=0)
        started = time.monotonic()
        with transaction.atomic():
            self.make_site()
            self.make_articles(articles)
            self.reset_sequences()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would soon: the planner's statistics for the new rows
        if self.verbosity:
            self.stdout.write(f"Seeded {articles} stories in {time.monotonic() - started:.0f} s ({connection.vendor}).")

    # --- progress ----------------------------------------------------------------------------------

    def progress(self, label, total):
        if self.verbosity >= 1 and self.stdout.isatty():
            bar = ProgressBar(self.stdout, label)
            return bar, bar.clear
        return (lambda done, total: None), (lambda: None)

    # --- the newsroom around the stories -----------------------------------------------------------

    def make_site(self):
        rng = self.rng
        self.sections = Section.objects.bulk_create(
            Section(name=name, slug=name.lower(), description=f"{name} from the newsroom.", position=n)
            for n, name in enumerate(SECTIONS)
        )
        self.sources = Source.objects.bulk_create(
            Source(
                name=f"Wire {n}",
                slug=f"wire-{n}",
                homepage=f"https://wire{n}.example/",
                licence="Republished under licence.",
                seo_policy=rng.choice(list(Source.SEOPolicy.values)),
            )
            for n in range(12)
        )
        self.authors = Author.objects.bulk_create(
            Author(name=f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n}", slug=f"author-{n}")
            for n in range(60)
        )
        self.tags = Tag.objects.bulk_create(Tag(name=f"{word} {n}", slug=f"{word}-{n}") for n, word in enumerate(WORDS))
        self.images = self.make_images()

    def make_images(self):
        """A few lead images, shared by many stories, with their renditions made once each."""
        names = []
        for n in range(IMAGES):
            image = Image.new("RGB", IMAGE_SIZE, (40 + 50 * n, 90, 160 - 30 * n))
            draw = ImageDraw.Draw(image)
            for band in range(0, IMAGE_SIZE[0], 80):
                draw.rectangle([band, 0, band + 30, IMAGE_SIZE[1]], fill=(200, 180 - 20 * n, 60 + 40 * n))
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=80)
            name = f"lead-images/bench/bench-{n}.jpg"
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(buffer.getvalue()))
            names.append(name)
        return names

    def make_renditions(self, stories):
        """Each shared image's renditions, once (articles.distribution.renditions registers them)."""
        done = set()
        for story in stories:
            if story.lead_image and story.lead_image.name not in done:
                done.add(story.lead_image.name)
                for spec_id in generator_registry.get_ids():
                    if spec_id.startswith("articles:"):
                        ImageCacheFile(generator_registry.get(spec_id, source=story.lead_image)).generate()

    # --- stories -----------------------------------------------------------------------------------

    def article_status(self):
        roll, total = self.rng.random(), 0.0
        for status, share in STATUS_SHARES:
            total += share
            if roll < total:
                return status
        return Article.Status.PUBLISHED

    def new_article(self, n, status, published_at, section, slug=None):
        rng = self.rng
        source = rng.choice(self.sources) if rng.random() < 0.4 else None
        image = rng.choice(self.images) if rng.random() < 0.33 else ""
        headline = sentence(rng, 5, 11).rstrip(".")
        story = Article(
            headline=headline,
            slug=slug or f"story-{n}",
            dek=sentence(rng, 10, 20),
            body="".join(f"<p>{paragraph(rng)}</p>" for _ in range(rng.randint(4, 8)))
            + (f"<p>{RARE_SENTENCE}</p>" if rng.random() < RARE_SHARE else ""),
            section=section,
            source=source,
            source_url=f"https://{source.slug}.example/{n}" if source else "",
            source_licence=source.licence if source else "",
            status=status,
            published_at=published_at,
            comments_enabled=rng.random() < 0.95,
            lead_image=image,
            lead_image_width=IMAGE_SIZE[0] if image else None,
            lead_image_height=IMAGE_SIZE[1] if image else None,
            lead_image_alt="A pattern of coloured bands" if image else "",
        )
        if status == Article.Status.PUBLISHED and rng.random() < 0.005:
            story.unpublish_at = self.now + datetime.timedelta(hours=rng.randint(1, 24 * 14))
        return story

    def make_articles(self, count):
        rng = self.rng
        # About 50 stories a day, however many there are, so that dates look like a newsroom's.
        span = datetime.timedelta(days=max(count / 50, 7))
        news = self.sections[0]
        stories = [
            self.new_article(n, Article.Status.PUBLISHED, self.now - datetime.timedelta(hours=2), news, slug=slug)
            for n, slug in enumerate(FIXED_STORIES)
        ]
        for story in stories:
            story.comments_enabled = True
        for n in range(len(stories), count):
            status = self.article_status()
            if status == Article.Status.SCHEDULED:
                published_at = self.now + datetime.timedelta(minutes=rng.randint(10, 7 * 24 * 60))
            elif status in (Article.Status.DRAFT, Article.Status.IN_REVIEW):
                published_at = None
            else:
                published_at = self.now - datetime.timedelta(seconds=rng.randint(3 * 3600, int(span.total_seconds())))
            stories.append(self.new_article(n, status, published_at, rng.choice(self.sections)))

        update, done = self.progress("Stories", count)
        saved = []
        for start in range(0, count, self.batch_size):
            saved += Article.objects.bulk_create(stories[start : start + self.batch_size])
            update(len(saved), count)
        done()
        # As if each was saved when it went live (auto_now stamped them all with now: "Updated" everywhere).
        Article.objects.filter(published_at__isnull=False).update(
            created_at=F("published_at"), updated_at=F("published_at")
        )

        Authors, Tags = Article.authors.through, Article.tags.through
        bylines, tagging = [], []
        for story in saved:
            fixed = story.slug in FIXED_STORIES  # the same byline and tags whatever the size, to compare sizes
            for author in self.authors[:1] if fixed else rng.sample(self.authors, rng.choice([1, 1, 1, 2])):
                bylines.append(Authors(article_id=story.pk, author_id=author.pk))
            for tag in self.tags[:2] if fixed else rng.sample(self.tags, rng.randint(0, 4)):
                tagging.append(Tags(article_id=story.pk, tag_id=tag.pk))
        Authors.objects.bulk_create(bylines, batch_size=self.batch_size)
        Tags.objects.bulk_create(tagging, batch_size=self.batch_size)
        self.make_renditions(saved)
        return saved

    def reset_sequences(self):
        models = [Section, Source, Author, Tag, Article]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
