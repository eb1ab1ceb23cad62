"""Fixtures of the page-cache and read-replica tests."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.desk.forms import post_story
from tests.makers import make_user

CHANGELIST = "admin:comments_articlecomment_changelist"


@pytest.fixture(autouse=True)
def _pages_never_expire(settings):
    """Pages outlive every clock jump here, so only invalidation can make a change show."""
    settings.PAGE_CACHE_SECONDS = 365 * 24 * 3600


@pytest.fixture
def reader_browser():
    """An anonymous reader's browser (keeps its cookies, as a browser does)."""
    return Client()


@pytest.fixture
def desk(client, editor, django_capture_on_commit_callbacks):
    """The desk's change form, signed in as an editor; each post commits (on_commit callbacks run)."""
    client.force_login(editor)

    def post(article, **changes):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_story(client, article, **changes)
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    return post


@pytest.fixture
def moderate(client, moderator, django_capture_on_commit_callbacks):
    """A bulk action in the moderation queue, as a moderator; it commits."""
    client.force_login(moderator)

    def act(action, *comments):
        data = {
            "action": action,
            "_selected_action": [c.pk for c in comments],
            "reason": "off_topic",
            "explanation": "Checked",
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse(CHANGELIST) + "?status=all", data, follow=True)
        assert response.status_code == 200

    return act


@pytest.fixture
def editor_by_permissions(django_user_model):
    """Staff who may change stories, with the permissions given to the account itself, in no group.

    For the tests that commit for real (transaction=True): the flush after each of them empties auth_group, which
    only the roles migration fills, so the group-based `editor` does not exist for the next one.
    """
    return make_user(
        django_user_model,
        "editor",
        "articles.view_article",
        "articles.change_article",
        "articles.add_article",
        is_staff=True,
    )
