"""New comments while reading, the server's side: the story's count endpoint (comments/views/updates.py) and what the
story page gives the polling script (static/comments/new-comments.js). The endpoint is the same for every reader,
cached by the page cache under the story's comments key and ended when they change, and tells nothing of commenters."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from comments import services
from tests.makers import make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db


def count_url(article):
    return reverse("comments:story_count", args=[article.pk])


def test_it_answers_the_published_count_and_the_newest_comment(client, article):
    make_comment(article, email="first@example.com", ip="203.0.113.5")
    newest = make_comment(article, email="second@example.com", ip="203.0.113.6")
    make_comment(article, held=True)

    response = client.get(count_url(article))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "story": article.pk,
        "count": 2,
        "newest": newest.pk,
        "newest_url": reverse("comments:permalink", args=[newest.pk]),
    }
    everything = response.content.decode() + str(response.headers)
    for private in ("first@example.com", "second@example.com", "203.0.113.5", "203.0.113.6"):
        assert private not in everything


def test_a_story_without_comments_counts_none(client, article):
    assert json.loads(client.get(count_url(article)).content) == {
        "story": article.pk,
        "count": 0,
        "newest": None,
        "newest_url": None,
    }


def test_it_is_public_kept_briefly_by_browsers_and_labelled_for_proxies(article, settings):
    reader = Client()
    reader.get(count_url(article))
    response = reader.get(count_url(article))

    assert response["X-Page-Cache"] == "hit"
    assert response["Cache-Control"] == f"public, max-age=10, s-maxage={settings.EDGE_MAX_AGE}"
    assert f"comments-{article.pk}" in response["Surrogate-Key"].split()
    assert "Cookie" in response["Vary"]
    assert response.cookies == {}


def test_an_approved_comment_ends_the_cached_count(article, django_capture_on_commit_callbacks):
    reader = Client()
    held = make_comment(article, held=True)
    assert json.loads(reader.get(count_url(article)).content)["count"] == 0
    assert reader.get(count_url(article))["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_approve(comment=held, by=None)

    response = reader.get(count_url(article))
    assert response["X-Page-Cache"] == "miss"
    assert json.loads(response.content)["count"] == 1


def test_every_reader_gets_the_same_answer(article, reader):
    make_comment(article)
    anonymous = Client().get(count_url(article))
    signed_in = Client()
    signed_in.force_login(reader)
    theirs = signed_in.get(count_url(article))
    assert anonymous.content == theirs.content
    assert "private" not in theirs["Cache-Control"]


@pytest.mark.parametrize("status", [Article.Status.DRAFT, Article.Status.UNPUBLISHED])
def test_a_story_that_is_not_public_is_not_found(client, make_article, status):
    story = make_article(status=status)
    response = client.get(count_url(story))
    assert response.status_code == 404
    assert json.loads(response.content) == {"error": "No published story has this number."}
    assert client.get("/comments/story/999999/count/").status_code == 404


def test_only_reading(client, article):
    assert client.post(count_url(article)).status_code == 405


# --- what the story page gives the script ----------------------------------------------------------------


def test_an_open_story_loads_the_script_and_says_where_to_ask(client, article, settings):
    settings.COMMENTS_NEW_POLL_SECONDS = 7
    make_comment(article)
    make_comment(article)

    page = parse(client.get(article.get_absolute_url()))

    section = page.find("section", id="comments")
    assert section.attrs["data-comments-count-url"] == count_url(article)
    assert section.attrs["data-comments-count"] == "2"
    assert section.attrs["data-comments-poll-seconds"] == "7"
    [script] = page.find_all("script", src="/static/comments/new-comments.js")
    assert "defer" in script.attrs and not script.children  # a file, never inline code


def test_a_closed_story_has_no_script_and_nothing_to_ask(client, make_article):
    story = make_article(comments_enabled=False)
    page = parse(client.get(story.get_absolute_url()))
    assert "data-comments-count-url" not in page.find("section", id="comments").attrs
    assert page.find("script", src="/static/comments/new-comments.js") is None


def test_the_story_page_is_the_same_bytes_for_every_anonymous_reader(article):
    make_comment(article)
    first, second = Client().get(article.get_absolute_url()), Client().get(article.get_absolute_url())
    assert first.content == second.content
