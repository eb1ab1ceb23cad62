"""Old addresses keep working: a story whose address changes after it went public (an editor changes its slug or
section on the desk's change form, re-schedules it for another day, renames its section) answers at every old
address with a 301 to the current one, straight there however many times it moved; a story that takes an old
address is served there; feeds and sitemaps name only the current address; no cache keeps the wrong answer."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleRedirect, Section
from tests.desk.forms import post_story

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def story(make_article):
    return make_article(headline="Harbour reopens", slug="harbour")


@pytest.fixture
def sport(db):
    return Section.objects.create(name="Sport", slug="sport", position=2)


def move(editor_client, story, **changes):
    response = post_story(editor_client, story, **changes)
    assert response.status_code == 302, response.context["adminform"].form.errors
    story.refresh_from_db()
    return story.get_absolute_url()


def assert_moved(anonymous, old, new):
    response = anonymous.get(old)
    assert response.status_code == 301
    assert response["Location"] == new
    assert anonymous.get(new).status_code == 200


def test_a_new_slug_sends_the_old_address_to_the_new_one(editor_client, anonymous, story):
    old = story.get_absolute_url()

    new = move(editor_client, story, slug="harbour-reopens-after-storm")

    assert new.endswith("/harbour-reopens-after-storm/") and new != old
    assert_moved(anonymous, old, new)


def test_a_new_section_sends_the_old_address_to_the_new_one(editor_client, anonymous, story, sport):
    old = story.get_absolute_url()

    new = move(editor_client, story, section=sport.pk)

    assert new.startswith("/sport/")
    assert_moved(anonymous, old, new)


def test_a_story_rescheduled_for_another_day_answers_at_its_old_address_once_live_again(
    editor_client, anonymous, story
):
    old = story.get_absolute_url()
    move(editor_client, story, _workflow="unpublish")
    go_live = timezone.localtime(timezone.now() + 2 * DAY)
    new = move(
        editor_client,
        story,
        _workflow="schedule",
        go_live_at_0=go_live.strftime("%Y-%m-%d"),
        go_live_at_1=go_live.strftime("%H:%M:%S"),
    )
    assert new != old

    # Not public yet: the old address says nothing of where it will be.
    assert anonymous.get(old).status_code == 404
    with time_machine.travel(go_live + datetime.timedelta(minutes=1), tick=False):
        assert_moved(anonymous, old, new)


def test_every_old_address_goes_straight_to_the_current_one(editor_client, anonymous, story, sport):
    first = story.get_absolute_url()
    second = move(editor_client, story, slug="harbour-reopens")
    third = move(editor_client, story, section=sport.pk)

    for old in (first, second):
        assert_moved(anonymous, old, third)
    assert ArticleRedirect.objects.filter(article=story).count() == 2


def test_moving_back_ends_the_redirect_at_that_address(editor_client, anonymous, story):
    first = story.get_absolute_url()
    second = move(editor_client, story, slug="harbour-reopens")

    assert move(editor_client, story, slug="harbour") == first

    assert anonymous.get(first).status_code == 200
    assert_moved(anonymous, second, first)
    assert list(ArticleRedirect.objects.values_list("old_path", flat=True)) == [second]


def test_a_story_that_takes_an_old_address_is_served_there(editor_client, anonymous, story, make_article):
    old = story.get_absolute_url()
    move(editor_client, story, slug="harbour-reopens")

    newcomer = make_article(headline="Harbour closes again", slug="harbour", published_at=story.published_at)

    assert newcomer.get_absolute_url() == old
    response = anonymous.get(old)
    assert response.status_code == 200 and "Harbour closes again" in response.content.decode()
    # The address is the newcomer's now: once it comes down, the old story does not take it back.
    move(editor_client, newcomer, _workflow="unpublish")
    assert anonymous.get(old).status_code == 404


def test_the_newcomer_wins_even_over_a_redirect_it_did_not_end(anonymous, story, make_article):
    old = story.get_absolute_url()
    moved = make_article(headline="Elsewhere", slug="elsewhere", published_at=story.published_at)
    ArticleRedirect.objects.create(old_path=old, article=moved)

    response = anonymous.get(old)

    assert response.status_code == 200 and "Harbour reopens" in response.content.decode()


def test_an_unpublished_story_keeps_its_new_address_to_itself(editor_client, anonymous, story):
    old = story.get_absolute_url()
    new = move(editor_client, story, slug="harbour-reopens")
    move(editor_client, story, _workflow="unpublish")

    for address in (old, new):
        response = anonymous.get(address)
        assert response.status_code == 404
        assert new not in response.content.decode()


def test_a_draft_or_a_story_not_yet_live_moves_without_leaving_addresses(editor_client, make_article, sport):
    draft = make_article(status=Article.Status.DRAFT, slug="draft-story")
    scheduled = make_article(status=Article.Status.SCHEDULED, published_at=timezone.now() + DAY, slug="soon")

    move(editor_client, draft, slug="draft-story-renamed")
    move(editor_client, scheduled, section=sport.pk)

    assert not ArticleRedirect.objects.exists()


def test_renaming_a_section_moves_its_stories(admin_client, anonymous, story, make_article, section):
    other = make_article(headline="Ferry timetable", slug="ferry")
    old = [story.get_absolute_url(), other.get_absolute_url()]

    response = admin_client.post(
        reverse("admin:articles_section_change", args=[section.pk]),
        {"name": "Local news", "slug": "local", "position": section.position},
    )

    assert response.status_code == 302
    for before, article in zip(old, (story, other), strict=True):
        article.refresh_from_db()
        assert article.get_absolute_url().startswith("/local/")
        assert_moved(anonymous, before, article.get_absolute_url())


def test_the_query_string_travels_along(editor_client, anonymous, story):
    old = story.get_absolute_url()
    new = move(editor_client, story, slug="harbour-reopens")

    assert anonymous.get(old + "?utm_source=newsletter")["Location"] == new + "?utm_source=newsletter"


def test_feeds_and_sitemaps_name_only_the_current_address(editor_client, anonymous, story):
    old = story.get_absolute_url()
    new = move(editor_client, story, slug="harbour-reopens")

    for url in (
        reverse("articles:feed_rss"),
        reverse("articles:feed_atom"),
        reverse("articles:section_feed_rss", args=[story.section.slug]),
        reverse("sitemap_section", args=["stories"]),
        reverse("sitemap_news"),
    ):
        body = anonymous.get(url).content.decode()
        assert new in body, url
        assert old not in body, url


def test_no_cache_keeps_the_old_page_or_the_redirect(editor_client, anonymous, story):
    old = story.get_absolute_url()
    anonymous.get(old)
    assert anonymous.get(old)["X-Page-Cache"] == "hit"  # the old address, cached while it was the story's

    new = move(editor_client, story, slug="harbour-reopens")

    for _ in range(2):
        response = anonymous.get(old)
        assert response.status_code == 301 and response["Location"] == new
        assert response["X-Page-Cache"] == "miss"  # never stored: the page cache keeps only 200s
        assert response["Cache-Control"] == "private, max-age=60"  # no shared cache keeps it
        assert "Surrogate-Key" not in response


def test_other_missing_pages_do_not_look_for_old_addresses(anonymous, story):
    with CaptureQueriesContext(connection) as queries:
        assert anonymous.get("/tag/no-such-tag/").status_code == 404
        assert anonymous.get("/no/such/page/at/all/").status_code == 404
    assert not any("articleredirect" in query["sql"] for query in queries.captured_queries)
