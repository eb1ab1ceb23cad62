"""The "Leave a Reply" form has no CSRF token (story pages are shared by every reader); a post another site's
page made is refused by what the browser says of it (comments/same_origin.py), with a message, and nothing kept."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import ArticleComment, PendingComment
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db
POST = reverse("comments:post")


def post(article, **headers):
    return Client(enforce_csrf_checks=True).post(POST, comment_form_data(article), headers=headers)


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},  # another origin of the same site (another port, a sibling subdomain)
        {"Origin": "https://elsewhere.example"},  # a browser without Sec-Fetch-Site
        {"Origin": "null"},  # a sandboxed frame or a file
    ],
)
def test_a_post_from_another_site_is_refused_and_nothing_is_kept(article, headers):
    response = post(article, **headers)

    assert response.status_code == 403
    assert "sent from another website" in response.content.decode()
    assert not PendingComment.objects.exists() and not ArticleComment.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},  # typed or bookmarked
        {"Origin": "http://testserver"},
        {},  # not a browser: no header to go by, and the form's own checks still apply
    ],
)
def test_a_post_from_the_sites_own_page_goes_on_without_a_token(article, headers):
    response = post(article, **headers)

    assert response.status_code == 200
    assert PendingComment.objects.count() == 1


def test_an_origin_listed_in_csrf_trusted_origins_may_post(article, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://www.example.org"]
    assert post(article, Origin="https://www.example.org").status_code == 200


def test_the_other_forms_keep_djangos_csrf_check(article):
    response = Client(enforce_csrf_checks=True).post("/privacy/", {"email": "pat@example.com", "action": "export"})
    assert response.status_code == 403
