"""Related stories under a story: same tags first, then the same section; published only; in one query."""

import datetime

import pytest
from django.utils import timezone

from articles.models import Article, Section, Tag
from tests.pages import parse

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def related(client, story):
    aside = parse(client.get(story.get_absolute_url())).find("aside", class_="related")
    return [] if aside is None else [a.text for a in aside.find_all("a")]


def test_stories_sharing_more_tags_come_first_then_the_same_section(client, make_article, section):
    sport = Section.objects.create(name="Sport", slug="sport")
    budget, council, harbour = (Tag.objects.create(name=n, slug=n.lower()) for n in ("Budget", "Council", "Harbour"))
    now = timezone.now()
    story = make_article(headline="Council passes budget", tags=[budget, council])
    make_article(headline="Same section, no tags", published_at=now - HOUR)
    make_article(
        headline="Two shared tags, other section", section=sport, tags=[budget, council], published_at=now - 5 * HOUR
    )
    make_article(headline="One shared tag", section=sport, tags=[council], published_at=now - 2 * HOUR)
    make_article(headline="Unrelated sport", section=sport, tags=[harbour])
    make_article(headline="Same section, older", published_at=now - 9 * HOUR)

    assert related(client, story) == [
        "Two shared tags, other section",
        "One shared tag",
        "Same section, no tags",
        "Same section, older",
    ]


def test_related_stories_are_published_ones_and_never_the_story_itself(client, make_article):
    tag = Tag.objects.create(name="Budget", slug="budget")
    story = make_article(headline="Council passes budget", tags=[tag])
    make_article(headline="A draft", tags=[tag], status=Article.Status.DRAFT, published_at=timezone.now() - HOUR)
    make_article(headline="Tomorrow", tags=[tag], status=Article.Status.SCHEDULED, published_at=timezone.now() + HOUR)
    make_article(headline="Live", tags=[tag])

    assert related(client, story) == ["Live"]


def test_there_are_at_most_four_and_none_is_said_when_there_are_none(client, make_article, section):
    story = make_article()
    assert related(client, story) == []
    for _ in range(6):
        make_article()
    assert len(related(client, story)) == 4


def test_a_story_without_tags_gets_its_sections_latest(client, make_article):
    now = timezone.now()
    story = make_article(published_at=now - 3 * HOUR)
    make_article(headline="Newest", published_at=now - HOUR)
    make_article(headline="Older", published_at=now - 5 * HOUR)
    assert related(client, story) == ["Newest", "Older"]


def test_related_stories_cost_one_query_whatever_their_tags(make_article, django_assert_num_queries):
    tags = [Tag.objects.create(name=f"T{n}", slug=f"t{n}") for n in range(5)]
    for n in range(6):
        make_article(tags=tags[: n % 5 + 1])
    story = Article.objects.prefetch_related("tags").get(pk=make_article(tags=tags).pk)
    with django_assert_num_queries(1):
        assert len(list(Article.objects.published().related_to(story))) == 4


def test_related_stories_come_from_the_weeks_around_the_story(client, make_article):
    # A bounded window keeps the query's cost the same however large the archive grows.
    tag = Tag.objects.create(name="Harbour", slug="harbour")
    now = timezone.now()
    story = make_article(headline="Harbour reopens", tags=[tag])
    make_article(headline="Last week", tags=[tag], published_at=now - 7 * 24 * HOUR)
    make_article(headline="Years ago", tags=[tag], published_at=now - 2 * 365 * 24 * HOUR)

    assert related(client, story) == ["Last week"]
