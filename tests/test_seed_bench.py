"""`manage.py seed_bench`: a realistic newsroom for the benchmark, in bulk, that the site reads like any other."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.test import Client

from articles.models import Article
from comments import selectors
from comments.models import ArticleComment

pytestmark = pytest.mark.django_db


def seed(**options):
    out = StringIO()
    call_command("seed_bench_comments", stdout=out, **options)
    return out.getvalue()


def test_it_seeds_stories_in_every_state_and_threaded_comments_with_a_long_tail(settings):
    output = seed(articles=300, comments=3000, seed=7)

    assert "Seeded 300 stories and 3000 comments" in output
    statuses = dict(Article.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses[Article.Status.PUBLISHED] > 250
    assert set(statuses) >= {Article.Status.PUBLISHED, Article.Status.SCHEDULED, Article.Status.DRAFT}
    assert ArticleComment.objects.count() == 3000
    per_story = sorted(
        ArticleComment.objects.order_by().values("object_pk").annotate(n=Count("pk")).values_list("n", flat=True),
        reverse=True,
    )
    assert per_story[0] >= 1000  # a few stories draw a crowd
    assert per_story[len(per_story) // 2] < 20  # most draw a handful
    assert ArticleComment.objects.filter(level__gt=0).count() > 300  # replies
    assert ArticleComment.objects.filter(level__gt=settings.COMMENTS_XTD_MAX_THREAD_LEVEL).count() == 0
    assert ArticleComment.objects.filter(is_public=False).exists()


def test_the_fixed_stories_have_their_comments_and_the_site_reads_them_in_order():
    seed(articles=100, comments=2000)
    for count in (0, 100, 1000):
        story = Article.objects.get(slug=f"bench-{count}-comments")
        assert ArticleComment.objects.filter(object_pk=str(story.pk)).count() == count
        assert Client().get(story.get_absolute_url()).status_code == 200

    # Threads as xtd would have built them: each reply under its parent, depth first.
    story = Article.objects.get(slug="bench-1000-comments")
    page = selectors.comment_page(story, 1)
    assert page.count > 900
    for node in page.threads:
        assert node.comment.level == 0
        for child in node.children:
            assert child.comment.parent_id == node.comment.pk
            assert child.comment.thread_id == node.comment.pk
    orders = list(
        ArticleComment.objects.filter(thread_id=page.threads[0].comment.pk)
        .order_by("order")
        .values_list("order", flat=True)
    )
    assert orders == list(range(1, len(orders) + 1))


def test_new_comments_get_ids_after_the_seeded_ones(django_capture_on_commit_callbacks):
    from tests.makers import make_comment

    seed(articles=20, comments=1200)
    story = Article.objects.get(slug="bench-0-comments")
    comment = make_comment(story, "After the seed.")
    assert comment.pk > ArticleComment.objects.exclude(pk=comment.pk).order_by("-pk").first().pk


def test_it_refuses_a_database_that_already_has_stories(make_article):
    make_article()
    with pytest.raises(CommandError, match="fills an empty database, and this one has 1 stories"):
        seed(articles=20, comments=1200)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"articles": 5, "comments": 2000}, "--articles must be at least 10"),
        ({"articles": 20, "comments": 500}, "--comments must be at least 1100"),
        ({"articles": 20, "comments": 2000, "batch_size": 0}, "--batch-size must be at least 1"),
    ],
)
def test_it_says_what_is_wrong_with_its_options(db, options, message):
    with pytest.raises(CommandError, match=message):
        seed(**options)
    assert not Article.objects.exists()
