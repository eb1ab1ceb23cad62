"""Comments close per story (`comments_enabled`) and by age (COMMENTS_POLICY["CLOSE_AFTER_DAYS"]).

A closed story keeps showing its comments, says "Comments are closed." and refuses new ones.
"""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from comments.models import ArticleComment, PendingComment
from tests.makers import make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def close_after_a_week(settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "CLOSE_AFTER_DAYS": 7}


def comments_region(client, article):
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    return parse(response).find("section", id="comments")


def assert_closed(region):
    assert region.find("p", class_="comments-closed").text == "Comments are closed."
    assert region.find("form") is None
    assert "Leave a Reply" not in region.text
    assert not any(link.text.startswith("Reply") for link in region.find_all("a"))


def assert_open(region):
    assert region.find("p", class_="comments-closed") is None
    assert region.find("div", id="respond").find("form") is not None


# --- closed by the editor ------------------------------------------------------------------------


def test_a_story_closed_by_its_editor_still_shows_its_comments(client, make_article):
    story = make_article(comments_enabled=False)
    first = make_comment(story, "Said before closing.")
    make_comment(story, "And a reply.", parent=first)

    region = comments_region(client, story)

    assert region.find("h2").text == "2 Comments"
    assert "Said before closing." in region.text and "And a reply." in region.text
    assert_closed(region)


def test_a_closed_story_without_comments_does_not_invite_any(client, make_article):
    region = comments_region(client, make_article(comments_enabled=False))
    assert "Be the first to comment" not in region.text
    assert_closed(region)


def test_posting_to_a_closed_story_is_refused_and_sends_no_mail(post, make_article, mailoutbox):
    story = make_article(comments_enabled=False)

    response = post(story, email="pat@example.com", comment="Let me in.")

    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()
    assert mailoutbox == []
    assert not PendingComment.objects.exists() and not ArticleComment.objects.exists()


def test_replying_on_a_closed_story_is_refused(post, make_article, mailoutbox):
    story = make_article()
    parent = make_comment(story)
    story.comments_enabled = False
    story.save()

    response = post(story, reply_to=parent.pk, comment="A late reply.")

    assert response.status_code == 403
    assert mailoutbox == []
    assert ArticleComment.objects.count() == 1


def test_reopening_a_story_brings_the_form_back(client, make_article):
    story = make_article(comments_enabled=False)
    story.comments_enabled = True
    story.save()
    assert_open(comments_region(client, story))


# --- closed by age ---------------------------------------------------------------------------------


def test_comments_close_the_set_number_of_days_after_publishing(client, make_article, close_after_a_week):
    fresh = make_article(published_at=timezone.now() - 6 * DAY)
    old = make_article(published_at=timezone.now() - 8 * DAY)
    make_comment(old, "From its first week.")

    assert_open(comments_region(client, fresh))
    region = comments_region(client, old)
    assert_closed(region)
    assert "From its first week." in region.text


def test_a_story_closes_on_its_own_as_time_passes(client, make_article, close_after_a_week):
    story = make_article(published_at=timezone.now() - 6 * DAY)
    assert_open(comments_region(client, story))
    with time_machine.travel(timezone.now() + 2 * DAY, tick=False):
        assert_closed(comments_region(client, story))


def test_posting_to_a_story_closed_by_age_is_refused_and_sends_no_mail(
    post, make_article, mailoutbox, close_after_a_week
):
    story = make_article(published_at=timezone.now() - 8 * DAY)

    response = post(story, comment="Better late than never.")

    assert response.status_code == 403
    assert mailoutbox == []
    assert not PendingComment.objects.exists()


def test_comments_can_be_set_never_to_close_by_age(client, make_article, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "CLOSE_AFTER_DAYS": None}
    assert_open(comments_region(client, make_article(published_at=timezone.now() - 3650 * DAY)))


def test_the_default_closes_after_thirty_days(client, make_article, settings):
    settings.COMMENTS_POLICY = {
        key: value for key, value in settings.COMMENTS_POLICY.items() if key != "CLOSE_AFTER_DAYS"
    }
    assert_open(comments_region(client, make_article(published_at=timezone.now() - 29 * DAY)))
    assert_closed(comments_region(client, make_article(published_at=timezone.now() - 31 * DAY)))


def test_the_reply_page_of_a_story_closed_by_age_has_no_form(client, make_article, close_after_a_week):
    story = make_article(published_at=timezone.now() - 8 * DAY)
    parent = make_comment(story, "Old but visible.")

    page = parse(client.get(reverse("comments:reply", args=[parent.pk])))

    assert page.find("p", class_="comments-closed").text == "Comments are closed."
    assert page.find("main").find("form") is None  # (the header's search box is not a comment form)
