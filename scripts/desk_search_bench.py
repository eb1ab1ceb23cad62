"""Time the story list's search on a 100,000-story archive: the admin page, its full-text queries, and the stock
admin's icontains scan it replaced. Run on a throwaway PostgreSQL (seeding takes about three minutes):

    scripts/with-postgres .venv/bin/python scripts/desk_search_bench.py
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.test import Client  # noqa: E402

from articles import search  # noqa: E402
from articles.models import Article  # noqa: E402

STORIES = 100_000
# seed_bench puts "lighthouse" in one story in a hundred; "council" and "harbour" are in most; "zebra" in none.
SEARCHES = ["lighthouse", "lighthouse keeper", "council", "harbour ferry", "zebra"]


def median_ms(run, times=7):
    run()
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def main():
    if connection.vendor != "postgresql":
        sys.exit("desk_search_bench: run it on PostgreSQL (scripts/with-postgres ...): SQLite has no full-text index")
    call_command("migrate", verbosity=0)
    if Article.objects.count() < STORIES:
        call_command("seed_bench", articles=STORIES, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    editor, _ = get_user_model().objects.get_or_create(
        username="desk-search-bench", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    print(f"{Article.objects.count()} stories")
    for text in SEARCHES:

        def page(text=text):
            assert client.get("/admin/articles/article/", {"q": text}).status_code == 200

        def index(text=text):
            matches = search.articles_ranked(Article.objects.all(), text)
            list(matches.order_by("-rank", "-pk")[:100])
            matches.count()

        def scan(text=text):
            matches = Article.objects.all()
            for word in text.split():
                matches = matches.filter(Q(headline__icontains=word) | Q(dek__icontains=word) | Q(body__icontains=word))
            list(matches.order_by("-published_at")[:100])
            matches.count()

        found = search.articles_ranked(Article.objects.all(), text).count()
        page_ms, index_ms, scan_ms = median_ms(page), median_ms(index), median_ms(scan, times=3)
        print(
            f"{text!r}: {found} matches; list page {page_ms:.0f} ms; its search queries {index_ms:.1f} ms; "
            f"icontains scan {scan_ms:.0f} ms ({scan_ms / index_ms:.0f}x the index)"
        )


if __name__ == "__main__":
    main()
