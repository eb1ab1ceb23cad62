"""Importing in the admin: who is offered "Fetch new stories now" (what it does: test_import_runs.py), and changes at
the source waiting for an editor: the "changed at source" filter, the diff on the story's page, and marking a change
reviewed."""

import io
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, UpstreamChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_timeouts")]

SOURCES = reverse("admin:articles_source_changelist")
STORIES = reverse("admin:articles_article_changelist")


def test_editors_are_offered_the_action_and_reporters_are_not(client, editor, reporter, courier):
    client.force_login(editor)
    assert "Fetch new stories now" in client.get(SOURCES).content.decode()

    client.force_login(reporter)
    page = client.get(SOURCES)
    assert page.status_code == 200
    assert "Fetch new stories now" not in page.content.decode()
    client.post(SOURCES, {"action": "fetch_new_stories", "_selected_action": [courier.pk]})
    assert not Article.objects.exists()


def test_the_source_form_has_the_licence_and_default_section(admin_client, courier):
    page = admin_client.get(reverse("admin:articles_source_change", args=[courier.pk])).content.decode()
    assert 'name="licence"' in page and 'name="default_section"' in page
    assert "Last fetched" in page


# --- changes at the source ------------------------------------------------------------------------------------


@pytest.fixture
def flagged_story(courier, feed_server):
    """A published imported story whose headline then changed at the source."""
    call_command("import_feed", "courier", "--publish", stdout=io.StringIO())
    changed = feed_server.feed_body("rss2.xml").replace(
        b"Harbour expansion approved after late-night vote", b"Harbour expansion approved, 7 to 4"
    )
    feed_server.serve("/feed.xml", changed)
    call_command("import_feed", "courier", stdout=io.StringIO())
    return Article.objects.get(source_guid="courier-2026-0311")


def test_the_changed_at_source_filter_lists_the_stories_waiting_for_an_editor(admin_client, flagged_story):
    waiting = admin_client.get(STORIES, {"changed_at_source": "yes"}).content.decode()
    assert "Harbour expansion approved after late-night vote" in waiting
    assert "Ferry timetable changes from April" not in waiting

    others = admin_client.get(STORIES, {"changed_at_source": "no"}).content.decode()
    assert "Ferry timetable changes from April" in others
    assert "Harbour expansion approved after late-night vote" not in others


class FormFields(HTMLParser):
    """What a browser would submit for the form with id `form_id`."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id, self.in_form, self.data = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input" and attrs.get("type") not in ("submit", "button", "file", "image"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.data.append((attrs["name"], attrs.get("value", "on" if "checked" in attrs else "")))
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]
        elif tag == "select":
            self.select = [attrs["name"], None, "multiple" in attrs]
        elif tag == "option" and self.select is not None:
            if "selected" in attrs:
                self.data.append((self.select[0], attrs.get("value", "")))
                self.select[1] = True
            elif self.select[1] is None and not self.select[2]:
                self.select[1] = attrs.get("value", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "textarea" and self.textarea is not None:
            self.data.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            if isinstance(self.select[1], str):  # nothing selected: the browser sends the first option
                self.data.append((self.select[0], self.select[1]))
            self.select = None


def form_data(page, form_id):
    parser = FormFields(form_id)
    parser.feed(page)
    data = {}
    for name, value in parser.data:
        data.setdefault(name, []).append(value)
    return data


def test_the_story_page_shows_the_diff_and_an_editor_marks_it_reviewed(admin_client, admin_user, flagged_story):
    url = reverse("admin:articles_article_change", args=[flagged_story.pk])
    page = admin_client.get(url).content.decode()
    assert "Changes at the source" in page
    assert "-Harbour expansion approved after late-night vote" in page
    assert "+Harbour expansion approved, 7 to 4" in page

    data = form_data(page, "article_form")
    data["upstream_changes-0-mark_reviewed"] = ["on"]
    response = admin_client.post(url, {**data, "_continue": "Save"})

    assert response.status_code == 302, response.content.decode()
    change = UpstreamChange.objects.get()
    assert change.reviewed_by == admin_user and change.reviewed_at is not None
    flagged_story.refresh_from_db()
    assert flagged_story.headline == "Harbour expansion approved after late-night vote"  # the editor's call
    assert admin_client.get(STORIES, {"changed_at_source": "yes"}).context["cl"].result_count == 0


def test_stories_the_source_never_changed_carry_no_such_section(admin_client, courier):
    call_command("import_feed", "courier", stdout=io.StringIO())
    story = Article.objects.get(source_guid="courier-2026-0311")
    page = admin_client.get(reverse("admin:articles_article_change", args=[story.pk])).content.decode()
    assert "upstream_changes-TOTAL_FORMS" not in page
    assert "Changes at the source" not in page
