"""Fixtures of the comments tests: posting the "Leave a Reply" form, and running after-commit hooks (mail)."""

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
