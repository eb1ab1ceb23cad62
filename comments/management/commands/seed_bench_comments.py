"""The benchmark's readers' comments, fast: `manage.py seed_bench_comments`, after `manage.py seed_bench`.

    manage.py seed_bench --articles 2000 && manage.py seed_bench_comments --comments 20000   # make bench's
    manage.py seed_bench_comments --articles 2000 --comments 20000     # the same: runs seed_bench first

Threaded comments on the published stories, spread with a long tail (most stories have a handful, a few
have thousands), mostly published, some held or removed; seed_bench's three fixed stories get 0, 100 and
1000 ("bench-100-comments").

Rows go into comments' tables (django_comments', xtd's and ours) with bulk inserts (PostgreSQL: COPY), in
batches, with no per-row signals, so the page cache hears nothing: whoever seeds tells it once at the end
(scripts/bench.py). Repeatable: the same --seed gives the same comments on the same stories.
"""

import datetime
import io
import random
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from articles.management.commands.import_feed import ProgressBar
from articles.management.commands.seed_bench import FIXED_STORIES, sentence
from articles.models import Article
from comments.models import ArticleComment

MAX_COMMENTS_PER_STORY = 3000


def insert_rows(model, columns, rows):
    """Insert plain rows into `model`'s own table: COPY on PostgreSQL, executemany elsewhere."""
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    prepared = [[f.get_db_prep_save(value, connection) for f, value in zip(fields, row, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in prepared:
                buffer.write("\t".join(r"\N" if value is None else str(value) for value in row))
                buffer.write("\n")
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", prepared)


class Command(BaseCommand):
    help = "Add threaded comments to the benchmark's stories (after seed_bench, or with --articles, seed_bench first)."

    def add_arguments(self, parser):
        parser.add_argument("--comments", type=int, default=20000, help="comments in all (default 20000)")
        parser.add_argument(
            "--articles", type=int, default=None, help="run seed_bench for this many stories first (an empty database)"
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed: the same seed, the same data")
        parser.add_argument("--batch-size", type=int, default=5000, help="rows per insert (default 5000)")

    def handle(self, *args, comments, articles, seed, batch_size, **options):
        if comments < sum(FIXED_STORIES.values()):
            raise CommandError(f"--comments must be at least {sum(FIXED_STORIES.values())} (the fixed stories' own).")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        if articles is not None:
            call_command(
                "seed_bench",
                articles=articles,
                seed=seed,
                batch_size=batch_size,
                verbosity=options["verbosity"],
                stdout=self.stdout,
            )
        fixed = Article.objects.filter(slug__in=FIXED_STORIES).count()
        if fixed != len(FIXED_STORIES):
            raise CommandError("seed_bench_comments comments on seed_bench's stories: run seed_bench first.")
        existing = ArticleComment.objects.count()
        if existing:
            raise CommandError(f"seed_bench_comments adds to a database without comments, and this one has {existing}.")
        self.rng = random.Random(seed)
        self.batch_size = batch_size
        self.verbosity = options["verbosity"]
        self.now = timezone.now().replace(microsecond=0)
        comments_started = time.monotonic()
        # The stories readers can see, in the order seed_bench made them.
        stories = (
            Article.objects.filter(status=Article.Status.PUBLISHED, published_at__lte=self.now)
            .only("pk", "slug", "published_at")
            .order_by("pk")
        )
        with transaction.atomic():
            written = self.make_comments(stories, comments)
            self.reset_sequences()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as autovacuum would soon: the planner's statistics for the new rows
        if self.verbosity:
            if articles is None:
                self.stdout.write(
                    f"Seeded {written} comments in {time.monotonic() - comments_started:.0f} s ({connection.vendor})."
                )
            else:
                self.stdout.write(
                    f"Seeded {articles} stories and {written} comments in {time.monotonic() - started:.0f} s "
                    f"({connection.vendor})."
                )

    def progress(self, label, total):
        if self.verbosity >= 1 and self.stdout.isatty():
            bar = ProgressBar(self.stdout, label)
            return bar, bar.clear
        return (lambda done, total: None), (lambda: None)

    def comment_counts(self, stories, total):
        """How many comments each live story gets: the fixed three theirs, the rest a long tail (Pareto)."""
        live = list(stories)
        counts = {s.pk: FIXED_STORIES[s.slug] for s in live if s.slug in FIXED_STORIES}
        others = [s for s in live if s.slug not in FIXED_STORIES]
        remaining = total - sum(counts.values())
        weights = [self.rng.paretovariate(1.2) for _ in others]
        scale = remaining / sum(weights) if weights else 0
        assigned = 0
        for story, weight in zip(others, weights, strict=True):
            n = min(int(weight * scale), MAX_COMMENTS_PER_STORY)
            counts[story.pk] = n
            assigned += n
        # What rounding and the cap left over goes to random stories, one at a time.
        while assigned < remaining and others:
            story = self.rng.choice(others)
            if counts[story.pk] < MAX_COMMENTS_PER_STORY:
                counts[story.pk] += 1
                assigned += 1
        return {pk: n for pk, n in counts.items() if n}, {s.pk: s for s in live}

    def threads_of(self, story, count):
        """`count` comments on `story` as threads: a third of them replies, at most two levels deep."""
        rng = self.rng
        threads, everyone = [], []
        max_level = settings.COMMENTS_XTD_MAX_THREAD_LEVEL
        opened = story.published_at
        for n in range(count):
            reader = rng.randint(1, 50_000)
            posted = opened + datetime.timedelta(seconds=60 * (n + 1) + rng.randint(0, 59))
            roll = rng.random()
            row = {
                "user_name": f"Reader {reader}",
                "user_email": f"reader{reader}@bench.example",
                "comment": " ".join(sentence(rng, 6, 20) for _ in range(rng.randint(1, 3))),
                "submit_date": min(posted, self.now),
                "is_public": roll >= 0.03,
                "is_removed": roll < 0.01,
                "children": [],
                "level": 0,
            }
            parents = [c for c in everyone[-20:] if c["level"] < max_level]
            if threads and parents and rng.random() < 0.35:
                parent = rng.choice(parents)
                row["level"] = parent["level"] + 1
                row["parent"] = parent
                parent["children"].append(row)
            else:
                threads.append(row)
            everyone.append(row)
        return threads

    def make_comments(self, stories, total):
        Comment = ArticleComment
        xtd_model, base_model = Comment._meta.get_parent_list()  # xtd's XtdComment, django_comments' Comment
        counts, by_pk = self.comment_counts(stories, total)
        self.content_type_id = ContentType.objects.get_for_model(Article).pk
        self.next_id = (base_model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        self.rows = {base_model: [], xtd_model: [], Comment: []}
        columns = {
            base_model: [
                "id",
                "content_type",
                "object_pk",
                "site",
                "user_name",
                "user_email",
                "user_url",
                "comment",
                "submit_date",
                "ip_address",
                "is_public",
                "is_removed",
            ],
            xtd_model: ["comment_ptr", "thread_id", "parent_id", "level", "order", "followup", "nested_count"],
            Comment: ["xtdcomment_ptr", "hold_reason", "is_spam", "edited_at", "flags_reviewed", "featured_note"],
        }
        wanted = sum(counts.values())
        update, done = self.progress("Comments", wanted)
        written = 0
        for pk, count in counts.items():
            for root in self.threads_of(by_pk[pk], count):
                written += self.add_thread(root, str(pk))
            if len(self.rows[base_model]) >= self.batch_size or written == wanted:
                for model, rows in self.rows.items():  # parents' tables first
                    insert_rows(model, columns[model], rows)
                    rows.clear()
                update(written, wanted)
        done()
        return written

    def add_thread(self, root, object_pk):
        """Rows for one thread, depth first: ids, the thread, each comment's place in it, replies under each."""
        base_rows, xtd_rows, own_rows = self.rows.values()
        order = 0

        def add(row, parent_id, thread_id):
            nonlocal order
            row["id"], self.next_id, order = self.next_id, self.next_id + 1, order + 1
            thread_id = thread_id or row["id"]
            place = order
            nested = sum(1 + add(child, row["id"], thread_id) for child in row["children"])
            base_rows.append(
                [
                    row["id"],
                    self.content_type_id,
                    object_pk,
                    settings.SITE_ID,
                    row["user_name"],
                    row["user_email"],
                    "",
                    row["comment"],
                    row["submit_date"],
                    None,
                    row["is_public"],
                    row["is_removed"],
                ]
            )
            xtd_rows.append([row["id"], thread_id, parent_id or row["id"], row["level"], place, False, nested])
            own_rows.append([row["id"], "" if row["is_public"] else "Held for the benchmark.", False, None, False, ""])
            return nested

        add(root, None, None)
        return order

    def reset_sequences(self):
        models = [ArticleComment._meta.get_parent_list()[-1]]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
