"""The site as it looks, in Chromium, with the demo newsroom (`load_demo`): every kind of public page fits a phone
(no sideways scrolling), shows its images, and reports nothing in the console (the CSP blocks nothing of ours);
screenshots of the home page and a story at phone and desktop widths go to test-artifacts/screenshots/.

`make screenshots` also writes the README's pictures, docs/screenshots/, from the same pages."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DOCS = Path(__file__).resolve().parent.parent.parent / "docs" / "screenshots"
STORY = "council-approves-eastern-tram-line"  # the demo's lead story: a picture, a source link and comments


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    call_command("load_demo_comments", verbosity=0)
    return Article.objects.get(slug=STORY)


def fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def broken_images(page):
    """Images that did not load, after scrolling to the bottom so lazy ones load too."""
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_load_state("networkidle")
    return page.evaluate(
        "[...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.currentSrc)"
    )


def test_every_kind_of_public_page_fits_a_phone(page, browser_errors, demo):
    page.set_viewport_size(PHONE)
    page.goto(demo.get_absolute_url())
    comment = page.locator(".comment").first.get_attribute("id").removeprefix("c")
    tag = demo.tags.first()
    paths = [
        "/",
        demo.get_absolute_url(),
        demo.section.get_absolute_url(),
        demo.source.get_absolute_url(),
        f"/tag/{tag.slug}/",
        "/search/?q=tram",
        "/search/?q=nothing+matches+this",
        "/privacy/",
        f"/comments/reply/{comment}/",
        f"/comments/flag/{comment}/",
    ]
    problems = {}
    for path in paths:
        page.goto(path)
        if not fits(page):
            problems[path] = "scrolls sideways"
        if missing := broken_images(page):
            problems[path] = f"images did not load: {missing}"
    assert page.goto("/no-such-page/").status == 404
    browser_errors.expected(404)
    assert fits(page)
    assert problems == {}


def test_screenshots_of_home_and_story_at_phone_and_desktop_widths(page, demo):
    to_docs = os.environ.get("UPDATE_DOCS_SCREENSHOTS") == "1"
    for width_name, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        for page_name, path in (("home", "/"), ("story", demo.get_absolute_url())):
            page.goto(path)
            expect(page.get_by_role("heading", level=1).first).to_be_visible()
            broken_images(page)  # every picture loaded before the shot
            page.evaluate("window.scrollTo(0, 0)")
            name = f"{page_name}-{width_name}"
            page.screenshot(path=screenshot_path(name), full_page=True)
            assert screenshot_path(name).stat().st_size > 10_000  # a picture of a page, not of a blank
            if to_docs:
                # The home page's first screenful, as a reader opens it; the whole story, comments and form too.
                DOCS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=DOCS / f"{name}.png", full_page=page_name == "story")
