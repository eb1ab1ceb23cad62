"""The whole life of a comment, as the people involved meet it:
post → confirm by email → held → approved in the admin → visible → reply → notification → unsubscribe."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import ArticleComment
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db

LINK = r"http://127\.0\.0\.1:8000(/comments/{}/[^/\s]+/)"


def link(message, kind):
    return re.search(LINK.format(kind), message.body).group(1)


def test_a_comment_from_posting_to_unsubscribing(
    article, moderator, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]
    pat, sam, desk = Client(REMOTE_ADDR="198.51.100.1"), Client(REMOTE_ADDR="198.51.100.2"), Client()
    desk.force_login(moderator)

    def run(request, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args, **kwargs)

    # Pat posts, asking to hear about replies; nothing is stored until Pat confirms.
    data = comment_form_data(article, name="Pat", email="pat@example.com", comment="Good news.", followup="on")
    assert run(pat.post, reverse("comments:post"), data).status_code == 200
    assert not ArticleComment.objects.exists()
    [confirm_mail] = mailoutbox

    # The link holds the comment for a moderator, who is told.
    assert "awaiting moderation" in run(pat.get, link(confirm_mail, "confirm")).content.decode()
    comment = ArticleComment.objects.get()
    assert not comment.is_public
    [held_mail] = mailoutbox[1:]
    assert set(held_mail.to) == {"desk@newsroom.example", "moderator@staff.example"}
    assert "Good news." not in Client().get(article.get_absolute_url()).content.decode()

    # The moderator approves it from the queue; Pat is told and readers see it.
    mailoutbox.clear()
    queue = reverse("admin:comments_articlecomment_changelist")
    assert "Good news." in desk.get(queue).content.decode()
    run(desk.post, queue, {"action": "approve", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.is_public
    assert [m.to for m in mailoutbox] == [["pat@example.com"]]
    page = Client().get(article.get_absolute_url()).content.decode()
    assert "1 Comment" in page and "Good news." in page and "pat@example.com" not in page

    # Sam replies through the comment's Reply page; a first comment, so it is held, then approved.
    mailoutbox.clear()
    reply_page = sam.get(reverse("comments:reply", args=[comment.pk]))
    assert "Reply to Pat" in reply_page.content.decode()
    data = comment_form_data(article, name="Sam", email="sam@example.com", comment="Agreed!", reply_to=comment.pk)
    run(sam.post, reverse("comments:post"), data)
    run(sam.get, link(mailoutbox[0], "confirm"))
    reply = ArticleComment.objects.get(comment="Agreed!")
    run(desk.post, queue, {"action": "approve", "_selected_action": [reply.pk]})

    # Pat hears about the reply (and only Pat), with a one-click way out.
    [reply_mail] = [m for m in mailoutbox if m.to == ["pat@example.com"]]
    assert "Sam replied to your comment" in reply_mail.subject
    assert "sam@example.com" not in reply_mail.body
    assert run(Client().post, link(reply_mail, "unsubscribe")).status_code == 200
    comment.refresh_from_db()
    assert not comment.followup
