"""The comment form carries no per-visitor token (the page is shared by every reader and by proxies): Chromium's
own Sec-Fetch-Site and Origin headers tell a post from the story page from one another site's page made.
A same-site post is saved; a form on another loopback origin that posts to the site is refused, and says why."""

import http.server
import threading
from html import escape

import pytest
from playwright.sync_api import expect

from comments.models import PendingComment
from tests.makers import comment_form_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def story(make_article):
    return make_article(headline="Council passes the budget", slug="council-passes-budget")


@pytest.fixture
def elsewhere(live_server, story):
    """Another site, on another loopback origin: a page whose form posts a filled-in comment to ours."""
    fields = comment_form_data(story, comment="Posted from another site.", email="victim@example.com")
    inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in fields.items())
    page = (
        f'<!DOCTYPE html><html lang="en"><title>Win a prize</title><form method="post" '
        f'action="{live_server.url}/comments/post/">{inputs}<button>Claim</button></form></html>'
    ).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the HTTP method's name)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("localhost", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_port}/"
    server.shutdown()


def test_a_form_on_another_site_cannot_post_a_comment(page, browser_errors, elsewhere):
    page.goto(elsewhere)
    page.get_by_role("button", name="Claim").click()

    expect(page.get_by_role("alert").first).to_contain_text("sent from another website")
    browser_errors.expected(403)
    assert not PendingComment.objects.exists()


@pytest.mark.browser_context_args(java_script_enabled=False)
def test_the_storys_own_form_posts_with_scripts_off(page, story):
    page.goto(story.get_absolute_url())
    page.get_by_role("textbox", name="Comment", exact=True).fill("Posted from the story page.")
    page.get_by_role("textbox", name="Name", exact=True).fill("Noor")
    page.get_by_role("textbox", name="Email", exact=True).fill("noor@example.com")
    page.get_by_role("button", name="Post Comment").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email to confirm your comment")
    assert PendingComment.objects.filter(comment="Posted from the story page.").exists()
