"""Posting a comment: the anonymous confirmation flow, signed-in posting, and what each reader sees."""

import base64
import datetime
import json
import re

import pytest
import time_machine
from django.urls import reverse

from comments import policy, services
from comments.models import ArticleComment, Ban, ModerationDecision, PendingComment
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db

POST_URL = "/comments/post/"


@pytest.fixture(autouse=True)
def _moderators(settings):
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]


@pytest.fixture
def follow_link(client, django_capture_on_commit_callbacks):
    def follow(message, client=client):
        path = re.search(r"http://127\.0\.0\.1:8000(/comments/confirm/[^/\s]+/)", message.body).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(path)

    return follow


def publish_one(article, email):
    """An approved comment from `email`, making that address trusted."""
    return services.comment_create(
        article=article, user_name="Earlier", user_email=email, comment="An earlier comment.", verdict=policy.publish()
    )


class TestAnonymousReader:
    def test_a_comment_waits_for_the_emailed_link_before_anything_is_stored(self, post, article, mailoutbox):
        response = post(article, email="pat@example.com", comment="First!\nSecond line.")

        assert response.status_code == 200
        assert "Check your email to confirm your comment" in response.content.decode()
        assert not ArticleComment.objects.exists()
        assert [m.to for m in mailoutbox] == [["pat@example.com"]]
        assert mailoutbox[0].subject == "Confirm your comment on “Council passes budget”"
        assert "/comments/confirm/" in mailoutbox[0].body
        assert "/comments/confirm/" in mailoutbox[0].alternatives[0][0]

    def test_the_link_carries_no_personal_data(self, post, article, mailoutbox):
        post(article, email="pat@example.com", name="Pat Q")
        token = re.search(r"/comments/confirm/([^/\s]+)/", mailoutbox[0].body).group(1)
        payload = token.split(":")[0]
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert set(decoded) == {"p"}
        for secret in ("pat@example.com", "Pat Q", "203.0.113.9"):
            assert secret not in token

    def test_confirming_saves_the_comment_held_and_tells_the_desk(self, post, follow_link, article, mailoutbox):
        post(article, email="pat@example.com", comment="My view on the budget.")
        response = follow_link(mailoutbox[0])

        assert response.status_code == 200
        assert "awaiting moderation" in response.content.decode()
        comment = ArticleComment.objects.get()
        assert (comment.is_public, comment.user_email, comment.ip_address) == (False, "pat@example.com", "203.0.113.9")
        assert comment.hold_reason == "First comment from this address."
        assert comment.decisions.get().action == ModerationDecision.Action.HELD
        desk_mail = mailoutbox[1]
        assert desk_mail.to == ["desk@newsroom.example"]
        assert "My view on the budget." in desk_mail.body
        assert "/admin/comments/articlecomment/" in desk_mail.body

    def test_the_link_works_once(self, post, follow_link, article, mailoutbox):
        post(article)
        follow_link(mailoutbox[0])
        response = follow_link(mailoutbox[0])

        assert response.status_code == 410
        assert "already confirmed" in response.content.decode()
        assert ArticleComment.objects.count() == 1

    def test_the_link_expires(self, post, follow_link, article, mailoutbox):
        post(article)
        with time_machine.travel(datetime.timedelta(days=3, minutes=1)):
            response = follow_link(mailoutbox[0])

        assert response.status_code == 410
        assert "expired" in response.content.decode()
        assert not ArticleComment.objects.exists()

    @pytest.mark.parametrize("token", ["garbage", "eyJwIjoxfQ:1tXyZ:forged", "a" * 500])
    def test_a_forged_link_is_refused_clearly(self, client, article, token):
        response = client.get(reverse("comments:confirm", args=[token]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()

    def test_confirming_rechecks_a_story_closed_since(self, post, follow_link, article, mailoutbox):
        post(article)
        article.comments_enabled = False
        article.save()

        response = follow_link(mailoutbox[0])
        assert response.status_code == 403
        assert "Comments are closed" in response.content.decode()
        assert not ArticleComment.objects.exists()

    def test_confirming_rechecks_a_ban_made_since(self, post, follow_link, article, mailoutbox):
        post(article, email="troll@spam.example")
        Ban.objects.create(value="spam.example")

        assert follow_link(mailoutbox[0]).status_code == 403
        assert not ArticleComment.objects.exists()

    def test_one_address_gets_at_most_three_confirmation_mails_an_hour(self, post, article, mailoutbox):
        for n in range(3):
            assert post(article, comment=f"Comment {n}", ip=f"203.0.113.{n}").status_code == 200
        with time_machine.travel(datetime.timedelta(minutes=5)):
            response = post(article, comment="Comment 4", ip="203.0.113.99")

        assert response.status_code == 429
        assert "several confirmation emails" in response.content.decode()
        assert len(mailoutbox) == 3
        assert PendingComment.objects.count() == 3

    def test_a_trusted_address_is_published_at_once_after_confirming(
        self, post, follow_link, client, article, mailoutbox
    ):
        publish_one(article, "regular@example.com")
        post(article, email="Regular@Example.com", comment="Again, thanks.")
        response = follow_link(mailoutbox[0])

        comment = ArticleComment.objects.get(comment="Again, thanks.")
        assert comment.is_public
        assert response.status_code == 302
        assert response["Location"] == f"/comments/{comment.pk}/"
        assert "Again, thanks." in client.get(response["Location"], follow=True).content.decode()


class TestSignedInReader:
    def test_a_reader_with_an_account_skips_the_confirmation_mail(self, post, client, reader, article, mailoutbox):
        client.force_login(reader)
        response = post(article, email="reader@staff.example", name="Reader")

        assert response.status_code == 200
        assert "awaiting moderation" in response.content.decode()
        comment = ArticleComment.objects.get()
        assert comment.user == reader and not comment.is_public
        assert [m.to for m in mailoutbox] == [["desk@newsroom.example"]]

    def test_a_moderator_is_published_at_once(self, post, client, moderator, article, mailoutbox):
        client.force_login(moderator)
        response = post(article, email="moderator@staff.example", name="The Desk")

        comment = ArticleComment.objects.get()
        assert comment.is_public
        assert response["Location"] == f"/comments/{comment.pk}/"
        assert mailoutbox == []


class TestBadInput:
    """Every refusal is a 4xx page that says why and gives the reader their text back."""

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"comment": "x" * 3001}, "under 3000 characters"),
            ({"comment": "   "}, "This field is required"),
            ({"comment": "bell\x07char"}, "invisible control characters"),
            ({"comment": "null\x00byte"}, "Null characters are not allowed"),
            ({"name": "Pat\u202eetaP"}, "invisible control characters"),
            ({"name": ""}, "This field is required"),
            ({"email": "not-an-email"}, "Enter a valid email address"),
            ({"url": "javascript:alert(1)"}, "http:// or https://"),
            ({"honeypot": "http://spam.example"}, "looks automated"),
            ({"seconds_ago": 0}, "too fast"),
            ({"seconds_ago": 13 * 3600}, "too old"),
        ],
    )
    def test_form_errors_come_back_on_the_form_with_the_text_kept(self, client, article, fields, message):
        data = comment_form_data(article, **{"comment": "Keep my words", **fields})
        response = client.post(POST_URL, data)

        assert response.status_code == 400
        page = response.content.decode()
        assert message in page
        assert "Leave a Reply" in page
        if "comment" not in fields:
            assert "Keep my words" in page
        assert not ArticleComment.objects.exists() and not PendingComment.objects.exists()

    def test_the_kept_form_can_be_sent_again_once_corrected(self, client, article):
        response = client.post(POST_URL, comment_form_data(article, email="broken"))
        form = response.context["form"]
        data = {**form.data.dict(), "email": "fixed@example.com"}
        with time_machine.travel(datetime.timedelta(seconds=10)):
            assert client.post(POST_URL, data).status_code == 200
        assert PendingComment.objects.filter(user_email="fixed@example.com").exists()

    def test_a_tampered_security_hash_is_refused(self, client, article):
        response = client.post(POST_URL, comment_form_data(article, security_hash="0" * 40))
        assert response.status_code == 400
        assert "reload the story" in response.content.decode()

    @pytest.mark.parametrize(
        "override",
        [{"content_type": "auth.user"}, {"content_type": "nonsense"}, {"object_pk": "999999"}, {"object_pk": "abc"}],
    )
    def test_an_unknown_target_is_refused(self, client, article, override):
        response = client.post(POST_URL, {**comment_form_data(article), **override})
        assert response.status_code == 400
        assert "could not find the story" in response.content.decode()

    def test_a_draft_cannot_be_commented_on(self, client, make_article):
        draft = make_article(status="draft")
        assert client.post(POST_URL, comment_form_data(draft)).status_code == 400

    def test_get_is_not_allowed(self, client):
        assert client.get(POST_URL).status_code == 405


class TestSpamRules:
    def test_more_than_five_posts_a_minute_from_one_ip_are_refused(self, post, article):
        for n in range(5):
            assert post(article, email=f"r{n}@example.com", comment=f"Comment {n}").status_code == 200
        response = post(article, email="r9@example.com", comment="One more")

        assert response.status_code == 429
        assert "posting too quickly" in response.content.decode()

    def test_more_than_five_posts_a_minute_from_one_address_are_refused(self, post, client, reader, article):
        client.force_login(reader)
        for n in range(5):
            post(article, comment=f"Comment {n}", ip=f"198.51.100.{n}")
        assert post(article, comment="One more", ip="198.51.100.77").status_code == 429

    def test_the_same_text_twice_is_refused(self, post, client, reader, article):
        client.force_login(reader)
        post(article, comment="Same words")
        response = post(article, comment="Same words")

        assert response.status_code == 409
        assert "already posted this comment" in response.content.decode()

    @pytest.mark.parametrize("banned", ["spammer@example.net", "example.net"])
    def test_banned_addresses_and_domains_are_refused(self, post, article, mailoutbox, banned):
        Ban.objects.create(value=banned)
        response = post(article, email="Spammer@Example.net")

        assert response.status_code == 403
        assert "not accepted" in response.content.decode()
        assert mailoutbox == []

    def test_blocked_words_are_refused(self, post, article, settings):
        settings.COMMENTS_POLICY = {"BLOCKED_WORDS": ["slur"]}
        response = post(article, comment="That is a SLUR.")
        assert response.status_code == 400
        assert "language we do not publish" in response.content.decode()


def test_a_reply_to_the_deepest_level_attaches_at_that_level(post, client, reader, article):
    top = publish_one(article, "a@example.com")
    level1 = services.comment_create(
        article=article, user_name="B", user_email="b@example.com", comment="b", verdict=policy.publish(), parent=top
    )
    level2 = services.comment_create(
        article=article, user_name="C", user_email="c@example.com", comment="c", verdict=policy.publish(), parent=level1
    )
    client.force_login(reader)
    response = post(article, comment="Deep reply", reply_to=level2.pk)

    assert response.status_code == 200
    deep = ArticleComment.objects.get(comment="Deep reply")
    assert (deep.level, deep.parent_id, deep.thread_id) == (2, level1.pk, top.pk)


def test_a_reply_to_a_comment_that_is_not_visible_is_refused(post, client, reader, article):
    held = services.comment_create(
        article=article, user_name="H", user_email="h@example.com", comment="held", verdict=policy.hold("test")
    )
    client.force_login(reader)
    response = post(article, comment="Reply", reply_to=held.pk)
    assert response.status_code == 400
    assert "no longer available" in response.content.decode()


def test_xtd_follows_a_changed_thread_depth_setting(post, client, reader, article, settings):
    # xtd caches its settings on first use; comments/apps.py makes it forget them on change.
    from django_comments_xtd.conf import settings as xtd_settings

    assert xtd_settings.COMMENTS_XTD_MAX_THREAD_LEVEL == 2  # cached now
    settings.COMMENTS_XTD_MAX_THREAD_LEVEL = 1
    top = publish_one(article, "a@example.com")
    level1 = services.comment_create(
        article=article, user_name="B", user_email="b@example.com", comment="b", verdict=policy.publish(), parent=top
    )
    assert not level1.allow_thread()
    client.force_login(reader)
    assert post(article, comment="Deep reply", reply_to=level1.pk).status_code == 200
    assert ArticleComment.objects.get(comment="Deep reply").level == 1
