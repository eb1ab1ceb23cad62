"""The corrections log: entries added at the desk appear in a box on the public story, move its "Updated" time,
and can only be changed in the open: every change is logged and the story says the entry was amended."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.desk import corrections, workflow
from articles.models import Article, Correction
from tests.desk.forms import change_url, opened_form, post_story
from tests.pages import parse

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def story(make_article):
    with time_machine.travel(PUBLISHED_AT, tick=False):
        return make_article(headline="Mayor opens bridge", published_at=PUBLISHED_AT)


def corrections_box(response):
    return parse(response).find("aside", class_="corrections")


def add_correction(client, story, kind, note):
    _, data = opened_form(client, story)
    n = data["corrections-TOTAL_FORMS"]
    data.update({"corrections-TOTAL_FORMS": n + 1, f"corrections-{n}-kind": kind, f"corrections-{n}-note": note})
    return post_story(client, story, data=data)


def test_an_editor_adds_a_correction_that_readers_see_with_the_new_updated_time(editor_client, editor, story):
    assert corrections_box(Client().get(story.get_absolute_url())) is None
    corrected_at = PUBLISHED_AT + datetime.timedelta(days=1, hours=3)

    with time_machine.travel(corrected_at, tick=False):
        response = add_correction(editor_client, story, "correction", "The bridge is 40 m long, not 400 m.")
        page = Client().get(story.get_absolute_url())

    assert response.status_code == 302
    entry = Correction.objects.get()
    assert (entry.kind, entry.created_by, entry.created_at) == ("correction", editor, corrected_at)
    box = corrections_box(page)
    assert box.find("h2").text == "Corrections and updates"
    assert box.find("strong").text == "Correction"
    assert box.find("time").attrs["datetime"] == "2026-03-03T12:00:00Z"
    assert "The bridge is 40 m long, not 400 m." in box.text
    updated = parse(page).find("span", class_="updated")
    assert updated.find("time").attrs["datetime"] == "2026-03-03T12:00:00Z"
    assert "editor" not in page.content.decode()  # staff accounts stay in the admin


@pytest.mark.parametrize(("kind", "label"), [(kind.value, kind.label) for kind in Correction.Kind])
def test_each_type_of_entry_is_labelled(editor, story, kind, label):
    corrections.article_correct(article=story, by=editor, kind=kind, note="Note.")
    assert corrections_box(Client().get(story.get_absolute_url())).find("strong").text == label


def test_entries_appear_oldest_first(editor, story):
    corrections.article_correct(article=story, by=editor, kind="clarification", note="First.")
    corrections.article_correct(article=story, by=editor, kind="update", note="Second.")
    box = corrections_box(Client().get(story.get_absolute_url()))
    assert [item.find("strong").text for item in box.find_all("li")] == ["Clarification", "Update"]


def test_changing_an_entry_is_logged_and_shown_as_amended(editor_client, editor, story):
    entry = corrections.article_correct(article=story, by=editor, kind="correction", note="Wrong namee.")
    amended_at = timezone.now() + datetime.timedelta(hours=2)

    with time_machine.travel(amended_at, tick=False):
        _, data = opened_form(editor_client, story)
        data["corrections-0-note"] = "Wrong name."
        data["corrections-0-kind"] = "clarification"
        assert post_story(editor_client, story, data=data).status_code == 302

    entry.refresh_from_db()
    assert (entry.kind, entry.note, entry.amended_at) == ("clarification", "Wrong name.", amended_at)
    [change] = entry.changes.all()
    assert (change.old_kind, change.old_note, change.new_note, change.actor) == (
        "correction",
        "Wrong namee.",
        "Wrong name.",
        editor,
    )
    box = corrections_box(Client().get(story.get_absolute_url()))
    assert "(amended" in box.text
    history = editor_client.get(reverse("admin:articles_article_history", args=[story.pk])).content.decode()
    assert "Wrong namee." in history and "Wrong name." in history


def test_saving_the_story_without_touching_an_entry_logs_nothing(editor_client, editor, story):
    corrections.article_correct(article=story, by=editor, kind="update", note="Added quotes.")
    assert post_story(editor_client, story, headline="Mayor opens new bridge").status_code == 302
    assert not Correction.objects.get().changes.exists()


def test_entries_cannot_be_deleted(editor_client, editor, story):
    corrections.article_correct(article=story, by=editor, kind="retraction", note="This story was wrong.")
    _, data = opened_form(editor_client, story)

    post_story(editor_client, story, data={**data, "corrections-0-DELETE": "on"})

    assert Correction.objects.count() == 1
    assert not admin_registered(Correction)


def admin_registered(model):
    from django.contrib import admin

    return admin.site.is_registered(model)


def test_a_draft_has_no_corrections_to_make(editor_client, editor, make_article):
    draft = make_article(status=Article.Status.DRAFT)
    response, data = opened_form(editor_client, draft)
    assert data["corrections-TOTAL_FORMS"] == 0
    [log] = [inline for inline in response.context["inline_admin_formsets"] if inline.formset.model is Correction]
    assert not log.has_add_permission
    with pytest.raises(workflow.WorkflowError, match="Only a story that has been published can be corrected"):
        corrections.article_correct(article=draft, by=editor, kind="correction", note="x")


def test_a_note_is_required(editor, story):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Write the note readers will see."):
        corrections.article_correct(article=story, by=editor, kind="correction", note="  ")
    with pytest.raises(ValidationError, match="Choose the type"):
        corrections.article_correct(article=story, by=editor, kind="apology", note="Sorry.")


def test_reporters_cannot_add_or_change_entries(reporter, editor, story):
    entry = corrections.article_correct(article=story, by=editor, kind="correction", note="Fixed.")
    with pytest.raises(PermissionDenied):
        corrections.article_correct(article=story, by=reporter, kind="correction", note="Mine.")
    with pytest.raises(PermissionDenied):
        corrections.correction_amend(correction=entry, by=reporter, kind="correction", note="Quietly.")
    assert Correction.objects.get().note == "Fixed."


def test_the_change_form_shows_the_log(editor_client, editor, story):
    corrections.article_correct(article=story, by=editor, kind="update", note="Added the mayor's reply.")
    page = editor_client.get(change_url(story)).content.decode()
    assert "Corrections log (shown to readers under the story" in page
    assert "Added the mayor&#x27;s reply." in page or "Added the mayor's reply." in page
