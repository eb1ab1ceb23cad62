"""sitemap.xml (index, stories, sections, sources, tags), the Google News sitemap and robots.txt."""

import datetime
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.conf import settings
from django.contrib.sites.models import Site
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Section, Source, Tag

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "news": "http://www.google.com/schemas/sitemap-news/0.9"}
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# Queries for the stories' sitemap, whatever the number of stories:
#   1. the paginator's count   2. the page of stories, joined with their sections
STORY_SITEMAP_QUERIES = 2
# The news sitemap: the same two.
NEWS_SITEMAP_QUERIES = 2


def xml(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/xml"
    return ET.fromstring(response.content)  # well-formed, or this raises


def locations(root):
    return [loc.text for loc in root.iterfind(".//sm:loc", NS)]


def absolute(path):
    return settings.SITE_URL + path


@pytest.fixture
def policies(db):
    return {
        policy: Source.objects.create(
            name=policy.label, slug=policy.value.replace("_", "-"), homepage="https://o.example/", seo_policy=policy
        )
        for policy in Source.SEOPolicy
    }


def test_the_index_lists_each_sitemap_on_the_sites_address(client, make_article):
    make_article()
    root = xml(client, "/sitemap.xml")
    assert root.tag == f"{{{NS['sm']}}}sitemapindex"
    assert locations(root) == [absolute(f"/sitemap-{name}.xml") for name in ("stories", "sections", "sources", "tags")]
    # The host is the Site's, kept on SITE_URL.
    assert Site.objects.get_current().domain == settings.SITE_URL.split("://")[1]


def test_the_story_sitemap_lists_published_stories_with_their_last_change(client, make_article):
    now = timezone.now()
    with time_machine.travel(now - 3 * DAY):
        edited = make_article(headline="Edited later", published_at=now - 3 * DAY)
    with time_machine.travel(now - DAY):
        edited.save()  # an edit two days after publishing
    untouched = make_article(published_at=now - HOUR)
    draft = make_article(status=Article.Status.DRAFT, published_at=now - HOUR)
    scheduled = make_article(status=Article.Status.SCHEDULED, published_at=now + HOUR)

    root = xml(client, "/sitemap-stories.xml")

    urls = {url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS) for url in root}
    assert set(urls) == {absolute(edited.get_absolute_url()), absolute(untouched.get_absolute_url())}
    assert absolute(draft.get_absolute_url()) not in urls and absolute(scheduled.get_absolute_url()) not in urls
    lastmod = datetime.datetime.fromisoformat(urls[absolute(edited.get_absolute_url())])
    assert abs(lastmod - (now - DAY)) < datetime.timedelta(seconds=2)  # the edit, not the publication


def test_a_story_imported_after_its_publication_time_is_dated_by_its_save(client, make_article):
    story = make_article(published_at=timezone.now() - 5 * DAY)  # saved now, published five days ago
    root = xml(client, "/sitemap-stories.xml")
    (lastmod,) = [url.findtext("sm:lastmod", namespaces=NS) for url in root]
    assert datetime.datetime.fromisoformat(lastmod) >= story.published_at


def test_only_stories_whose_copy_is_ours_to_index_are_in_the_sitemaps(client, make_article, policies):
    ours = make_article(headline="Our own")
    licensed = make_article(source=policies["own_canonical"], source_url="https://o.example/1")
    noindexed = make_article(source=policies["noindex"], source_url="https://o.example/2")
    pointed = make_article(source=policies["canonical_to_original"], source_url="https://o.example/3")

    for url in ("/sitemap-stories.xml", "/sitemap-news.xml"):
        listed = locations(xml(client, url))
        assert absolute(ours.get_absolute_url()) in listed
        assert absolute(licensed.get_absolute_url()) in listed
        assert absolute(noindexed.get_absolute_url()) not in listed
        assert absolute(pointed.get_absolute_url()) not in listed


def test_sections_sources_and_tags_are_listed_with_their_latest_story(client, make_article, section, source):
    Section.objects.create(name="Empty", slug="empty")
    quiet = Source.objects.create(name="Quiet", slug="quiet", homepage="https://quiet.example/")
    budget = Tag.objects.create(name="Budget", slug="budget")
    Tag.objects.create(name="Unused", slug="unused")
    story = make_article(source=source, source_url="https://wire.example/1", tags=[budget])
    make_article(
        status=Article.Status.DRAFT, published_at=timezone.now(), source=quiet, source_url="https://q.example/"
    )

    sections = {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in xml(client, "/sitemap-sections.xml")
    }
    assert sections == {
        absolute("/news/"): story.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        absolute("/empty/"): None,
    }
    assert locations(xml(client, "/sitemap-sources.xml")) == [
        absolute("/source/wire/")
    ]  # none for a source with only drafts
    assert locations(xml(client, "/sitemap-tags.xml")) == [absolute("/tag/budget/")]


def test_the_news_sitemap_holds_the_last_two_days_with_news_entries(client, make_article):
    now = timezone.now()
    fresh = make_article(headline="Storm & floods <live>", published_at=now - HOUR)
    make_article(headline="Last week", published_at=now - 7 * DAY)

    root = xml(client, reverse("sitemap_news"))

    (url,) = root.findall("sm:url", NS)
    assert url.findtext("sm:loc", namespaces=NS) == absolute(fresh.get_absolute_url())
    news = url.find("news:news", NS)
    assert news.findtext("news:publication/news:name", namespaces=NS) == settings.SITE_NAME
    assert news.findtext("news:publication/news:language", namespaces=NS) == "en"
    assert news.findtext("news:title", namespaces=NS) == "Storm & floods <live>"
    published = datetime.datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS))
    assert published == fresh.published_at.replace(microsecond=0)


def test_an_unknown_sitemap_is_not_found(client, db):
    assert client.get("/sitemap-nothing.xml").status_code == 404


def test_sitemap_query_counts_do_not_grow_with_stories(client, make_article, django_assert_num_queries):
    Site.objects.get_current()
    for _ in range(3):
        make_article()
    with django_assert_num_queries(STORY_SITEMAP_QUERIES):
        client.get("/sitemap-stories.xml")
    with django_assert_num_queries(NEWS_SITEMAP_QUERIES):
        client.get("/sitemap-news.xml")
    for _ in range(9):
        make_article()
    with django_assert_num_queries(STORY_SITEMAP_QUERIES):
        assert len(locations(xml(client, "/sitemap-stories.xml"))) == 12
    with django_assert_num_queries(NEWS_SITEMAP_QUERIES):
        client.get("/sitemap-news.xml")


def test_robots_txt_points_at_the_sitemaps_and_keeps_crawlers_out_of_private_paths(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert f"Sitemap: {absolute('/sitemap.xml')}" in lines
    assert f"Sitemap: {absolute('/sitemap-news.xml')}" in lines
    for path in ("/admin/", "/preview/", "/search/", "/api/"):
        assert f"Disallow: {path}" in lines
