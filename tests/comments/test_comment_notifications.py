"""Mail about comments: replies, approvals, one-click unsubscribe, and a mail server that fails."""

import logging
import re
import socket

import pytest
from django.urls import reverse

from comments import policy, services
from comments.models import ArticleComment
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db


def comment(article, name, email, *, parent=None, followup=False, verdict=None):
    return services.comment_create(
        article=article,
        user_name=name,
        user_email=email,
        comment=f"Words by {name}.",
        followup=followup,
        parent=parent,
        verdict=verdict or policy.publish(),
    )


def unsubscribe_path(message):
    return re.search(r"http://127\.0\.0\.1:8000(/comments/unsubscribe/[^/\s]+/)", message.body).group(1)


class TestReplies:
    def test_the_author_who_asked_hears_about_a_reply_and_nobody_else_does(self, article, on_commit, mailoutbox):
        with on_commit():
            parent = comment(article, "Ann", "ann@example.com", followup=True)
            comment(article, "Bystander", "by@example.com", followup=True)  # not part of this thread
            comment(article, "Bob", "bob@example.com", parent=parent)

        assert [m.to for m in mailoutbox] == [["ann@example.com"]]
        mail = mailoutbox[0]
        assert mail.subject == "Bob replied to your comment on “Council passes budget”"
        assert "Words by Bob." in mail.body
        assert "bob@example.com" not in mail.body + mail.alternatives[0][0]
        assert mail.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe_path(mail)}>"
        assert mail.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe_path(mail) in mail.alternatives[0][0]

    def test_no_mail_without_asking_or_for_replying_to_oneself(self, article, on_commit, mailoutbox):
        with on_commit():
            quiet = comment(article, "Quiet", "quiet@example.com", followup=False)
            comment(article, "Bob", "bob@example.com", parent=quiet)
            chatty = comment(article, "Chatty", "chatty@example.com", followup=True)
            comment(article, "Chatty again", "CHATTY@example.com", parent=chatty)
        assert mailoutbox == []

    def test_a_held_reply_notifies_only_once_it_is_approved(self, article, editor, on_commit, mailoutbox):
        with on_commit():
            parent = comment(article, "Ann", "ann@example.com", followup=True)
            reply = comment(article, "Bob", "bob@example.com", parent=parent, verdict=policy.hold("first"))
        assert mailoutbox == []

        with on_commit():
            services.comment_approve(comment=reply, by=editor)
        assert [m.to for m in mailoutbox] == [["ann@example.com"]]


def to(mailoutbox, address):
    return [m for m in mailoutbox if m.to == [address]]


class TestApproval:
    """The moderator persona also gets the desk's "awaiting moderation" mail; these look at the author's."""

    def test_an_author_who_asked_is_told_when_their_comment_is_approved(
        self, article, moderator, on_commit, mailoutbox
    ):
        with on_commit():
            held = comment(article, "Pat", "pat@example.com", followup=True, verdict=policy.hold("first"))
            services.comment_approve(comment=held, by=moderator)

        [mail] = to(mailoutbox, "pat@example.com")
        assert mail.subject == "Your comment on “Council passes budget” is published"
        assert f"http://127.0.0.1:8000/comments/{held.pk}/" in mail.body
        assert "List-Unsubscribe" in mail.extra_headers

    def test_re_approving_after_flags_sends_nothing_again(self, article, moderator, on_commit, mailoutbox):
        with on_commit():
            held = comment(article, "Pat", "pat@example.com", followup=True, verdict=policy.hold("first"))
            services.comment_approve(comment=held, by=moderator)
            held.is_public = False
            held.save()
            services.comment_approve(comment=held, by=moderator)
        assert len(to(mailoutbox, "pat@example.com")) == 1

    def test_no_approval_mail_without_asking(self, article, moderator, on_commit, mailoutbox):
        with on_commit():
            held = comment(article, "Pat", "pat@example.com", verdict=policy.hold("first"))
            services.comment_approve(comment=held, by=moderator)
        assert to(mailoutbox, "pat@example.com") == []


class TestUnsubscribe:
    @pytest.mark.parametrize("method", ["get", "post"])
    def test_one_click_stops_every_reply_mail_to_that_address(self, client, article, on_commit, mailoutbox, method):
        with on_commit():
            first = comment(article, "Ann", "ann@example.com", followup=True)
            other = comment(article, "Ann", "ANN@example.com", followup=True)
            comment(article, "Bob", "bob@example.com", parent=first)

        response = getattr(client, method)(unsubscribe_path(mailoutbox[0]))

        assert response.status_code == 200
        assert "You are unsubscribed" in response.content.decode()
        assert not ArticleComment.objects.filter(pk__in=[first.pk, other.pk], followup=True).exists()
        with on_commit():
            comment(article, "Cy", "cy@example.com", parent=other)
        assert len(mailoutbox) == 1

    def test_a_forged_link_is_refused_clearly(self, client):
        response = client.get(reverse("comments:unsubscribe", args=["eyJjIjoxfQ:forged"]))
        assert response.status_code == 400
        assert "not valid" in response.content.decode()


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_dead_mail_server_loses_no_comment_and_is_logged(client, article, settings, on_commit, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    settings.COMMENTS_XTD_CONFIRM_EMAIL = False
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]

    with caplog.at_level(logging.ERROR, logger="comments.outbox"), on_commit():
        response = client.post(reverse("comments:post"), comment_form_data(article, comment="Still here"))

    assert response.status_code == 200
    assert "awaiting moderation" in response.content.decode()
    assert ArticleComment.objects.filter(comment="Still here").exists()
    assert "Could not send 'comment-held' mail" in caplog.text


def test_without_email_confirmation_anonymous_comments_are_saved_at_once(
    client, article, settings, on_commit, mailoutbox
):
    settings.COMMENTS_XTD_CONFIRM_EMAIL = False
    with on_commit():
        response = client.post(reverse("comments:post"), comment_form_data(article))
    assert response.status_code == 200
    assert ArticleComment.objects.count() == 1
    assert all("/comments/confirm/" not in m.body for m in mailoutbox)
