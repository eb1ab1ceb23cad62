"""Fixtures of the page-cache and read-replica tests."""

import pytest

from tests.makers import make_user


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
