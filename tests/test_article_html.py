"""What the pages are made of: landmarks, headings, labels, and story HTML that cannot run code."""

import itertools

import pytest
from django.urls import reverse

from articles.models import Article
from tests.desk.forms import article_form
from tests.makers import image_file
from tests.pages import parse

pytestmark = pytest.mark.django_db

HIDDEN_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@pytest.fixture
def pages(client, article, make_article):
    """The home page and a full story page (`article`, with subheadings and a lead image), as a
    reader gets them."""
    article.body = "<p>First.</p><h2>Why it matters</h2><p>Second.</p><h3>The numbers</h3><p>Third.</p>"
    article.lead_image = image_file()
    article.lead_image_alt = "Councillors voting"
    article.lead_image_caption = "The vote."
    article.lead_image_credit = "Photo: Ann Lens"
    article.save()
    make_article(headline="Another story", lead_image=image_file(), lead_image_alt="Boats")
    return {
        "home": client.get(reverse("articles:home")),
        "story": client.get(article.get_absolute_url()),
    }


@pytest.mark.parametrize("name", ["home", "story"])
def test_the_page_fits_a_phone_screen(pages, name):
    viewport = parse(pages[name]).find("meta", name="viewport")
    assert viewport is not None
    assert "width=device-width" in viewport.attrs["content"]


@pytest.mark.parametrize("name", ["home", "story"])
def test_the_page_has_a_language_and_the_landmarks(pages, name):
    page = parse(pages[name])
    assert page.find("html").attrs["lang"] == "en"
    for landmark in ["header", "nav", "main", "footer"]:
        assert page.find(landmark) is not None, landmark
    assert page.find("a", class_="skip-link").attrs["href"] == "#" + page.find("main").attrs["id"]


@pytest.mark.parametrize("name", ["home", "story"])
def test_the_page_has_exactly_one_h1(pages, name):
    assert len(parse(pages[name]).find_all("h1")) == 1


@pytest.mark.parametrize("name", ["home", "story"])
def test_headings_do_not_skip_levels(pages, name):
    levels = [int(el.tag[1]) for el in parse(pages[name]).iter() if el.tag in {"h1", "h2", "h3", "h4", "h5", "h6"}]
    assert levels[0] == 1
    for previous, current in itertools.pairwise(levels):
        assert current <= previous + 1, f"h{previous} is followed by h{current} in {levels}"


@pytest.mark.parametrize("name", ["home", "story"])
def test_every_form_field_has_a_label(pages, name):
    page = parse(pages[name])
    label_targets = {label.attrs.get("for") for label in page.find_all("label")}
    fields = [
        el
        for el in page.iter()
        if el.tag in {"textarea", "select"} or (el.tag == "input" and el.attrs.get("type") not in HIDDEN_INPUT_TYPES)
    ]
    if name == "story":
        assert len(fields) >= 4  # the comment form is really there
    for field in fields:
        assert field.attrs.get("id") in label_targets, f"no <label for> for {field}"


@pytest.mark.parametrize("name", ["home", "story"])
def test_every_image_has_alt_text_or_is_marked_decorative(pages, name):
    for img in parse(pages[name]).find_all("img"):
        assert "alt" in img.attrs, img
        if img.attrs["alt"] == "":
            # A card's image repeats the headline link beside it, so it is hidden from screen readers
            # (on the link around its <picture>).
            ancestors = []
            node = img.parent
            while node is not None:
                ancestors.append(node)
                node = node.parent
            assert any(node.attrs.get("aria-hidden") == "true" for node in ancestors), img


# --- sanitizing story HTML ----------------------------------------------------------------------

HOSTILE_BODY = (
    "<p>Safe paragraph with <strong>bold</strong> and <a href='https://example.org/'>a link</a>.</p>"
    "<script>alert('xss-script')</script>"
    "<p><img src='x' onerror=\"alert('xss-onerror')\">Pictured</p>"
    "<p><a href=\"javascript:alert('xss-link')\">Click me</a></p>"
    "<p onclick=\"alert('xss-onclick')\">Handler</p>"
    "<iframe src='https://evil.example/'></iframe>"
    "<style>body{display:none}</style>"
)


def assert_story_body_is_harmless(response):
    assert response.status_code == 200
    html = response.content.decode()
    page = parse(html)
    body = page.find("div", class_="body")

    # What an editor meant to publish survives...
    assert body.find("strong").text == "bold"
    assert body.find("a", href="https://example.org/").text == "a link"
    assert "Click me" in body.text and "Handler" in body.text

    # ...and nothing that runs code does, anywhere on the page.
    assert "xss-" not in html
    assert "javascript:" not in html.lower()
    for element in page.iter():
        assert not [name for name in element.attrs if name.startswith("on")], element
    for tag in ["script", "iframe", "style", "img"]:
        assert body.find(tag) is None, tag
    # Links in stories never hand the reader's session to the target.
    assert "noopener" in body.find("a", href="https://example.org/").attrs["rel"]


def test_hostile_html_saved_in_code_never_reaches_the_page(client, make_article):
    story = make_article(body=HOSTILE_BODY)

    story.refresh_from_db()
    assert "<script" not in story.body and "onerror" not in story.body
    assert_story_body_is_harmless(client.get(story.get_absolute_url()))


def test_hostile_html_saved_through_the_desk_never_reaches_the_page(admin_client, client, section):
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_form(section, body=HOSTILE_BODY, _workflow="publish")
    )
    assert response.status_code == 302

    story = Article.objects.get()
    assert "<script" not in story.body and "onerror" not in story.body
    assert_story_body_is_harmless(client.get(story.get_absolute_url()))


def test_headline_and_dek_are_escaped(client, make_article):
    story = make_article(headline="<b>Bold</b> claim", dek="<script>alert('xss-dek')</script>")
    html = client.get(story.get_absolute_url()).content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt; claim" in html
    assert "&lt;script&gt;alert(&#x27;xss-dek&#x27;)&lt;/script&gt;" in html
    assert "<script>alert" not in html
