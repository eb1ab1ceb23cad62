"""The keyboard-first moderation queue in Chromium (static/comments/admin/moderation-queue.js): a moderator signs in,
moves with j/k, approves with a, rejects with r and a reason, opens the key list with ? (Escape closes it) and
one comment in context with z; each
result is announced politely and the queue has no serious accessibility violation (axe). The CSP is the admin's
(script-src 'self' + nonce): a violation would be a console error, which fails the test (browser_errors)."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from comments import policy, services
from comments.models import ArticleComment, ModerationDecision
from tests.browser.conftest import axe_violations, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Queue-shift-2026"


@pytest.fixture
def moderator_account(django_user_model):
    user = django_user_model.objects.create_user("mo", "mo@staff.example", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Moderator"))
    return user


@pytest.fixture
def held_comments(make_article):
    """Three held comments, newest first in the queue: Third, Second, First."""
    story = make_article(headline="Ferry service returns to Easton Bay")
    made = []
    for n, text in enumerate(["First held comment.", "Second held comment.", "Third held comment."]):
        comment = services.comment_create(
            article=story,
            user_name=f"Reader {n}",
            user_email=f"reader{n}@example.com",
            comment=text,
            verdict=policy.hold("First comment from this address."),
        )
        # Distinct times: the queue's order does not hang on a tie.
        ArticleComment.objects.filter(pk=comment.pk).update(
            submit_date=timezone.now() - datetime.timedelta(minutes=10 - n)
        )
        made.append(comment)
    return made


def test_a_moderator_works_the_queue_by_keyboard(page, moderator_account, held_comments):
    first, second, third = held_comments
    page.goto("/admin/comments/articlecomment/")
    sign_in(page, "mo", PASSWORD)
    expect(page.locator("#result_list")).to_be_visible()
    announcer = page.locator("#queue-announcer")
    expect(page.locator(".queue-keys-hint")).to_be_visible()

    # ? lists the keys in a dialog; Escape closes it.
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reject: choose a reason, then press Enter")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # j twice, k once: back on the first row (the newest, "Third").
    rows = page.locator("#result_list tbody tr")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile(r"\bqueue-current\b"))
    expect(rows.nth(1)).to_have_attribute("aria-current", "true")
    expect(announcer).to_have_text("Comment 2 of 3: Second held comment.")
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    expect(rows.nth(1)).not_to_have_attribute("aria-current", "true")
    focused_row_text = page.evaluate("document.activeElement.closest('tr').querySelector('.field-excerpt').textContent")
    assert focused_row_text == "Third held comment."

    # a approves it: the page comes back with the result announced and the keyboard on the same place.
    page.keyboard.press("a")
    expect(page.locator(".messagelist")).to_contain_text("Approved 1 comment.")
    expect(announcer).to_have_text("Approved 1 comment.")
    third.refresh_from_db()
    assert third.is_public
    assert not ArticleComment.objects.get(pk=second.pk).is_public  # only the chosen one

    # The keyboard stays on the first row, now "Second"; r asks the reason (keys are not taken in the select).
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_attribute("aria-current", "true")
    expect(rows.nth(0)).to_contain_text("Second held comment.")
    page.keyboard.press("r")
    reason = page.get_by_label("Reason (to reject, remove or ban):")
    expect(reason).to_be_focused()
    expect(announcer).to_contain_text("choose a reason, then press Enter")
    reason.select_option("off_topic")
    reason.press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Rejected or removed 1 comment.")
    expect(announcer).to_have_text("Rejected or removed 1 comment.")
    second = ArticleComment.objects.get(pk=second.pk)
    assert second.is_removed
    decision = second.decisions.last()
    assert (decision.action, decision.reason_code) == (ModerationDecision.Action.REMOVED, "off_topic")
    assert not ArticleComment.objects.get(pk=first.pk).is_removed

    # Typing in the search box is typing, not a key: "a" there approves nothing.
    page.keyboard.press("/")
    search = page.locator("#searchbar")
    expect(search).to_be_focused()
    search.type("a")
    expect(search).to_have_value("a")
    assert not ArticleComment.objects.get(pk=first.pk).is_public
    assert axe_violations(page) == []

    # z opens the chosen comment on its own, with its story: no script needed there.
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("j")
    page.keyboard.press("z")
    expect(page.get_by_role("heading", name="What it answers")).to_be_visible()
    expect(page.locator(".queue-review-text")).to_contain_text("First held comment.")
    expect(page.get_by_role("link", name="Ferry service returns to Easton Bay")).to_be_visible()
    assert axe_violations(page) == []


def test_f_features_the_chosen_comment_with_the_note_typed(page, moderator_account, make_article):
    story = make_article(headline="Ferry service returns to Easton Bay")
    comment = services.comment_create(
        article=story,
        user_name="Reader",
        user_email="reader@example.com",
        comment="The timetable works for shift workers.",
        verdict=policy.publish(),
    )
    page.goto("/admin/comments/articlecomment/?status=all")
    sign_in(page, "mo", PASSWORD)
    expect(page.locator("#result_list")).to_be_visible()

    expect(page.locator(".queue-keys-hint")).to_be_visible()  # the keys work once the deferred script has run

    page.keyboard.press("j")
    expect(page.locator("#result_list tbody tr").first).to_have_attribute("aria-current", "true")
    page.keyboard.press("f")
    note = page.locator("input[name=explanation]")
    expect(note).to_be_focused()
    expect(page.locator("#queue-announcer")).to_contain_text("type a note for readers if you wish")
    note.type("A nurse's view")  # typing: "f" and "a" here are letters, not keys
    note.press("Enter")

    expect(page.locator(".messagelist")).to_contain_text("Featured 1 comment.")
    comment.refresh_from_db()
    assert comment.featured_at is not None
    assert comment.featured_note == "A nurse's view"
