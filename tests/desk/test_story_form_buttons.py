"""The story form's one row of buttons (templates/admin/articles/article/submit_line.html, workflow.primary_action):
the status change that takes the story forward first and as the main button, saving next, the other status changes
under "More actions", Delete last; nothing twice, and Enter in a field is a plain save. Tested as each role opens the
form; the row's looks at 1280 and 390 px are tests/browser/test_desk_layout.py's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from tests.desk.forms import change_url
from tests.pages import parse

pytestmark = pytest.mark.django_db

Status = Article.Status


def form_of(response):
    assert response.status_code == 200
    return parse(response).find("form", id="article_form")


def submit_row(client, url):
    rows = form_of(client.get(url)).find_all("div", class_="submit-row")
    assert len(rows) == 1  # not again at the top of the form
    return rows[0]


def submit_buttons(element):
    return [
        e
        for e in element.iter()
        if (e.tag == "button" and e.attrs.get("type") == "submit")
        or (e.tag == "input" and e.attrs.get("type") == "submit")
    ]


def in_details(element):
    while element is not None:
        if element.tag == "details":
            return True
        element = element.parent
    return False


def buttons(row):
    """The row's submit buttons in order, as (name, value or label, where): "enter" for the hidden first one,
    "more" for those under More actions, "row" for the others."""
    found = []
    for element in submit_buttons(row):
        where = "enter" if "desk-enter-saves" in element.classes else "more" if in_details(element) else "row"
        found.append((element.attrs["name"], element.attrs.get("value") or element.text, where))
    return found


def default_button(row):
    return next(e for e in submit_buttons(row) if "default" in e.classes)


def visible(row):
    return [(name, label) for name, label, where in buttons(row) if where == "row"]


def test_an_editor_on_a_draft_leads_with_publish(editor_client, make_article):
    row = submit_row(editor_client, change_url(make_article(status=Status.DRAFT)))
    assert visible(row) == [("_workflow", "publish"), ("_save", "Save"), ("_continue", "Save and continue editing")]
    assert default_button(row).attrs["value"] == "publish"
    more = [(name, label) for name, label, where in buttons(row) if where == "more"]
    assert more == [
        ("_workflow", "submit_for_review"),
        ("_workflow", "schedule"),
        ("_addanother", "Save and add another"),
    ]


def test_a_reporter_on_their_draft_leads_with_submit(client, reporter, make_article):
    client.force_login(reporter)
    story = make_article(status=Status.DRAFT, created_by=reporter)
    row = submit_row(client, change_url(story))
    assert visible(row)[0] == ("_workflow", "submit_for_review")
    assert all(value != "publish" for _, value, _ in buttons(row))


def test_a_live_story_leads_with_save_and_keeps_taking_it_down_out_of_the_way(editor_client, make_article):
    row = submit_row(editor_client, change_url(make_article()))
    assert visible(row) == [("_save", "Save"), ("_continue", "Save and continue editing")]
    assert default_button(row).attrs["name"] == "_save"
    more = [value for name, value, where in buttons(row) if where == "more" and name == "_workflow"]
    assert more == ["schedule_unpublish", "unpublish"]


def test_no_button_is_shown_twice(editor_client, make_article):
    row = submit_row(editor_client, change_url(make_article(status=Status.DRAFT)))
    shown = [(name, value) for name, value, where in buttons(row) if where != "enter"]
    assert len(shown) == len(set(shown))


@pytest.mark.parametrize("status", [Status.DRAFT, Status.PUBLISHED])
def test_enter_in_a_field_is_a_plain_save_that_stays_on_the_page(editor_client, make_article, status):
    # A browser submits with the form's first submit button when Enter is pressed in a field.
    fields = {"published_at": timezone.now()} if status == Status.PUBLISHED else {"published_at": None}
    first = submit_buttons(form_of(editor_client.get(change_url(make_article(status=status, **fields)))))[0]
    assert (first.attrs["name"], first.attrs.get("value")) == ("_continue", None)
    assert first.attrs["tabindex"] == "-1" and first.attrs["aria-hidden"] == "true"


def test_the_add_form_has_the_same_row(editor_client):
    row = submit_row(editor_client, reverse("admin:articles_article_add"))
    assert visible(row)[0] == ("_workflow", "publish")
    assert buttons(row)[0][2] == "enter"
