"""Share cards (OpenGraph, Twitter) and what a story page tells search engines: canonical link and
robots, following its source's SEO policy as editors chose it in the admin."""

import pytest
from django.conf import settings
from django.urls import reverse

from articles.models import Source, Tag
from tests.makers import image_file
from tests.pages import parse

pytestmark = pytest.mark.django_db


def head(response):
    assert response.status_code == 200
    return parse(response).find("head")


def meta(page_head, **attrs):
    found = page_head.find_all("meta", **attrs)
    assert len(found) <= 1, found
    return found[0].attrs["content"] if found else None


def canonical(page_head):
    links = page_head.find_all("link", rel="canonical")
    assert len(links) <= 1
    return links[0].attrs["href"] if links else None


@pytest.fixture
def licensed(db):
    return Source.objects.create(
        name="Licensed Wire", slug="licensed", homepage="https://lw.example/", seo_policy=Source.SEOPolicy.OWN_CANONICAL
    )


def test_a_story_page_has_an_article_share_card(client, make_article, licensed):
    story = make_article(
        headline="Council passes budget",
        dek="The vote was close.",
        source=licensed,
        source_url="https://lw.example/budget",
        tags=[Tag.objects.create(name="Budget", slug="budget")],
        lead_image=image_file(size=(1500, 1000)),
        lead_image_alt="Councillors voting",
    )
    page = head(client.get(story.get_absolute_url()))
    url = settings.SITE_URL + story.get_absolute_url()

    assert meta(page, property="og:type") == "article"
    assert meta(page, property="og:title") == "Council passes budget"
    assert meta(page, property="og:description") == "The vote was close."
    assert meta(page, property="og:url") == url
    assert meta(page, property="og:site_name") == settings.SITE_NAME
    image = meta(page, property="og:image")
    assert image.startswith(settings.SITE_URL + "/media/CACHE/images/") and image.endswith(".jpg")
    assert (meta(page, property="og:image:width"), meta(page, property="og:image:height")) == ("1200", "800")
    assert meta(page, property="og:image:alt") == "Councillors voting"
    assert meta(page, property="article:section") == "News"
    assert meta(page, property="article:tag") == "Budget"
    assert meta(page, property="article:published_time") == story.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert meta(page, name="twitter:card") == "summary_large_image"
    assert meta(page, name="twitter:title") == "Council passes budget"
    assert meta(page, name="twitter:image") == image
    assert meta(page, name="description") == "The vote was close."
    assert canonical(page) == url
    assert meta(page, name="robots") is None


def test_a_story_without_an_image_gets_a_summary_card(client, make_article):
    page = head(client.get(make_article().get_absolute_url()))
    assert meta(page, name="twitter:card") == "summary"
    assert meta(page, property="og:image") is None


@pytest.mark.parametrize(
    ("policy", "expected_canonical", "expected_robots"),
    [
        (Source.SEOPolicy.NOINDEX, None, "noindex"),
        (Source.SEOPolicy.CANONICAL_TO_ORIGINAL, "https://o.example/original", None),
        (Source.SEOPolicy.OWN_CANONICAL, "ours", None),
    ],
)
def test_a_syndicated_story_follows_its_sources_policy_on_every_page_of_its_comments(
    client, make_article, policy, expected_canonical, expected_robots
):
    outlet = Source.objects.create(name="Outlet", slug="outlet", homepage="https://o.example/", seo_policy=policy)
    story = make_article(source=outlet, source_url="https://o.example/original")
    if expected_canonical == "ours":
        expected_canonical = settings.SITE_URL + story.get_absolute_url()

    for url in (story.get_absolute_url(), f"{story.get_absolute_url()}?comments=2"):
        page = head(client.get(url))
        assert canonical(page) == expected_canonical, url
        assert meta(page, name="robots") == expected_robots, url
        assert meta(page, property="og:url") == settings.SITE_URL + story.get_absolute_url()


def test_a_new_source_keeps_our_copies_out_of_search_engines_until_an_editor_says_otherwise(db):
    source = Source.objects.create(name="New", slug="new", homepage="https://new.example/")
    assert source.seo_policy == Source.SEOPolicy.NOINDEX


def test_editors_choose_the_policy_in_the_source_admin(admin_client, source):
    url = reverse("admin:articles_source_change", args=[source.pk])
    form = parse(admin_client.get(url)).find("select", name="seo_policy")
    assert [option.attrs["value"] for option in form.find_all("option")] == [p.value for p in Source.SEOPolicy]

    response = admin_client.post(
        url,
        {
            "name": source.name,
            "slug": source.slug,
            "homepage": source.homepage,
            "seo_policy": Source.SEOPolicy.CANONICAL_TO_ORIGINAL,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    source.refresh_from_db()
    assert source.seo_policy == Source.SEOPolicy.CANONICAL_TO_ORIGINAL


def test_list_pages_are_canonical_to_themselves_page_by_page(client, make_article, settings):
    settings.ARTICLES_PER_PAGE = 1
    make_article()
    make_article()
    assert canonical(head(client.get("/"))) == settings.SITE_URL + "/"
    assert canonical(head(client.get("/?page=2&utm_source=x"))) == settings.SITE_URL + "/?page=2"
    assert canonical(head(client.get("/news/"))) == settings.SITE_URL + "/news/"


def test_canonical_addresses_ignore_the_host_the_page_was_asked_for(client, make_article, settings):
    settings.ALLOWED_HOSTS = ["testserver", "mirror.example"]
    story = make_article()
    page = head(client.get(story.get_absolute_url(), HTTP_HOST="mirror.example"))
    assert canonical(page) == settings.SITE_URL + story.get_absolute_url()
