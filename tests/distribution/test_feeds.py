"""RSS 2.0 and Atom feeds: the whole site, each section, source and tag; read with feedparser."""

import datetime
import re

import feedparser
import pytest
from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Author, Section, Source, Tag
from tests.makers import image_file, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# Queries for a feed, whatever the number of stories:
#   1. the stories, joined with section and source   2. their authors   3. their tags
SITE_FEED_QUERIES = 3
#   + the section (or source, or tag) itself
NARROW_FEED_QUERIES = 4


def read(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception  # well-formed
    return response, feed


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_the_site_feed_carries_the_whole_story_with_byline_and_categories(client, make_article, source, kind):
    jane = Author.objects.create(name="Jane Reporter", slug="jane")
    budget = Tag.objects.create(name="Budget", slug="budget")
    story = make_article(
        headline="Council passes budget",
        dek="The vote was close.",
        body="<p>The council voted <strong>5 to 4</strong>.</p><h2>Next</h2><p>Spending starts in May.</p>",
        authors=[jane],
        tags=[budget],
        source=source,
        source_url="https://wire.example/budget",
        lead_image=image_file(size=(1600, 900)),
        lead_image_alt="Councillors voting",
    )

    response, feed = read(client, reverse(f"articles:feed_{kind}"))

    assert response["Content-Type"].startswith("application/rss+xml" if kind == "rss" else "application/atom+xml")
    assert feed.version == ("rss20" if kind == "rss" else "atom10")
    assert feed.feed.title == settings.SITE_NAME
    (entry,) = feed.entries
    page = settings.SITE_URL + story.get_absolute_url()
    assert entry.title == "Council passes budget"
    assert entry.link == page
    assert entry.id == page
    assert entry.summary == "The vote was close."
    assert "<strong>5 to 4</strong>" in entry.content[0].value
    assert "Spending starts in May." in entry.content[0].value
    assert entry.author == "Jane Reporter"
    assert {tag.term for tag in entry.tags} == {"News", "Budget"}
    assert entry.published_parsed[:6] == story.published_at.astimezone(datetime.UTC).timetuple()[:6]
    (image,) = entry.media_content
    assert (image["width"], image["height"]) == ("1200", "675")
    assert image["url"].startswith(settings.SITE_URL + "/media/")


def test_a_feed_lists_only_published_stories_newest_first(client, make_article):
    now = timezone.now()
    make_article(headline="Older", published_at=now - 2 * HOUR)
    make_article(headline="Newer", published_at=now - HOUR)
    make_article(headline="A draft", status=Article.Status.DRAFT, published_at=now - HOUR)
    make_article(headline="Tomorrow", status=Article.Status.SCHEDULED, published_at=now + HOUR)

    _, feed = read(client, reverse("articles:feed_rss"))

    assert [entry.title for entry in feed.entries] == ["Newer", "Older"]


def test_a_feed_never_carries_a_commenters_address_or_words(client, article):
    make_comment(
        article,
        "A private thought about the budget.",
        name="Pat Commenter",
        email="pat.secret@example.com",
        ip="203.0.113.9",
    )
    for url in (reverse("articles:feed_rss"), reverse("articles:feed_atom")):
        response, _ = read(client, url)
        text = response.content.decode()
        assert "Pat Commenter" not in text
        assert "private thought" not in text
        assert "203.0.113.9" not in text
        assert EMAIL.findall(text) == []


def test_a_story_without_a_byline_is_credited_to_its_source_or_the_site(client, make_article, source):
    make_article(headline="From the wire", source=source, source_url="https://wire.example/a")
    make_article(headline="Our own")
    _, feed = read(client, reverse("articles:feed_rss"))
    authors = {entry.title: entry.author for entry in feed.entries}
    assert authors == {"From the wire": "Wire Service", "Our own": settings.SITE_NAME}


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_section_source_and_tag_feeds_hold_only_their_stories(client, make_article, section, source, kind):
    sport = Section.objects.create(name="Sport", slug="sport")
    other = Source.objects.create(name="Other", slug="other", homepage="https://other.example/")
    budget = Tag.objects.create(name="Budget", slug="budget")
    make_article(headline="Match report", section=sport)
    make_article(headline="Wire budget", source=source, source_url="https://wire.example/b", tags=[budget])
    make_article(headline="Other outlet", source=other, source_url="https://other.example/c")

    cases = [
        ("section_feed", "sport", ["Match report"], "Sport"),
        ("source_feed", "wire", ["Wire budget"], "Stories from Wire Service"),
        ("tag_feed", "budget", ["Wire budget"], "Tagged “Budget”"),
    ]
    for name, slug, headlines, title in cases:
        _, feed = read(client, reverse(f"articles:{name}_{kind}", args=[slug]))
        assert [entry.title for entry in feed.entries] == headlines
        assert feed.feed.title == f"{title} · {settings.SITE_NAME}"


@pytest.mark.parametrize("url", ["/feeds/section/nowhere/rss/", "/feeds/source/nowhere/atom/", "/feeds/tag/x/rss/"])
def test_the_feed_of_an_unknown_section_source_or_tag_is_not_found(client, db, url):
    assert client.get(url).status_code == 404


def test_pages_link_their_feeds_in_the_head(client, make_article, section, source):
    make_article(source=source, source_url="https://wire.example/a")
    head = parse(client.get(reverse("articles:section", args=["news"]))).find("head")
    feeds = {link.attrs["href"]: link.attrs["type"] for link in head.find_all("link", rel="alternate")}
    assert feeds == {
        "/feeds/section/news/rss/": "application/rss+xml",
        "/feeds/section/news/atom/": "application/atom+xml",
        "/feeds/rss/": "application/rss+xml",
        "/feeds/atom/": "application/atom+xml",
    }
    head = parse(client.get(reverse("articles:source", args=["wire"]))).find("head")
    assert head.find("link", rel="alternate", href="/feeds/source/wire/rss/") is not None


def test_feeds_may_be_cached_by_proxies_for_a_few_minutes(client, db):
    response = client.get(reverse("articles:feed_rss"))
    assert "public" in response["Cache-Control"]
    assert "max-age=300" in response["Cache-Control"]


def test_the_feed_query_count_does_not_grow_with_stories(client, add_stories, django_assert_num_queries):
    Site.objects.get_current()  # the sites framework caches the Site per process

    add_stories(2)
    with django_assert_num_queries(SITE_FEED_QUERIES):
        client.get(reverse("articles:feed_rss"))
    add_stories(8)
    with django_assert_num_queries(SITE_FEED_QUERIES):
        client.get(reverse("articles:feed_atom"))
    with django_assert_num_queries(NARROW_FEED_QUERIES):
        response = client.get(reverse("articles:source_feed_rss", args=["wire"]))
    assert len(feedparser.parse(response.content).entries) == 10
