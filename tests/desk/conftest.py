"""Fixtures of the desk's tests: the editor signed in, a second reporter, and a reader without an account."""

import pytest
from django.test import Client

from tests.makers import member_of


@pytest.fixture
def editor_client(client, editor):
    """The `editor` persona (the Editor group) signed in."""
    client.force_login(editor)
    return client


@pytest.fixture
def other_reporter(django_user_model):
    """A second member of the Reporter group, whose drafts `reporter` may read but not change."""
    return member_of(django_user_model, "omar", "Reporter")


@pytest.fixture
def anonymous():
    """A client with no account and no cookies, beside the signed-in one."""
    return Client()
