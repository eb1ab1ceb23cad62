"""An editor's shift, in Chromium, through the admin's real widgets: sign in (one wrong password first), write a
story with a lead image (django-prose-editor for the body, select2 autocompletes for byline, section and source,
the file input), schedule it, preview it (staff preview and a shareable link), publish it; then approve a reader's
comment in the moderation queue with the bulk action and see it on the story, with the reader's email nowhere.
The page cache is on, as in production (tests/conftest.py): a visitor without cookies sees each change too."""

import datetime
import hashlib
import io
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from articles.models import Article, Author, Section, Source
from comments.models import ArticleComment
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Night-desk-2026"
HEADLINE = "Ferry service returns to Easton Bay"
CONFIRM_LINK = re.compile(r"^(http://\S+/comments/confirm/\S+/)$", re.MULTILINE)


@pytest.fixture
def night_editor(django_user_model):
    """The editor on duty, who also moderates comments: in the desk's Editor and Moderator roles."""
    user = django_user_model.objects.create_user("edith", "edith@staff.example", PASSWORD, is_staff=True)
    user.groups.add(*Group.objects.filter(name__in=["Editor", "Moderator"]))
    return user


@pytest.fixture
def desk(db):
    Section.objects.create(name="News", slug="news")
    Section.objects.create(name="Business", slug="business")
    Source.objects.create(name="Harbour City Courier", slug="courier", homepage="https://courier.example.com/")
    Author.objects.create(name="Maria Okafor", slug="maria-okafor")


def jpeg(width=1600, height=900):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 90, 140)).save(buffer, "JPEG", quality=85)
    return {"name": "ferry.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def pick(page, field, typed, choice):
    """Choose `choice` in the select2 autocomplete of the admin field `field`, by typing `typed` into it."""
    page.locator(f".field-{field} .select2-selection").click()
    search = page.locator(f".field-{field} .select2-search__field, .select2-container--open .select2-search__field")
    search.first.fill(typed)
    page.locator(".select2-results__option", has_text=choice).click()
    expect(page.locator(f".field-{field} .select2-selection")).to_contain_text(choice)


def test_an_editor_writes_schedules_previews_publishes_and_moderates(
    page, new_context, browser_errors, night_editor, desk, mailoutbox
):
    reader = browser_errors.watch(new_context()).new_page()
    # Someone who only reads: no cookie but the form's CSRF token, so pages come from the page cache when they can.
    passer_by = browser_errors.watch(new_context()).new_page()

    # Signing in: a wrong password is refused, the right one lets the editor in (django-axes counts, not locks).
    page.goto("/admin/")
    sign_in(page, "edith", "not-the-password")
    expect(page.locator(".errornote")).to_contain_text("Please enter the correct username and password")
    sign_in(page, "edith", PASSWORD)
    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()

    # Writing the story through the real widgets.
    page.goto("/admin/articles/article/add/")
    page.get_by_role("textbox", name="Headline:").press_sequentially(HEADLINE)  # typed: the slug follows keystrokes
    expect(page.get_by_role("textbox", name="Slug:")).to_have_value("ferry-service-returns-to-easton-bay")
    page.get_by_role("textbox", name="Dek (standfirst):").fill("Crossings resume on Monday after a year.")
    pick(page, "authors", "Mar", "Maria Okafor")
    pick(page, "section", "New", "News")
    body = page.locator(".field-body [contenteditable=true]")
    body.click()
    page.keyboard.type("The first boat leaves at six. ")
    page.keyboard.press("Control+b")
    page.keyboard.type("Fares are unchanged.")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    page.keyboard.type("The operator hired twelve crew.")
    page.locator("#id_lead_image").set_input_files(jpeg())
    page.get_by_role("textbox", name="Alt text:").fill("The ferry at the Easton Bay pier")
    page.get_by_role("textbox", name="Caption:").fill("The Easton Bay ferry, back in service.")
    pick(page, "source", "Harb", "Harbour City Courier")
    page.get_by_role("textbox", name="Source link:").fill("https://courier.example.com/2026/ferry-returns")

    # Scheduling it for tomorrow morning.
    go_live = (timezone.localtime() + datetime.timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    page.locator("#id_go_live_at_0").fill(go_live.strftime("%Y-%m-%d"))
    page.locator("#id_go_live_at_1").fill("09:00:00")
    page.get_by_text("More actions").click()  # the status changes after the primary one
    page.get_by_role("button", name="Save and schedule publication").click()
    expect(page.locator(".messagelist")).to_contain_text(f"“{HEADLINE}” is now: scheduled")
    story = Article.objects.get(headline=HEADLINE)
    assert story.published_at == go_live
    assert not story.is_public
    assert [author.name for author in story.authors.all()] == ["Maria Okafor"]
    assert (story.section.slug, story.source.slug) == ("news", "courier")
    assert story.lead_image_alt == "The ferry at the Easton Bay pier"
    assert story.body == (
        "<p>The first boat leaves at six. <strong>Fares are unchanged.</strong></p>"
        "<p>The operator hired twelve crew.</p>"
    )
    assert story.lead_image.name

    # Not public yet: readers get a 404.
    assert reader.goto(story.get_absolute_url()).status == 404
    browser_errors.expected(404)

    # The staff preview ("View on site"), lead image and all.
    with page.expect_navigation():
        page.get_by_role("link", name="View on site").click()
    expect(page.locator(".preview-banner")).to_contain_text("scheduled and not visible to readers")
    expect(page.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    lead = page.get_by_role("img", name="The ferry at the Easton Bay pier")
    expect(lead).to_be_visible()
    assert lead.evaluate("img => img.complete && img.naturalWidth > 0")

    # A shareable preview link, opened by someone without an account.
    page.go_back()
    page.get_by_role("link", name="Share a preview link…").click()
    page.get_by_role("textbox", name="Shared with:").fill("the lawyer")
    page.get_by_role("button", name="Create the link").click()
    shared = page.locator(".messagelist a").get_attribute("href")
    reader.goto(shared)
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(reader.locator('meta[name="robots"]')).to_have_attribute("content", re.compile("noindex"))

    # Publishing it now.
    page.get_by_role("button", name="Save and publish now").first.click()
    expect(page.locator(".messagelist")).to_contain_text(f"“{HEADLINE}” is now: live")
    story.refresh_from_db()  # its address carries the day it went live: today now, not tomorrow
    assert story.is_public
    reader.goto("/")
    reader.get_by_role("link", name=HEADLINE).click()
    expect(reader.get_by_role("heading", level=1)).to_have_text(HEADLINE)
    expect(reader.get_by_role("link", name="Source link")).to_have_attribute(
        "href", "https://courier.example.com/2026/ferry-returns"
    )

    passer_by.goto(story.get_absolute_url())
    expect(passer_by.get_by_role("heading", name="Be the first to comment")).to_be_visible()

    # A reader comments; it waits for a moderator.
    reader.get_by_role("textbox", name="Comment", exact=True).fill("About time. I have missed the 7:15.")
    reader.get_by_role("textbox", name="Name", exact=True).fill("Jo Commuter")
    reader.get_by_role("textbox", name="Email", exact=True).fill("jo.commuter@example.net")
    reader.get_by_role("button", name="Post Comment").click()
    mail = next(message for message in mailoutbox if message.to == ["jo.commuter@example.net"])
    reader.goto(CONFIRM_LINK.search(mail.body).group(1))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Thank you, your comment is awaiting moderation")

    # The moderation queue opens on what awaits a decision; approve it with the bulk action.
    page.goto("/admin/")
    page.get_by_role("link", name="Comments", exact=True).click()
    row = page.locator("#result_list tbody tr", has_text="About time. I have missed the 7:15.")
    expect(row).to_contain_text("First comment from this address")
    row.get_by_role("checkbox").check()
    page.locator("select[name=action]").select_option(label="Approve selected comments")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_contain_text("pprove")
    assert ArticleComment.objects.get(user_email="jo.commuter@example.net").is_public

    # On the story for everyone, and the reader's address nowhere in the page.
    reader.goto(story.get_absolute_url())
    expect(reader.get_by_role("heading", name="1 Comment")).to_be_visible()
    expect(reader.locator(".comment", has_text="About time. I have missed the 7:15.")).to_contain_text("Jo Commuter")
    passer_by.reload()
    expect(passer_by.get_by_role("heading", name="1 Comment")).to_be_visible()
    assert {cookie["name"] for cookie in passer_by.context.cookies()} <= {"csrftoken"}
    for html in (reader.content(), passer_by.content()):
        for secret in ("jo.commuter@example.net", hashlib.md5(b"jo.commuter@example.net").hexdigest()):
            assert secret not in html
