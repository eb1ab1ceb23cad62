"""The "Leave a Reply" form under a story and on the reply page: labels, defaults, the remember-me cookie."""

import pytest
from django.core import signing
from django.urls import reverse

from comments import services
from comments.models import ArticleComment, PendingComment
from comments.tokens import AUTHOR_COOKIE, AUTHOR_COOKIE_SALT
from tests.makers import comment_form_data, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

POST_URL = reverse("comments:post")


def the_form(response):
    assert response.status_code == 200
    return parse(response).find("div", id="respond")


def labels_by_field(form):
    labels = {label.attrs["for"]: label for label in form.find_all("label")}
    fields = [element for element in form.iter() if element.tag in ("input", "textarea") and "name" in element.attrs]
    return {field.attrs["name"]: labels.get(field.attrs.get("id")) for field in fields}


# --- the form under a story ------------------------------------------------------------------------


def test_every_visible_field_has_a_label(client, article):
    form = the_form(client.get(article.get_absolute_url()))

    labels = labels_by_field(form)
    expected = {
        "comment": "Comment",
        "name": "Name",
        "email": "Email",
        "url": "Website",
        "followup": "Notify me of replies to my comment by email",
        "remember": "Save my name, email, and website in this browser for the next time I comment.",
        "honeypot": "If you are a person, leave this field empty",
    }
    for name, text in expected.items():
        assert labels[name] is not None, name
        assert labels[name].text.rstrip(" *") == text
    for field in form.find_all("input"):
        if field.attrs.get("type") not in ("hidden", None):
            assert labels[field.attrs["name"]] is not None, field.attrs["name"]


def test_name_email_and_comment_are_required_and_the_email_is_private(client, article):
    form = the_form(client.get(article.get_absolute_url()))
    labels = labels_by_field(form)

    for name, required in [("comment", True), ("name", True), ("email", True), ("url", False)]:
        assert bool(labels[name].find("span", class_="required")) is required, name
    email = form.find("input", name="email")
    help_text = form.find(id=email.attrs["aria-describedby"])
    assert help_text.text == "Your email address will not be published."


def test_both_checkboxes_start_unticked(client, article):
    form = the_form(client.get(article.get_absolute_url()))
    for name in ("followup", "remember"):
        box = form.find("input", name=name)
        assert box.attrs["type"] == "checkbox"
        assert "checked" not in box.attrs, name


def test_the_form_works_without_javascript(client, article):
    page = parse(client.get(article.get_absolute_url()))
    form = page.find("div", id="respond").find("form")
    assert form.attrs["method"] == "post"
    assert form.attrs["action"] == POST_URL
    assert form.find("button", type="submit") is not None
    assert form.find("input", name="csrfmiddlewaretoken") is None  # shared by every reader: comments/same_origin.py
    assert page.find("section", id="comments").find("script") is None
    assert form.find("input", name="reply_to").attrs["value"] == "0"


def test_no_remember_me_cookie_without_the_box_ticked(post, client, article):
    response = post(article, email="pat@example.com")

    assert response.status_code == 200
    assert PendingComment.objects.count() == 1
    assert AUTHOR_COOKIE not in response.cookies
    assert AUTHOR_COOKIE not in client.cookies
    form = the_form(client.get(article.get_absolute_url()))
    assert form.find("input", name="name").attrs.get("value") is None
    assert form.find("input", name="email").attrs.get("value") is None


def test_ticking_remember_me_fills_in_the_next_form(post, client, article, make_article):
    response = post(article, name="Pat Reader", email="pat@example.com", url="https://pat.example/", remember="on")

    cookie = response.cookies[AUTHOR_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert signing.loads(cookie.value, salt=AUTHOR_COOKIE_SALT)["email"] == "pat@example.com"
    response = client.get(make_article().get_absolute_url())
    form = the_form(response)
    assert form.find("input", name="name").attrs["value"] == "Pat Reader"
    assert form.find("input", name="email").attrs["value"] == "pat@example.com"
    assert form.find("input", name="url").attrs["value"] == "https://pat.example/"
    assert "checked" in form.find("input", name="remember").attrs
    assert "checked" not in form.find("input", name="followup").attrs
    # A page filled in for one reader must never be served from a shared cache to another.
    assert "Cookie" in response["Vary"]


def test_a_tampered_remember_me_cookie_is_ignored(client, article):
    client.cookies[AUTHOR_COOKIE] = signing.dumps({"name": "Pat", "email": "pat@example.com"}, salt="other")
    form = the_form(client.get(article.get_absolute_url()))
    assert form.find("input", name="email").attrs.get("value") is None
    assert "checked" not in form.find("input", name="remember").attrs


def test_unticking_remember_me_forgets_the_reader(post, client, article):
    post(article, email="pat@example.com", remember="on")
    response = post(article, email="pat@example.com", comment="Another thought.")
    assert response.cookies[AUTHOR_COOKIE].value == ""  # deleted
    assert the_form(client.get(article.get_absolute_url())).find("input", name="email").attrs.get("value") is None


def test_errors_come_back_with_the_text_kept(post, article):
    response = post(article, email="not-an-address", comment="Worth keeping.\nEvery word.")

    assert response.status_code == 400
    form = the_form_in(response)
    assert form.find("textarea", name="comment").text == "Worth keeping. Every word."
    assert "Worth keeping.\nEvery word." in response.content.decode()
    assert form.find("input", name="email").attrs["value"] == "not-an-address"
    assert not ArticleComment.objects.exists() and not PendingComment.objects.exists()


def the_form_in(response):
    return parse(response).find("div", id="respond")


# --- the reply page --------------------------------------------------------------------------------


def test_the_reply_page_shows_the_comment_and_the_same_form_set_to_answer_it(client, article):
    parent = make_comment(article, "What about the parks budget?", name="Sam")

    response = client.get(reverse("comments:reply", args=[parent.pk]))

    page = parse(response)
    assert page.find("h1").text == "Reply to Sam"
    assert page.find("article", id=f"c{parent.pk}").find("div", class_="comment-body").text == (
        "What about the parks budget?"
    )
    form = page.find("div", id="respond")
    assert form.find("input", name="reply_to").attrs["value"] == str(parent.pk)
    assert form.find("input", name="object_pk").attrs["value"] == str(article.pk)
    assert form.find("a", href=reverse("comments:permalink", args=[parent.pk])).text == "Cancel reply"
    assert set(labels_by_field(form)) >= {"comment", "name", "email", "url", "followup", "remember"}
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_reply_page_is_reached_from_the_story_without_javascript(client, article):
    parent = make_comment(article, name="Sam")
    story = parse(client.get(article.get_absolute_url()))
    link = story.find("article", id=f"c{parent.pk}").find("a", href=reverse("comments:reply", args=[parent.pk]))
    assert link is not None
    assert client.get(link.attrs["href"]).status_code == 200


def test_posting_from_the_reply_page_makes_a_reply(client, moderator, article):
    parent = make_comment(article, name="Sam")
    client.force_login(moderator)  # published at once, no confirmation mail
    form = parse(client.get(reverse("comments:reply", args=[parent.pk]))).find("div", id="respond")
    reply_to = form.find("input", name="reply_to").attrs["value"]

    response = client.post(POST_URL, comment_form_data(article, reply_to=reply_to, comment="Good question."))

    reply = ArticleComment.objects.get(comment="Good question.")
    assert reply.parent_id == parent.pk
    assert response.status_code == 302


def test_the_reply_page_fills_in_a_remembered_reader(client, article):
    parent = make_comment(article)
    client.cookies[AUTHOR_COOKIE] = signing.dumps(
        {"name": "Pat", "email": "pat@example.com", "url": ""}, salt=AUTHOR_COOKIE_SALT
    )
    form = parse(client.get(reverse("comments:reply", args=[parent.pk]))).find("div", id="respond")
    assert form.find("input", name="name").attrs["value"] == "Pat"


@pytest.mark.parametrize("state", ["held", "removed", "missing"])
def test_there_is_no_reply_page_for_a_comment_readers_may_not_see(client, article, state):
    comment = make_comment(article, held=state == "held")
    if state == "removed":
        services.comment_remove(comment=comment, by=None, reason_code="offensive")
    pk = comment.pk if state != "missing" else comment.pk + 1000
    assert client.get(reverse("comments:reply", args=[pk])).status_code == 404


def test_the_reply_page_says_when_comments_are_closed(client, article):
    parent = make_comment(article, "Before closing.", name="Sam")
    article.comments_enabled = False
    article.save()

    response = client.get(reverse("comments:reply", args=[parent.pk]))

    assert response.status_code == 200
    page = parse(response)
    assert page.find("p", class_="comments-closed").text == "Comments are closed."
    assert page.find("main").find("form") is None  # (the header's search box is not a comment form)
    assert "Before closing." in page.text
