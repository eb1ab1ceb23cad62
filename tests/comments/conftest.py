"""Fixtures of the comments tests: posting the "Leave a Reply" form, following the mailed confirmation link, and
running after-commit hooks (mail)."""

import re

import pytest
from django.urls import reverse

from tests.makers import comment_form_data


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """`post(article, **fields)`: POST the comment form (`client`, or the one given) from one address (`ip`) and
    run the after-commit hooks (mail) as a real request would."""

    def post(article, client=client, ip="203.0.113.9", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("comments:post"), comment_form_data(article, **fields), REMOTE_ADDR=ip)

    return post


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """`with on_commit():` runs the hooks registered inside it when it ends, as a committed request would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def follow_link(client, django_capture_on_commit_callbacks):
    """`follow_link(message)`: click the confirmation link of a mailed message in `client`, hooks run."""

    def follow(message):
        path = re.search(r"https?://[^/\s]+(/comments/confirm/[^/\s]+/)", message.body).group(1)
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(path)

    return follow
