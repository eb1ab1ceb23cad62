"""Accessibility in Chromium: axe-core (the npm package's axe.min.js, package-lock.json) finds no serious or critical
violation on the pages readers use — home, story, search, the comment form and its error answer, the reply and flag
pages — and a keyboard alone reaches, fills and sends the comment form."""

import pytest
from playwright.sync_api import expect

from articles.models import Author, Tag
from tests.browser.conftest import axe_violations
from tests.makers import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def story(make_article, source):
    """A syndicated story with a byline, a tag, a related story and a short thread (a comment and a reply)."""
    author = Author.objects.create(name="Maria Okafor", slug="maria-okafor")
    tag = Tag.objects.create(name="Transport", slug="transport")
    make_article(headline="Bus lanes extended on Harbour Road", slug="bus-lanes", tags=[tag])
    story = make_article(
        headline="Ferry service returns to Easton Bay",
        slug="ferry-returns",
        dek="Crossings resume on Monday after a year.",
        body="<p>The first boat leaves at six.</p><h2>Fares</h2><p>Fares are <strong>unchanged</strong>.</p>",
        source=source,
        source_url="https://wire.example/ferry",
        authors=[author],
        tags=[tag],
    )
    first = make_comment(story, "About time. I have missed the 7:15.", name="Jo Commuter")
    make_comment(story, "The 7:15 is back from Monday too.", name="Sam Lee", parent=first)
    return story


def test_reader_pages_have_no_serious_accessibility_violations(page, browser_errors, story):
    pages = {
        "home": "/",
        "story": story.get_absolute_url(),
        "search": "/search/?q=ferry",
        "section": story.section.get_absolute_url(),
        "reply": None,
        "flag": None,
    }
    page.goto(story.get_absolute_url())
    pages["reply"] = page.get_by_role("link", name="Reply to Jo Commuter").get_attribute("href")
    pages["flag"] = page.get_by_role("link", name="Flag the comment by Jo Commuter").get_attribute("href")
    found = {}
    for name, path in pages.items():
        page.goto(path)
        found[name] = axe_violations(page)

    # The comment form answering with errors (nothing filled in): a 400 page with the form and its messages.
    page.goto(story.get_absolute_url())
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_text("Please correct the errors below.")).to_be_visible()
    browser_errors.expected(400)
    found["comment form with errors"] = axe_violations(page)

    assert {name: violations for name, violations in found.items() if violations} == {}


def test_the_comment_form_by_keyboard_alone(page, story, mailoutbox):
    page.goto(story.get_absolute_url())

    def focused():
        return page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()")

    page.keyboard.press("Tab")
    assert focused() == "Skip to content"
    page.keyboard.press("Enter")
    assert focused() == "main"
    # From the top of the story, Tab through its links to the form.
    for _ in range(40):
        page.keyboard.press("Tab")
        if focused() == "id_comment":
            break
    assert focused() == "id_comment", "the comment box was not reached by Tab"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused field shows no focus ring"

    page.keyboard.type("Typed without a mouse.")
    order = []
    for text in ("Kim Keys", "kim@example.com", None, None, None):
        page.keyboard.press("Tab")
        order.append(focused())
        if text:
            page.keyboard.type(text)
    page.keyboard.press("Tab")
    order.append(focused())
    assert order == ["id_name", "id_email", "id_url", "id_followup", "id_remember", "Post Comment"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm your comment")
    assert [message.to for message in mailoutbox] == [["kim@example.com"]]
