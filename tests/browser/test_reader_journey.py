"""A reader's visit, in Chromium: home page → story → its "Source link" → the first comment, confirmed from the
emailed link → a reply through a comment's Reply link → flagging a comment. Without JavaScript too."""

import re

import pytest
from playwright.sync_api import expect

from articles.models import Author
from comments.models import ArticleComment, PendingComment, Report
from tests.makers import make_comment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

REMEMBER = "Save my name, email, and website in this browser for the next time I comment."
CONFIRM_LINK = re.compile(r"^(http://\S+/comments/confirm/\S+/)$", re.MULTILINE)


@pytest.fixture
def stories(make_article, source):
    author = Author.objects.create(name="Maria Okafor", slug="maria-okafor")
    quiet = make_article(
        headline="Harbour bridge reopens after repairs",
        slug="harbour-bridge-reopens",
        dek="Traffic returns to the east span a month early.",
        body="<p>The east span reopened on Monday.</p><p>Engineers finished the deck ahead of schedule.</p>",
        source=source,
        source_url="https://wire.example/2026/11/harbour-bridge-reopens?ref=feed",
        authors=[author],
    )
    busy = make_article(headline="Council passes the budget", slug="council-passes-budget", authors=[author])
    make_comment(busy, "The library hours should have been in it.", name="Sam Lee", email="sam@example.org")
    return quiet, busy


def confirm_link(mailoutbox, address):
    """The confirmation link in the last mail to `address`."""
    mail = [message for message in mailoutbox if message.to == [address]][-1]
    return CONFIRM_LINK.search(mail.body).group(1)


def fill_comment_form(page, *, comment, name, email, remember=False):
    page.get_by_role("textbox", name="Comment", exact=True).fill(comment)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("checkbox", name=REMEMBER).set_checked(remember)


def test_a_reader_reads_comments_replies_and_flags(page, context, browser_errors, stories, mailoutbox):
    quiet, busy = stories

    page.goto("/")
    page.get_by_role("link", name=quiet.headline).click()
    expect(page).to_have_url(re.compile(re.escape(quiet.get_absolute_url()) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(quiet.headline)
    expect(page.get_by_role("link", name="Source link")).to_have_attribute("href", quiet.source_url)
    expect(page.get_by_role("heading", name="Be the first to comment")).to_be_visible()

    # The first comment, with the save-my-details box off.
    expect(page.get_by_role("heading", name="Leave a Reply")).to_be_visible()
    fill_comment_form(page, comment="Good news for cyclists at last.", name="Pat Reader", email="pat@example.com")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm your comment")
    assert "comment_author" not in {cookie["name"] for cookie in context.cookies()}
    assert PendingComment.objects.filter(user_email="pat@example.com").count() == 1

    page.goto(confirm_link(mailoutbox, "pat@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your comment is awaiting moderation")
    held = ArticleComment.objects.get(user_email="pat@example.com")
    assert (held.comment, held.is_public, held.object_pk) == ("Good news for cyclists at last.", False, str(quiet.pk))
    page.get_by_role("link", name="Back to the story").click()
    expect(page.get_by_text("Good news for cyclists at last.")).to_have_count(0)  # held: not shown yet

    # A reply through the existing comment's Reply link, remembering the details this time.
    page.goto(busy.get_absolute_url())
    expect(page.get_by_role("heading", name="1 Comment")).to_be_visible()
    page.get_by_role("link", name="Reply to Sam Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reply to Sam Lee")
    fill_comment_form(page, comment="It was, on page 12.", name="Pat Reader", email="pat@example.com", remember=True)
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm your comment")
    saved = {cookie["name"]: cookie for cookie in context.cookies()}["comment_author"]
    assert saved["httpOnly"] and "pat@example.com" not in saved["value"]
    page.goto(confirm_link(mailoutbox, "pat@example.com"))
    reply = ArticleComment.objects.get(comment="It was, on page 12.")
    assert reply.parent_id == ArticleComment.objects.get(user_name="Sam Lee").pk
    page.goto(busy.get_absolute_url())
    expect(page.get_by_role("textbox", name="Name", exact=True)).to_have_value("Pat Reader")  # remembered

    # Flagging Sam's comment.
    page.get_by_role("link", name="Flag the comment by Sam Lee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Flag a comment for a moderator")
    page.get_by_role("button", name="Flag this comment").click()  # no reason chosen
    expect(page.get_by_text("Please choose a reason.")).to_be_visible()
    browser_errors.expected(400)
    page.get_by_role("radio").first.check()
    page.get_by_role("button", name="Flag this comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, a moderator will look at it")
    assert Report.objects.filter(comment__user_name="Sam Lee").count() == 1


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_the_comment_form_works_without_javascript(page, context, stories, mailoutbox):
    quiet, _ = stories
    page.goto(quiet.get_absolute_url())
    fill_comment_form(page, comment="Posted with scripts off.", name="Noor", email="noor@example.com")
    page.get_by_role("button", name="Post Comment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm your comment")
    page.goto(confirm_link(mailoutbox, "noor@example.com"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, your comment is awaiting moderation")
