"""Comments carrying XSS payloads, approved by a moderator in the admin, then read in Chromium: no dialog opens,
no script runs, nothing is reported in the console — with the site's CSP, and with the browser told to ignore the
CSP, so the templates' escaping is proven on its own and the CSP is a second wall, not the only one.

Payloads: one of each kind from tests/data/xss_payloads.txt (whose every line the HTML-level corpus test posts),
plus probes that would set `window.__xss` if they ran at all (an event handler, a script, a javascript: link)."""

import pytest
from playwright.sync_api import expect

from comments.models import ArticleComment
from tests.browser.conftest import sign_in
from tests.makers import make_comment
from tests.xss_payloads import PAYLOADS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

KINDS = ("<script", "onerror", "onload", "javascript:", "data:", "<iframe", "<svg", "<style", "\u202e")
PROBES = [
    "<script>window.__xss = 1</script>",
    '<img src=x onerror="window.__xss = 1">',
    '"><svg onload="window.__xss = 1">',
    "</textarea><script>window.__xss = 1</script>",
]
# The commenter's website: a javascript: address, and a real-looking address that tries to break out of href="".
WEBSITES = ["javascript:window.__xss = 1", 'https://evil.example/"onmouseover="window.__xss=1"x="']
# Set before any script of a page runs; a payload that ran would change it.
PROBE_INIT = "window.__xss = 0;"


def chosen_payloads():
    picked = [next(payload for payload in PAYLOADS if kind in payload.lower()) for kind in KINDS]
    return list(dict.fromkeys(picked + PROBES))


@pytest.fixture
def hostile_thread(article):
    """Held comments whose text, name and website are payloads, one of them a reply."""
    payloads = chosen_payloads()
    held = []
    for n, payload in enumerate(payloads):
        parent = held[0] if n == 1 else None
        held.append(
            make_comment(article, payload, name=payload[:50], url=WEBSITES[n % len(WEBSITES)], parent=parent, held=True)
        )
    return article, held


def assert_nothing_ran(page):
    assert page.evaluate("window.__xss") == 0
    for link in page.locator(".comment-author a").all():
        link.hover()  # an onmouseover smuggled into an attribute would fire now
    assert page.evaluate("window.__xss") == 0


def test_approved_hostile_comments_run_nothing(page, context, new_context, browser_errors, moderator, hostile_thread):
    article, held = hostile_thread
    context.add_init_script(PROBE_INIT)

    # The moderator reads them in the queue and approves them all with the bulk action.
    page.goto("/admin/login/")
    sign_in(page, moderator.username, "pw")
    page.goto("/admin/comments/articlecomment/")
    assert_nothing_ran(page)
    expect(page.locator("#result_list tbody tr")).to_have_count(len(held))
    page.locator("#action-toggle").check()
    page.locator("select[name=action]").select_option(label="Approve selected comments")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".messagelist")).to_be_visible()
    assert ArticleComment.objects.filter(is_public=True).count() == len(held)
    page.goto(f"/admin/comments/articlecomment/{held[0].pk}/change/")
    assert_nothing_ran(page)

    # Readers see them: with the CSP, and with the browser ignoring it.
    for bypass_csp in (False, True):
        reader = browser_errors.watch(new_context(bypass_csp=bypass_csp))
        reader.add_init_script(PROBE_INIT)
        story = reader.new_page()
        story.goto(article.get_absolute_url())
        expect(story.locator(".comment-body")).to_have_count(len(held))
        # Every payload is shown as the text it is.
        for comment in held:
            expect(story.locator(f"#c{comment.pk} .comment-body")).to_have_text(comment.comment)
            expect(story.locator(f"#c{comment.pk} .comment-author")).to_have_text(comment.user_name)
        assert story.locator('.comment-author a[href^="javascript"]').count() == 0
        assert_nothing_ran(story)
        for path in (f"/comments/reply/{held[1].pk}/", f"/comments/flag/{held[2].pk}/"):
            story.goto(path)
            assert_nothing_ran(story)
        reader.close()
