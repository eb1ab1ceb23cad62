"""Every query a public page makes is served by an index, on PostgreSQL (EXPLAIN).

The pages are rendered (the page cache stepped aside) on a seeded newsroom (`seed_bench_comments --articles`: stories in
every state, tags, bylines, threaded comments with a long tail), every query they make is captured, and
each one is EXPLAINed with sequential scans, hash joins and merge joins priced out
(`enable_seqscan`, `enable_hashjoin`, `enable_mergejoin` off). Why: on a test-sized table the planner is
right to read whole tables, so its own choice says nothing about a big one. What a test can establish
is that an index-driven plan exists: with those priced out, every read of one of the big tables must
still be bounded, by an index condition or by a LIMIT over an index's order. A query with no index to
use reads a big table from end to end anyway (a Seq Scan, or a full index scan with no condition), and
fails here. How the planner chooses at full size (100,000 stories, 1,000,000 comments) is measured by
`make bench` (README, Performance).
"""

import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Section, Source, Tag
from pagecache import freshness

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans of PostgreSQL"),
]

# The tables that grow with the newsroom: no public query may read one of them from end to end.
BIG_TABLES = {
    "articles_article",
    "articles_article_authors",
    "articles_article_tags",
    "articles_correction",
    "django_comments",
    "django_comments_xtd_xtdcomment",
    "comments_articlecomment",
}
INDEX_SCANS = {"Index Scan", "Index Only Scan"}


@pytest.fixture
def newsroom(db, settings, tmp_path):
    call_command("seed_bench_comments", articles=400, comments=4000, verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return Article.objects.get(slug="bench-1000-comments")


def public_pages(story):
    section = Section.objects.get(slug="news")
    source = Source.objects.filter(articles__isnull=False).first()
    tag = Tag.objects.filter(articles__isnull=False).first()
    return [
        "/",
        "/?page=3",
        section.get_absolute_url(),
        source.get_absolute_url(),
        f"/tag/{tag.slug}/",
        story.get_absolute_url(),
        story.get_absolute_url() + "?comments=3",
        "/search/?q=harbour+council",
        "/feeds/rss/",
        f"/feeds/section/{section.slug}/rss/",
    ]


def plan(sql, params=None):
    """The plan PostgreSQL makes when it must use indexes wherever it can."""
    with connection.cursor() as cursor:
        for setting in ("enable_seqscan", "enable_hashjoin", "enable_mergejoin"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        explained = cursor.fetchone()[0]
    return (json.loads(explained) if isinstance(explained, str) else explained)[0]["Plan"]


def unbounded_reads(node, under_limit=False):
    """The big tables this plan reads from end to end: a sequential scan, or an index scan with no
    index condition that no LIMIT stops."""
    table = node.get("Relation Name")
    found = set()
    whole_index = node["Node Type"] in INDEX_SCANS and "Index Cond" not in node and not under_limit
    if table in BIG_TABLES and (node["Node Type"] == "Seq Scan" or whole_index):
        found.add(table)
    under_limit = under_limit or node["Node Type"] == "Limit"
    for child in node.get("Plans", []):
        found |= unbounded_reads(child, under_limit)
    return found


def test_every_query_of_the_public_pages_can_use_an_index(newsroom):
    client = Client(HTTP_COOKIE="render=1")  # a cookie: rendered, not served from the page cache
    seen = set()
    with CaptureQueriesContext(connection) as captured:
        for url in public_pages(newsroom):
            assert client.get(url).status_code == 200, url
        freshness.renew()  # the page cache's own query: the next scheduled change

    full_scans = {}
    for query in captured.captured_queries:
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or sql in seen:
            continue
        seen.add(sql)
        scanned = unbounded_reads(plan(sql))
        if scanned:
            full_scans[sql] = scanned
    assert len(seen) >= 15  # the pages' queries were all captured
    assert full_scans == {}, "\n\n".join(f"{tables}: {sql}" for sql, tables in full_scans.items())


def test_every_query_of_posting_a_comment_can_use_an_index(newsroom, client, reader):
    # The policy counts an address's comments (any case) and its last minute's; the thread is renumbered.
    from django.urls import reverse

    from tests.makers import comment_form_data, make_comment

    make_comment(newsroom, "An earlier comment.", email=reader.email)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE django_comments")
    client.force_login(reader)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            reverse("comments:post"), comment_form_data(newsroom, email=reader.email, comment="Indexed, I hope.")
        )
    assert response.status_code == 302

    selects = {q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")}
    full_scans = {sql: unbounded_reads(plan(sql)) for sql in selects}
    assert {sql: tables for sql, tables in full_scans.items() if tables} == {}


def test_the_latest_stories_of_a_section_are_read_from_its_index(newsroom):
    section = Section.objects.get(slug="news")
    query = Article.objects.published().filter(section=section).order_by("-published_at", "-pk")[:10]
    assert "article_section_latest_idx" in json.dumps(plan(*query.query.sql_with_params()))
