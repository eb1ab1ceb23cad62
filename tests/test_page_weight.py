"""Page weight: a full story page (a long story, a full page of comments) with its style sheets and scripts
stays under 100 KB before images. (That no request goes to another site is tests/test_third_party_requests.py.)
"""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from articles.models import Author, Tag
from tests.makers import image_file, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

BUDGET = 100 * 1024
SENTENCE = "The council met on Tuesday evening to settle the harbour budget after a long debate. "


def static_bytes(url):
    """The size of a file the page links under STATIC_URL, as the site serves it."""
    found = finders.find(url.removeprefix("/static/"))
    assert found, f"{url} is not a static file of ours"
    with open(found, "rb") as file:
        return len(file.read())


def test_a_full_story_page_with_its_css_and_js_is_under_100_kb_before_images(make_article, source):
    story = make_article(
        headline="Council passes the harbour budget after a long night",
        dek="The vote was close, and the debate went on past midnight.",
        body="".join(f"<p>{SENTENCE * 6}</p>" for _ in range(20)),  # about 1,700 words
        source=source,
        source_url="https://wire.example/2026/harbour-budget",
        authors=[Author.objects.create(name="Jane Reporter", slug="jane")],
        tags=[Tag.objects.create(name=f"Topic {n}", slug=f"topic-{n}") for n in range(5)],
        lead_image=image_file(),
        lead_image_alt="The harbour at dawn",
    )
    for n in range(60):  # more than a page of comments (50), of a few sentences each
        make_comment(story, (SENTENCE * 4) + f"Reader {n}.", name=f"Reader {n}")

    response = Client().get(story.get_absolute_url())
    assert response.status_code == 200
    page = parse(response)
    assert len(page.find_all("article", class_="comment")) == 50
    linked = [tag.attrs["href"] for tag in page.find_all("link", rel="stylesheet")]
    linked += [tag.attrs["src"] for tag in page.find_all("script") if tag.attrs.get("src")]
    assert linked, "the page links its style sheet"

    weight = len(response.content) + sum(static_bytes(url) for url in linked)
    assert weight < BUDGET, f"{weight:,} bytes"
