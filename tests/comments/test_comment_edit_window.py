"""A commenter edits or deletes their own comment: same browser, within the edit window (10 minutes)."""

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import services
from comments.models import ArticleComment, ModerationDecision
from tests.makers import comment_form_data, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

Action = ModerationDecision.Action


@pytest.fixture
def post_and_confirm(client, django_capture_on_commit_callbacks, mailoutbox):
    """Post as an anonymous reader and click the emailed link, in this browser: the real way a comment is owned."""

    def post(article, text, email="pat@example.com", reply_to=None):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("comments:post"),
                comment_form_data(article, email=email, comment=text, reply_to=reply_to),
                REMOTE_ADDR="198.51.100.20",
            )
        path = re.search(r"(/comments/confirm/[^/\s]+/)", mailoutbox[-1].body).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            client.get(path)
        return ArticleComment.objects.get(comment=text)

    return post


@pytest.fixture
def published(post_and_confirm, article):
    """A comment this browser posted that went straight up (its address had an approved comment already)."""
    make_comment(article, "An earlier comment.", email="pat@example.com")
    comment = post_and_confirm(article, "My first draft of a thought.")
    assert comment.is_public
    return comment


def edit(client, comment, text, **extra):
    return client.post(reverse("comments:edit", args=[comment.pk]), {"comment": text}, **extra)


def comment_on_page(client, article, comment):
    return parse(client.get(article.get_absolute_url())).find("article", id=f"c{comment.pk}")


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


# --- the owner, within the window --------------------------------------------------------------------


def test_the_owner_sees_edit_and_delete_links_on_their_comment(client, article, published):
    other = make_comment(article, "Someone else's comment.")

    own = comment_on_page(client, article, published)

    assert own.find("a", href=reverse("comments:edit", args=[published.pk])) is not None
    assert own.find("a", href=reverse("comments:delete", args=[published.pk])) is not None
    assert comment_on_page(client, article, other).find("a", href=reverse("comments:edit", args=[other.pk])) is None


def test_the_edit_page_shows_the_current_text_with_a_label(client, published):
    page = parse(client.get(reverse("comments:edit", args=[published.pk])))

    textarea = page.find("textarea", name="comment")
    assert textarea.text == "My first draft of a thought."
    assert page.find("label", **{"for": textarea.attrs["id"]}).text.rstrip(" *") == "Comment"
    assert "A moderator will review your changes" in page.text


def test_an_edit_goes_back_to_moderation_then_shows_as_edited(client, article, published, moderator, settings):
    assert settings.COMMENTS_POLICY.get("HOLD_EDITS", True)

    response = edit(client, published, "My better thought.")

    assert response.status_code == 200
    assert "awaiting moderation" in response.content.decode()
    published.refresh_from_db()
    assert (published.comment, published.is_public) == ("My better thought.", False)
    assert published.edited_at is not None
    assert published.decisions.filter(action=Action.EDITED).exists()
    assert "My better thought." not in client.get(article.get_absolute_url()).content.decode()

    services.comment_approve(comment=published, by=moderator)

    shown = comment_on_page(Client(), article, published)
    assert shown.find("div", class_="comment-body").text == "My better thought."
    assert shown.find("span", class_="comment-edited").text == "(edited)"


def test_without_held_edits_the_change_shows_at_once(client, article, published, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "HOLD_EDITS": False}

    response = edit(client, published, "My better thought.")

    assert response.status_code == 302
    assert response["Location"] == reverse("comments:permalink", args=[published.pk])
    shown = comment_on_page(client, article, published)
    assert shown.find("div", class_="comment-body").text == "My better thought."
    assert shown.find("span", class_="comment-edited").text == "(edited)"


def test_in_questions_and_answers_an_edited_reply_is_reviewed_and_an_edited_question_is_not(
    client, post_and_confirm, article, published, settings
):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "HOLD_EDITS": False}
    reply = post_and_confirm(article, "A reply of mine.", reply_to=published.pk)
    assert reply.is_public
    article.comments_mode = article.CommentMode.QUESTIONS
    article.save()

    assert edit(client, published, "My question, put better?").status_code == 302
    held = edit(client, reply, "My reply, put better.")
    assert held.status_code == 200 and "awaiting moderation" in held.content.decode()

    published.refresh_from_db()
    reply.refresh_from_db()
    assert published.is_public
    assert not reply.is_public
    assert reply.hold_reason.startswith("A reply to a question")


def test_a_held_comment_can_be_edited_and_stays_held(client, post_and_confirm, article):
    comment = post_and_confirm(article, "Held at first.")
    assert not comment.is_public

    response = edit(client, comment, "Held, and corrected.")

    assert response.status_code == 200
    comment.refresh_from_db()
    assert (comment.comment, comment.is_public) == ("Held, and corrected.", False)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("   ", "Please write a comment."),
        ("x" * 3001, "Please keep your comment under 3000 characters (it has 3001)."),
        ("Sneaky\u202etext", "Please remove the invisible control characters from this field."),
    ],
)
def test_an_invalid_edit_is_refused_with_the_text_kept(client, published, text, error):
    response = edit(client, published, text)

    assert response.status_code == 400
    page = parse(response)
    assert error in page.find("span", class_="error").text
    if text.strip():
        assert page.find("textarea", name="comment").text == text
    published.refresh_from_db()
    assert published.comment == "My first draft of a thought."


def test_an_edit_the_policy_rejects_says_why_and_keeps_the_text(client, published, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "BLOCKED_WORDS": ["frobnicate"]}

    response = edit(client, published, "Now I frobnicate.")

    assert response.status_code == 400
    page = parse(response)
    assert "language we do not publish" in page.find("div", class_="message").text
    assert page.find("textarea", name="comment").text == "Now I frobnicate."
    published.refresh_from_db()
    assert (published.comment, published.is_public, published.edited_at) == ("My first draft of a thought.", True, None)


def test_the_owner_can_delete_after_confirming(client, article, published):
    confirm = parse(client.get(reverse("comments:delete", args=[published.pk])))
    assert confirm.find("h1").text == "Delete your comment?"
    assert "My first draft of a thought." in confirm.text
    assert confirm.find("main").find("form").attrs["method"] == "post"

    response = client.post(reverse("comments:delete", args=[published.pk]))

    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#comments"
    published.refresh_from_db()
    assert published.is_removed
    assert published.decisions.filter(action=Action.DELETED).exists()
    page = client.get(response["Location"])
    assert "My first draft of a thought." not in page.content.decode()
    assert "Your comment was deleted." in page.content.decode()
    assert parse(page).find("section", id="comments").find("h2").text == "1 Comment"  # the earlier one


def test_the_awaiting_moderation_page_links_to_edit_and_delete(
    client, django_capture_on_commit_callbacks, post_and_confirm, article
):
    comment = post_and_confirm(article, "Held for now.")
    page = parse(edit(client, comment, "Held, still."))
    assert page.find("a", href=reverse("comments:edit", args=[comment.pk])) is not None
    assert page.find("a", href=reverse("comments:delete", args=[comment.pk])) is not None


# --- everyone else, and the owner too late ----------------------------------------------------------


def assert_refused(response):
    assert response.status_code == 403
    assert "only from the browser you posted it from" in parse(response).find("div", class_="message").text


def test_after_ten_minutes_the_owner_can_no_longer_edit_or_delete(client, article, published):
    with later(9):
        assert client.get(reverse("comments:edit", args=[published.pk])).status_code == 200
    with later(11):
        assert_refused(client.get(reverse("comments:edit", args=[published.pk])))
        assert_refused(edit(client, published, "Too late."))
        assert_refused(client.get(reverse("comments:delete", args=[published.pk])))
        assert_refused(client.post(reverse("comments:delete", args=[published.pk])))
        own = comment_on_page(client, article, published)
        assert own.find("a", href=reverse("comments:edit", args=[published.pk])) is None
    published.refresh_from_db()
    assert (published.comment, published.is_removed) == ("My first draft of a thought.", False)


def test_the_window_is_the_policys(client, published, settings):
    settings.COMMENTS_POLICY = {**settings.COMMENTS_POLICY, "EDIT_WINDOW_MINUTES": 2}
    with later(3):
        assert_refused(client.get(reverse("comments:edit", args=[published.pk])))


def test_another_browser_cannot_edit_or_delete(article, published):
    stranger = Client()
    assert_refused(stranger.get(reverse("comments:edit", args=[published.pk])))
    assert_refused(edit(stranger, published, "Hijacked."))
    assert_refused(stranger.post(reverse("comments:delete", args=[published.pk])))
    assert (
        comment_on_page(stranger, article, published).find("a", href=reverse("comments:edit", args=[published.pk]))
        is None
    )
    published.refresh_from_db()
    assert (published.comment, published.is_removed) == ("My first draft of a thought.", False)


def test_owning_one_comment_does_not_allow_editing_another(client, article, published):
    other = make_comment(article, "Not mine.")
    assert_refused(edit(client, other, "Mine now."))
    other.refresh_from_db()
    assert other.comment == "Not mine."


def test_a_deleted_comment_cannot_be_edited(client, published):
    client.post(reverse("comments:delete", args=[published.pk]))
    assert_refused(edit(client, published, "Back from the dead."))


def test_editing_a_comment_on_a_closed_story_is_refused(client, article, published):
    article.comments_enabled = False
    article.save()

    response = edit(client, published, "Sneaking in a change.")

    assert response.status_code == 403
    assert "Comments are closed" in response.content.decode()
    assert client.get(reverse("comments:edit", args=[published.pk])).status_code == 403
    published.refresh_from_db()
    assert published.comment == "My first draft of a thought."
    own = comment_on_page(client, article, published)
    assert own.find("a", href=reverse("comments:edit", args=[published.pk])) is None
    assert own.find("a", href=reverse("comments:delete", args=[published.pk])) is not None  # deleting is still fine


def test_edit_and_delete_pages_do_not_exist_for_unknown_comments(client):
    assert client.get(reverse("comments:edit", args=[424242])).status_code == 404
    assert client.get(reverse("comments:delete", args=[424242])).status_code == 404
