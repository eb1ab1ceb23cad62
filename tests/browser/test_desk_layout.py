"""The desk's story list and story form as an editor sees them, in Chromium, with the demo newsroom: at 1280 px every
column of the list is in view and the headline has room; at 390 px the list and the form fit the phone; the form has
one row of buttons, the primary status change first, the rest under "More actions" (opened by keyboard), and Enter
in a field saves without publishing. Axe finds nothing serious. Screenshots go to test-artifacts/screenshots/."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article
from tests.browser.conftest import DESKTOP, PHONE, axe_violations, screenshot_path, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Layout-desk-2026"
LIST = "/admin/articles/article/"


@pytest.fixture
def draft(django_user_model):
    call_command("load_demo", verbosity=0)
    user = django_user_model.objects.create_user("edith", "edith@staff.example", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    story = Article.objects.order_by("-published_at").first()
    Article.objects.filter(pk=story.pk).update(status=Article.Status.DRAFT, published_at=None)
    return story


def overflow(page, selector):
    """How many pixels `selector`'s content is wider than its box (0: nothing cut off or scrolled)."""
    return page.evaluate(
        f"(() => {{ const e = document.querySelector('{selector}'); return e.scrollWidth - e.clientWidth; }})()"
    )


def page_fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_story_list_and_form_fit_a_laptop_and_a_phone(page, draft):
    page.set_viewport_size(DESKTOP)
    page.goto(LIST)
    sign_in(page, "edith", PASSWORD)
    expect(page.locator("#result_list")).to_be_visible()
    assert overflow(page, "#changelist .results") == 0
    right_edge = page.evaluate("document.querySelector('#changelist .results').getBoundingClientRect().right")
    for column in ("headline", "desk_state", "section", "source", "published", "thumbnail"):
        header = page.locator(f"#result_list thead th.column-{column}")
        expect(header).to_be_visible()
        assert header.bounding_box()["x"] + header.bounding_box()["width"] <= right_edge + 1, column
    assert page.locator("#result_list th.field-headline").first.bounding_box()["width"] >= 200
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_path("desk-list-desktop"), full_page=False)

    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    assert page.locator("#id_headline").bounding_box()["width"] >= 600
    assert page.locator("#id_dek").bounding_box()["width"] >= 600
    assert page.locator(".submit-row").count() == 1
    visible = page.locator(".submit-row").get_by_role("button")
    expect(visible.first).to_have_text("Save and publish now")
    expect(page.get_by_role("button", name="Save and schedule publication")).to_be_hidden()
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_path("desk-story-form-desktop"), full_page=False)

    # More actions, by keyboard: the summary takes focus and Enter opens it.
    page.locator(".desk-more-actions summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Save and schedule publication")).to_be_visible()
    assert axe_violations(page) == []

    # Enter in the headline saves and stays: the story is still a draft.
    page.locator("#id_headline").fill("Night trains return, the desk confirms")
    page.locator("#id_headline").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    expect(page.locator("#id_headline")).to_have_value("Night trains return, the desk confirms")
    draft.refresh_from_db()
    assert (draft.headline, draft.status) == ("Night trains return, the desk confirms", Article.Status.DRAFT)

    page.set_viewport_size(PHONE)
    page.goto(LIST)
    assert page_fits(page)
    assert overflow(page, "#changelist .results") == 0
    expect(page.locator("#result_list thead th.column-headline")).to_be_visible()
    expect(page.locator("#result_list thead th.column-desk_state")).to_be_visible()
    page.screenshot(path=screenshot_path("desk-list-phone"), full_page=False)
    page.goto(f"/admin/articles/article/{draft.pk}/change/")
    assert page_fits(page)
    assert page.locator("#id_headline").bounding_box()["width"] >= 300
    assert axe_violations(page) == []
    page.screenshot(path=screenshot_path("desk-story-form-phone"), full_page=True)
