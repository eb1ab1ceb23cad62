"""Importing in the admin: "Fetch new stories now" on sources (failures are messages, never an error
page), and changes at the source waiting for an editor: the "changed at source" filter, the diff on the
story's page, and marking a change reviewed."""

import io
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article, Source, UpstreamChange

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("short_timeouts")]

SOURCES = reverse("admin:articles_source_changelist")
STORIES = reverse("admin:articles_article_changelist")


def fetch_now(client, *sources):
    response = client.post(
        SOURCES, {"action": "fetch_new_stories", "_selected_action": [source.pk for source in sources]}, follow=True
    )
    assert response.status_code == 200
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def test_fetch_new_stories_now_imports_the_selected_sources(admin_client, courier):
    messages = fetch_now(admin_client, courier)

    assert Article.objects.filter(source=courier, status=Article.Status.DRAFT).count() == 3
    # Its images are not on the test server: the stories come in without them, and the message says so.
    level, text = messages[0]
    assert level == "success"
    assert text == "Harbour City Courier: 3 created, 0 updated, 0 flagged, 0 skipped, 0 failed."
    courier.refresh_from_db()
    assert courier.last_fetch_result == "3 created, 0 updated, 0 flagged, 0 skipped, 0 failed"

    assert fetch_now(admin_client, courier) == [
        ("success", "Harbour City Courier: 0 created, 0 updated, 0 flagged, 3 skipped, 0 failed.")
    ]


def test_failed_entries_are_listed_in_a_warning(admin_client, section, feed_server):
    hostile = Source.objects.create(
        name="Hostile Wire",
        slug="hostile",
        homepage="https://hostile.example.net/",
        feed_url=feed_server.serve_feed("/hostile.xml", "hostile.xml"),
        default_section=section,
    )
    assert fetch_now(admin_client, hostile) == [
        (
            "warning",
            "Hostile Wire: 2 created, 0 updated, 0 flagged, 0 skipped, 1 failed. failed “A story with a script link”: "
            "its link “javascript:alert(document.domain)” is not a web address (http or https).",
        )
    ]


def test_feeds_that_cannot_be_read_are_error_messages_and_the_others_still_import(
    admin_client, courier, feed_server, section
):
    broken = Source.objects.create(
        name="Broken", slug="broken", homepage="https://broken.example/", feed_url=feed_server.url("/missing.xml")
    )
    broken.default_section = section
    broken.save()
    homeless = Source.objects.create(
        name="Homeless", slug="homeless", homepage="https://homeless.example/", feed_url=courier.feed_url
    )
    feedless = Source.objects.create(name="Feedless", slug="feedless", homepage="https://feedless.example/")

    messages = fetch_now(admin_client, courier, broken, homeless, feedless)
    no_section = "pass --section SLUG or set the source's default section"

    assert Article.objects.count() == 3
    assert sorted(messages) == sorted(
        [
            ("error", f"Broken: cannot read {broken.feed_url}: the server answered 404 Not Found"),
            (
                "error",
                f"Feedless: no section for stories from Feedless: {no_section}",
            ),
            (
                "error",
                f"Homeless: no section for stories from Homeless: {no_section}",
            ),
            ("success", "Harbour City Courier: 3 created, 0 updated, 0 flagged, 0 skipped, 0 failed."),
        ]
    )
    assert "error: cannot read" in admin_client.get(SOURCES).content.decode()  # the "last fetch" column


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


def numbered_feed(count, image_url=None):
    def image(n):
        url = image_url(n) if image_url else ""
        return f'<enclosure url="{url}" type="image/png" length="1"/>' if url else ""

    items = "".join(
        f"<item><title>Story number {n}</title><link>https://wire.example/stories/{n}</link>"
        f'<guid isPermaLink="false">wire-{n}</guid><description>What happened, part {n}.</description>{image(n)}</item>'
        for n in range(1, count + 1)
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}</channel></rss>'.encode()


@pytest.fixture
def wire(section, feed_server):
    def make(body):
        url = feed_server.serve("/wire.xml", body, etag='"v1"')
        return Source.objects.create(
            name="Wire", slug="wire", homepage="https://wire.example/", feed_url=url, default_section=section
        )

    return make


def test_the_admin_imports_a_bounded_number_of_stories_per_request_and_says_what_is_left(
    admin_client, wire, settings, feed_server
):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "ADMIN_ENTRIES": 2}
    source = wire(numbered_feed(5))

    assert fetch_now(admin_client, source) == [
        (
            "warning",
            "Wire: 2 created, 0 updated, 0 flagged, 0 skipped, 0 failed; 3 left for the next run. Fetch it again for "
            "the rest.",
        )
    ]
    assert Article.objects.count() == 2
    source.refresh_from_db()
    assert source.feed_http_cache == {}, "the feed is not 'unchanged' next time: its rest is still to be read"

    assert fetch_now(admin_client, source)[0][1].startswith("Wire: 2 created, 0 updated, 0 flagged, 2 skipped")
    assert fetch_now(admin_client, source)[0] == (
        "success",
        "Wire: 1 created, 0 updated, 0 flagged, 4 skipped, 0 failed.",
    )
    assert sorted(Article.objects.values_list("source_guid", flat=True)) == [f"wire-{n}" for n in range(1, 6)]
    # Every entry done: now the ETag is kept and the next fetch is a conditional GET.
    assert fetch_now(admin_client, source) == [("success", "Wire: unchanged since the last fetch.")]


def test_the_admin_stops_when_its_time_is_spent_and_loses_nothing(admin_client, wire, settings, feed_server):
    settings.FEED_IMPORT = {**settings.FEED_IMPORT, "ADMIN_SECONDS": 1.5, "TIMEOUT": 5, "DOWNLOAD_SECONDS": 5}
    feed_server.serve_image("/1.png")
    feed_server.serve("/2.png", hang=True)  # answers after the request's time is up
    source = wire(numbered_feed(3, image_url=lambda n: feed_server.url(f"/{n}.png")))
    later = Source.objects.create(  # sources are fetched in name order
        name="Zenith Wire",
        homepage="https://zenith.example/",
        feed_url=source.feed_url,
        default_section=source.default_section,
    )

    messages = fetch_now(admin_client, source, later)

    assert messages == [
        (
            "warning",
            "Wire: 1 created, 0 updated, 0 flagged, 0 skipped, 0 failed; 2 left for the next run. Fetch it again for "
            "the rest.",
        ),
        (
            "warning",
            "Zenith Wire: not fetched, there was no time left in this request; fetch it again, or leave it to the next "
            "scheduled import.",
        ),
    ]
    [story] = Article.objects.all()
    assert story.source_guid == "wire-1" and story.lead_image, "the story done in time has its image"
    # The command has no such budget: the rest comes in, the slow image left out and reported.
    output = io.StringIO()
    call_command("import_feed", "wire", stdout=output, stderr=io.StringIO())
    assert sorted(Article.objects.values_list("source_guid", flat=True)) == ["wire-1", "wire-2", "wire-3"]
    assert "no answer within 5 seconds" in output.getvalue()
