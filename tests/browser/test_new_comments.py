"""New comments while reading, in Chromium: a reader has a story open (typing in the comment box), a moderator
approves a held comment meanwhile, and "1 new comment — show" appears in a polite live region without taking the
focus; "show" opens the thread at the new comment. axe finds nothing serious on the page with the notice."""

import pytest
from playwright.sync_api import expect

from comments import services
from tests.browser.conftest import axe_violations
from tests.makers import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_reader_is_told_of_a_comment_approved_while_reading(page, make_article, settings):
    settings.COMMENTS_NEW_POLL_SECONDS = 1  # the page asks every second, not every 30 (data-comments-poll-seconds)
    story = make_article(headline="Tram line opens on Monday", slug="tram-line-opens")
    make_comment(story, "Finally a tram.", name="Jo Commuter")
    held = make_comment(story, "Will it run at night?", name="Sam Night", held=True)

    page.goto(story.get_absolute_url())
    expect(page.get_by_role("heading", name="1 Comment")).to_be_visible()
    page.get_by_role("textbox", name="Comment", exact=True).fill("I am writing")
    # The script has asked at least once, with nothing new to say.
    with page.expect_response(lambda response: "/count/" in response.url):
        pass
    notice = page.get_by_role("status")
    expect(notice).to_have_text("")

    services.comment_approve(comment=held, by=None)

    expect(notice).to_have_text("1 new comment — show")
    assert page.evaluate("document.activeElement.id") == "id_comment"  # the reader's typing is not interrupted
    assert notice.get_attribute("aria-live") == "polite"
    assert axe_violations(page) == []

    notice.get_by_role("link", name="1 new comment — show").click()
    expect(page.get_by_text("Will it run at night?")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('#')[0]}#c{held.pk}")
    expect(page.get_by_role("heading", name="2 Comments")).to_be_visible()
