"""The moderation policy's rules, one by one (comments/policy.py is the only place they live)."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser

from comments import policy, services
from comments.models import Ban

pytestmark = pytest.mark.django_db


def judge(article, text="A reasonable comment.", email="new@example.com", user=None):
    return policy.judge(article=article, text=text, email=email, user=user, ip_address="192.0.2.1")


def approve_from(article, email, times=1):
    for n in range(times):
        services.comment_create(
            article=article, user_name="Old hand", user_email=email, comment=f"Approved {n}", verdict=policy.publish()
        )


def test_a_first_time_commenter_is_held(article):
    verdict = judge(article)
    assert (verdict.action, verdict.reason) == ("hold", "First comment from this address.")


def test_an_address_with_enough_approved_comments_is_published_at_once(article, settings):
    settings.COMMENTS_POLICY = {"TRUSTED_AFTER": 2}
    approve_from(article, "regular@example.com")
    assert judge(article, email="regular@example.com").held
    approve_from(article, "regular@example.com")
    assert judge(article, email="Regular@example.com").action == "publish"


def test_hold_all_holds_even_trusted_commenters(article, settings):
    approve_from(article, "regular@example.com")
    settings.COMMENTS_POLICY = {"HOLD_ALL": True}
    assert judge(article, email="regular@example.com").reason == "Every comment is reviewed before it appears."


def test_moderators_are_trusted_even_when_everything_is_held(article, settings, moderator):
    settings.COMMENTS_POLICY = {"HOLD_ALL": True}
    assert judge(article, user=moderator).action == "publish"
    assert judge(article, user=AnonymousUser()).held


def test_more_links_than_allowed_are_held(article, settings):
    approve_from(article, "regular@example.com")
    settings.COMMENTS_POLICY = {"MAX_LINKS": 1}
    assert judge(article, "See https://a.example", "regular@example.com").action == "publish"
    verdict = judge(article, "See https://a.example and www.b.example", "regular@example.com")
    assert (verdict.action, verdict.reason) == ("hold", "Contains 2 links.")


def test_suspect_words_are_held_and_blocked_words_rejected(article, settings):
    approve_from(article, "regular@example.com")
    settings.COMMENTS_POLICY = {"SUSPECT_WORDS": ["casino"], "BLOCKED_WORDS": ["slur"]}
    assert judge(article, "Visit my Casino!", "regular@example.com").reason == "Contains the watched word “casino”."
    assert judge(article, "casinos are fine", "regular@example.com").action == "publish"  # whole words only
    assert judge(article, "a SLUR here", "regular@example.com").rejected


def test_bans_cover_an_address_or_its_whole_domain(article):
    Ban.objects.create(value="Spam.Example")
    assert judge(article, email="anyone@spam.example").status == 403
    assert not judge(article, email="anyone@ham.example").rejected


class TestClosing:
    def test_comments_close_when_the_editor_disables_them(self, make_article):
        assert not policy.comments_open(make_article(comments_enabled=False))

    def test_comments_close_n_days_after_publishing(self, make_article, settings):
        settings.COMMENTS_POLICY = {"CLOSE_AFTER_DAYS": 7}
        story = make_article()
        assert policy.comments_open(story)
        with time_machine.travel(datetime.timedelta(days=7)):
            assert not policy.comments_open(story)
            assert judge(story).reason == "Comments are closed on this story."

    def test_comments_never_close_by_age_when_the_setting_is_none(self, make_article, settings):
        settings.COMMENTS_POLICY = {"CLOSE_AFTER_DAYS": None}
        story = make_article()
        with time_machine.travel(datetime.timedelta(days=3650)):
            assert policy.comments_open(story)

    @pytest.mark.parametrize("status", ["draft", "in_review", "unpublished"])
    def test_stories_readers_cannot_see_take_no_comments(self, make_article, status):
        assert not policy.comments_open(make_article(status=status))

    def test_a_scheduled_story_opens_when_it_goes_live(self, make_article):
        story = make_article(
            status="scheduled", published_at=datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1)
        )
        assert not policy.comments_open(story)
        with time_machine.travel(datetime.timedelta(hours=2)):
            assert policy.comments_open(story)


def test_count_links():
    assert policy.count_links("none here") == 0
    assert policy.count_links("http://a.example https://b.example www.c.example HTTP://D.EXAMPLE") == 4
