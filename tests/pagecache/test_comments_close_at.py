"""A story's comments close at the time the desk set (Article.comments_close_at): its cached pages end at that moment,
as when a story goes live or comes down, and no other story's do."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from articles.models import Article, Section
from tests.makers import comment_form_data
from tests.pagecache.reading import cached, text_of

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture
def close_at_in(django_capture_on_commit_callbacks):
    """`close_at_in(story, span)`: the desk sets the story's comments to close `span` from now (a committed save)."""

    def set_close(story, span):
        story.comments_close_at = (timezone.now() + span).replace(microsecond=0)
        with django_capture_on_commit_callbacks(execute=True):
            story.save()
        return story.comments_close_at

    return set_close


def served_from_cache(url):
    return Client().get(url)["X-Page-Cache"] == "hit"


def test_the_cached_story_shows_the_form_until_the_moment_and_comments_are_closed_right_after(
    reader_browser, article, close_at_in
):
    closing = close_at_in(article, 2 * HOUR)
    url = article.get_absolute_url()
    assert "Leave a Reply" in text_of(cached(reader_browser, url))

    with time_machine.travel(closing - SECOND, tick=False):
        before = reader_browser.get(url)
    assert before["X-Page-Cache"] == "hit"
    assert "Leave a Reply" in text_of(before)

    with time_machine.travel(closing, tick=False):
        html = text_of(reader_browser.get(url))
    assert "Comments are closed." in html
    assert "Leave a Reply" not in html


def test_a_comment_sent_from_the_page_after_the_moment_is_refused(client, article, close_at_in):
    closing = close_at_in(article, HOUR)
    with time_machine.travel(closing, tick=False):
        response = client.post("/comments/post/", comment_form_data(article), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 403
    assert "Comments are closed on this story." in text_of(response)


def test_the_sites_own_closing_rule_still_applies_when_it_comes_first(
    reader_browser, make_article, settings, close_at_in
):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "CLOSE_AFTER_DAYS": 2}
    story = make_article(published_at=timezone.now() - HOUR)
    close_at_in(story, datetime.timedelta(days=5))
    cached(reader_browser, story.get_absolute_url())

    with time_machine.travel(story.published_at + datetime.timedelta(days=2), tick=False):
        assert "Comments are closed." in text_of(reader_browser.get(story.get_absolute_url()))


def test_one_storys_comments_closing_leaves_the_others_cached(make_article, close_at_in):
    closing_story = make_article(headline="Council meets")
    other = make_article(headline="Harbour team wins", section=Section.objects.create(name="Sport", slug="sport"))
    closing = close_at_in(closing_story, HOUR)
    cached(Client(), closing_story.get_absolute_url()), cached(Client(), other.get_absolute_url())

    with time_machine.travel(closing, tick=False):
        assert "Comments are closed." in text_of(Client().get(closing_story.get_absolute_url()))
        assert served_from_cache(other.get_absolute_url())


class TestTheScheduledMoments:
    """next_change_after and changing_between see the same moment (pagecache.freshness asks both)."""

    def test_the_close_moment_is_the_next_change_and_names_its_story(self, make_article):
        story = make_article()
        story.comments_close_at = timezone.now() + HOUR
        story.save()
        now = timezone.now()

        assert Article.objects.next_change_after(now) == story.comments_close_at
        assert list(Article.objects.changing_between(now, story.comments_close_at)) == [story]
        assert not Article.objects.changing_between(now, story.comments_close_at - SECOND).exists()

    def test_a_story_no_longer_live_has_no_close_moment(self, make_article):
        story = make_article(status=Article.Status.UNPUBLISHED, comments_close_at=timezone.now() + HOUR)
        assert Article.objects.next_change_after(timezone.now()) is None
        assert not Article.objects.changing_between(timezone.now(), story.comments_close_at).exists()

    def test_a_moment_already_past_is_not_the_next_one(self, make_article):
        make_article(comments_close_at=timezone.now() - HOUR)
        assert Article.objects.next_change_after(timezone.now()) is None
