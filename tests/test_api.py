"""The read-only JSON API (/api/): published stories, sections and sources; its OpenAPI schema; a fuzz run."""

import datetime
import re
from io import StringIO

import pytest
import schemathesis
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from articles.models import Article, Author, Section, Tag
from tests.makers import image_file, make_comment

HOUR = datetime.timedelta(hours=1)
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

# Queries for a page of stories, whatever its length:
#   1. the count   2. the page, joined with section and source   3. authors   4. tags   5. comment counts
STORY_LIST_QUERIES = 5


def get(client, url, status=200, **params):
    response = client.get(url, params)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


@pytest.fixture
def published(make_article, source):
    jane = Author.objects.create(name="Jane Reporter", slug="jane")
    return make_article(
        headline="Council passes budget",
        dek="The vote was close.",
        body="<p>Five to four.</p>",
        authors=[jane],
        tags=[Tag.objects.create(name="Budget", slug="budget")],
        source=source,
        source_url="https://wire.example/budget",
        lead_image=image_file(size=(1600, 800)),
        lead_image_alt="Councillors",
    )


@pytest.mark.django_db
def test_the_api_root_lists_its_resources(client):
    root = get(client, "/api/")
    assert set(root) == {"stories", "sections", "sources"}


@pytest.mark.django_db
def test_a_story_carries_what_its_page_shows_and_its_comment_count(client, published):
    make_comment(published, "Nice.")
    make_comment(published, "Held back.", held=True)

    (story,) = get(client, "/api/stories/")["results"]

    assert story == {
        "id": published.pk,
        "url": settings.SITE_URL + published.get_absolute_url(),
        "headline": "Council passes budget",
        "dek": "The vote was close.",
        "body": "<p>Five to four.</p>",
        "section": {"slug": "news", "name": "News", "description": "", "url": settings.SITE_URL + "/news/"},
        "tags": [{"slug": "budget", "name": "Budget"}],
        "authors": ["Jane Reporter"],
        "source": {
            "slug": "wire",
            "name": "Wire Service",
            "homepage": "https://wire.example/",
            "url": settings.SITE_URL + "/source/wire/",
        },
        "source_url": "https://wire.example/budget",
        "published_at": story["published_at"],
        "modified_at": story["modified_at"],
        "lead_image": {
            "url": story["lead_image"]["url"],
            "width": 1200,
            "height": 600,
            "alt": "Councillors",
        },
        "comment_count": 1,  # published comments only
    }
    assert datetime.datetime.fromisoformat(story["published_at"]) == published.published_at
    assert story["lead_image"]["url"].startswith(settings.SITE_URL + "/media/CACHE/images/")
    assert get(client, f"/api/stories/{published.pk}/") == story


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.UNPUBLISHED])
def test_the_api_never_returns_a_story_that_is_not_live(client, make_article, status):
    hidden = make_article(headline="Secret", status=status, published_at=timezone.now() - HOUR)
    scheduled = make_article(headline="Later", status=Article.Status.SCHEDULED, published_at=timezone.now() + HOUR)
    assert get(client, "/api/stories/")["results"] == []
    get(client, f"/api/stories/{hidden.pk}/", status=404)
    get(client, f"/api/stories/{scheduled.pk}/", status=404)


@pytest.mark.django_db
def test_the_api_never_shows_commenter_data(client, published):
    make_comment(published, "My view.", name="Pat Commenter", email="pat.secret@example.com", ip="203.0.113.7")
    for url in ("/api/", "/api/stories/", f"/api/stories/{published.pk}/", "/api/sections/", "/api/sources/"):
        text = client.get(url).content.decode()
        assert "Pat Commenter" not in text and "My view." not in text and "203.0.113.7" not in text
        assert EMAIL.findall(text) == [], url


@pytest.mark.django_db
def test_stories_are_filtered_by_section_source_tag_and_date(client, make_article, source):
    sport = Section.objects.create(name="Sport", slug="sport")
    tag = Tag.objects.create(name="Harbour", slug="harbour")
    now = timezone.now()
    make_article(headline="Match", section=sport, published_at=now - 30 * HOUR)
    make_article(
        headline="Wire", source=source, source_url="https://wire.example/w", tags=[tag], published_at=now - HOUR
    )

    def headlines(**params):
        return [story["headline"] for story in get(client, "/api/stories/", **params)["results"]]

    assert headlines(section="sport") == ["Match"]
    assert headlines(source="wire") == ["Wire"]
    assert headlines(tag="harbour") == ["Wire"]
    assert headlines(published_after=(now - 2 * HOUR).isoformat()) == ["Wire"]
    assert headlines(published_before=(now - 2 * HOUR).isoformat()) == ["Match"]
    assert headlines(published_after=(now - 2 * 24 * HOUR).date().isoformat()) == ["Wire", "Match"]
    # An offset PostgreSQL would refuse (it takes ±15:59) is read as the UTC time it means (found by the fuzzer).
    assert headlines(published_before="0377-09-14T02:39:42-17:47") == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"section": "nowhere"}, "section"),
        ({"source": "\x00"}, "source"),
        ({"published_after": "yesterday"}, "published_after"),
        ({"published_before": "2026-13-45"}, "published_before"),
        ({"published_before": "0001-01-01T00:00:00+05:00"}, "published_before"),  # the year 0 in UTC
    ],
)
def test_a_bad_filter_is_a_400_naming_the_parameter(client, params, field):
    errors = get(client, "/api/stories/", status=400, **params)
    assert list(errors) == [field]


@pytest.mark.django_db
def test_lists_are_paginated(client, make_article):
    for _ in range(25):
        make_article()
    first = get(client, "/api/stories/")
    assert first["count"] == 25 and len(first["results"]) == 20
    assert first["next"].endswith("/api/stories/?page=2")
    assert len(get(client, "/api/stories/", page=2)["results"]) == 5
    assert len(get(client, "/api/stories/", page_size=5)["results"]) == 5
    get(client, "/api/stories/", status=404, page=9)


@pytest.mark.django_db
def test_sections_and_sources_are_listed_and_found_by_slug(client, section, source):
    assert [s["slug"] for s in get(client, "/api/sections/")["results"]] == ["news"]
    assert get(client, "/api/sections/news/")["name"] == "News"
    assert get(client, "/api/sources/wire/")["homepage"] == "https://wire.example/"
    assert "notes" not in get(client, "/api/sources/wire/")  # editors' licence notes stay in the desk
    get(client, "/api/sources/nowhere/", status=404)


@pytest.mark.django_db
def test_the_api_is_read_only(client, published):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"/api/stories/{published.pk}/", {}, content_type="application/json")
        assert response.status_code == 405, method


@pytest.mark.django_db
def test_the_story_list_query_count_does_not_grow_with_stories(client, add_stories, django_assert_num_queries):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Article)

    add_stories(2)
    with django_assert_num_queries(STORY_LIST_QUERIES):
        client.get("/api/stories/")
    add_stories(10)
    with django_assert_num_queries(STORY_LIST_QUERIES):
        assert len(client.get("/api/stories/").json()["results"]) == 12


# --- the schema ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_openapi_schema_is_served_and_valid(client, tmp_path):
    response = client.get(reverse("api:schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/stories/",
        "/api/stories/{id}/",
        "/api/sections/",
        "/api/sections/{slug}/",
        "/api/sources/",
        "/api/sources/{slug}/",
    }
    story_filters = {p["name"] for p in schema["paths"]["/api/stories/"]["get"]["parameters"]}
    assert {"section", "source", "tag", "published_after", "published_before", "page"} <= story_filters
    # drf-spectacular's own check against the OpenAPI 3 specification's JSON schema; warnings fail too.
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"), stdout=StringIO()
    )


# --- fuzzing against a live server ----------------------------------------------------------------
#
# Schemathesis reads the schema the server publishes, makes requests from it (odd slugs, dates, page
# numbers, unexpected parameters) and checks the answers. Its pytest plugin (from_fixture) does not run
# on pytest 9, so each operation's cases come from its Hypothesis strategy instead.


@pytest.mark.django_db(transaction=True)
def test_fuzzing_the_api_finds_no_server_error_and_answers_as_the_schema_says(live_server, make_article, published):
    make_article(headline="Another", section=Section.objects.create(name="Sport", slug="sport"))
    make_comment(published, "A comment to count.")
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 6

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=15,  # per operation: enough for odd slugs, dates and page numbers, and quick
            deadline=None,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        )
        def call(case):
            case.call_and_validate(base_url=live_server.url, checks=[not_a_server_error, response_schema_conformance])

        call()
