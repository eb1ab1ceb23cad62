"""The object store down (a SeaweedFS of the test's own, stopped): a story saved on the desk with a new image comes
back as the form the editor sent, text and all, saying what happened, and nothing of it is saved; a save that needs
no upload goes through; an imported story comes in without its image and gets it on a run after the store is back.
"""

import io
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from articles.media import STORE_DOWN, STORE_DOWN_RESTORE
from articles.models import Article, Source
from articles.syndication.importing import IMAGE_OWED
from tests.desk.forms import article_form, change_url, form_errors, opened_form, post_article
from tests.media.conftest import use_store
from tests.syndication.commands import run

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def photo(name="harbour.jpg", colour=(20, 90, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 360), colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def test_a_story_saved_with_a_new_image_while_the_store_is_down_comes_back_as_typed(
    desk, section, settings, store_to_stop, caplog
):
    bucket = use_store(settings, store_to_stop.url)
    response = post_article(desk, article_form(section, lead_image=photo("first.jpg"), lead_image_alt="Boats"))
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get()
    stored = story.lead_image.name
    _, data = opened_form(desk, story)
    store_to_stop.stop()

    typed = {
        "headline": "Harbour reopens after the storm",
        "dek": "Ferries run again from Monday.",
        "body": "<p>Every word the editor wrote in the last hour.</p>",
        "lead_image_alt": "The first ferry leaving",
        "lead_image_caption": "Monday, 6 a.m.",
    }
    with caplog.at_level(logging.WARNING, logger="articles.desk.admin"):
        response = desk.post(change_url(story), {**data, **typed, "lead_image": photo("second.jpg")})

    # A clear answer, not a traceback: 503 (the store is a part the save needs), the form and what went wrong.
    assert response.status_code == 503
    page = response.content.decode()
    assert "Traceback" not in page
    assert form_errors(response)["lead_image"] == [STORE_DOWN]
    assert "Please correct the error below." in page
    # Everything typed is on the page to save again ...
    form = response.context["adminform"].form
    for name, value in typed.items():
        assert form[name].value() == value, name
    # ... and nothing of it was saved: not the text, not a revision, not the image.
    story.refresh_from_db()
    assert story.headline == "Harbour reopens" and story.lead_image.name == stored
    assert "the media store failed" in caplog.text

    # Without a new image nothing needs the store: the same text saves while it is still down.
    _, data = opened_form(desk, story)
    response = desk.post(change_url(story), {**data, **typed})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert story.headline == typed["headline"] and story.lead_image.name == stored
    # The page still shows the image: its addresses are computed, nothing asks the store.
    assert bucket.media_url in desk.get(change_url(story)).content.decode()


def test_a_new_story_with_an_image_while_the_store_is_down_is_not_half_saved(desk, section, settings, store_to_stop):
    use_store(settings, store_to_stop.url)
    store_to_stop.stop()

    response = post_article(
        desk,
        article_form(
            section,
            headline="Storm closes the harbour",
            lead_image=photo(),
            lead_image_alt="Waves",
            _workflow="publish",
        ),
    )

    assert response.status_code == 503
    assert form_errors(response)["lead_image"] == [STORE_DOWN]
    assert response.context["adminform"].form["headline"].value() == "Storm closes the harbour"
    assert not Article.objects.exists()


def test_removing_an_image_while_the_store_is_down_saves_the_story_and_keeps_its_files(
    desk, section, settings, store_to_stop, django_capture_on_commit_callbacks, caplog
):
    use_store(settings, store_to_stop.url)
    response = post_article(desk, article_form(section, lead_image=photo(), lead_image_alt="Boats"))
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get()
    _, data = opened_form(desk, story)
    store_to_stop.stop()

    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        response = desk.post(change_url(story), {**data, "lead_image-clear": "on"})

    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    assert not story.lead_image
    # Only the deletion of the old renditions, after the commit, failed: said in the log, harmless.
    assert "Could not delete the renditions of" in caplog.text


def test_restoring_a_revision_with_another_image_while_the_store_is_down_changes_nothing_and_says_why(
    desk, section, settings, store_to_stop
):
    use_store(settings, store_to_stop.url)
    response = post_article(desk, article_form(section, lead_image=photo("first.jpg"), lead_image_alt="Boats"))
    assert response.status_code == 302, form_errors(response)
    story = Article.objects.get()
    _, data = opened_form(desk, story)
    response = desk.post(change_url(story), {**data, "headline": "Later", "lead_image": photo("second.jpg")})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    second = story.lead_image.name
    store_to_stop.stop()

    oldest = Version.objects.get_for_object(story).order_by("pk").first()
    response = desk.post(reverse("admin:articles_article_restore", args=[story.pk, oldest.pk]), follow=True)

    assert response.status_code == 200
    assert f"Not restored: {STORE_DOWN_RESTORE}" in [str(message) for message in response.context["messages"]]
    story.refresh_from_db()
    assert (story.headline, story.lead_image.name) == ("Later", second)


@pytest.fixture
def courier(section, feed_server, settings):
    """The source of the import tests (tests/syndication/feeds/rss2.xml: two of its three entries have images), its
    feed and images on the feed server on 127.0.0.1."""
    settings.FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 2, "DOWNLOAD_SECONDS": 5}
    feed_server.serve_image("/images/harbour.jpg", size=(80, 60), fmt="JPEG")
    feed_server.serve_image("/images/ferry.png", size=(40, 30), fmt="PNG")
    return Source.objects.create(
        name="Harbour City Courier",
        slug="courier",
        homepage="https://courier.example.com/",
        feed_url=feed_server.url("/feed.xml"),
        default_section=section,
    )


def test_an_import_while_the_store_is_down_brings_the_stories_in_and_their_images_once_it_is_back(
    courier, feed_server, settings, store_to_stop, object_store
):
    use_store(settings, store_to_stop.url)
    store_to_stop.stop()
    # The feed says when it changed: the run that owes images must not be told "unchanged" next time.
    feed_server.serve_feed("/feed.xml", "rss2.xml", etag='"v1"')

    output = run("courier")

    assert "3 created, 0 updated, 0 flagged, 0 skipped, 0 failed" in output
    harbour = Article.objects.get(source_guid="courier-2026-0311")
    assert not harbour.lead_image  # the story is in, its text whole
    assert harbour.body.startswith("<p>Councillors backed the <strong>harbour expansion</strong>")
    assert harbour.source_entry[IMAGE_OWED] == ""
    assert f"created #{harbour.pk} “{harbour.headline}”: draft; imported without its image (http://127.0.0.1:" in output
    assert "the media store could not be reached; the next run tries again" in output
    assert Source.objects.get(pk=courier.pk).feed_http_cache.get("etag") != '"v1"'

    # The store is back (the address the site is given answers again): the next run stores the images.
    bucket = use_store(settings, object_store)
    output = run("courier")

    assert "0 created, 2 updated, 0 flagged, 1 skipped, 0 failed" in output
    assert "its image stored (the media store could not take it before)" in output
    harbour.refresh_from_db()
    assert harbour.lead_image.name in bucket.objects()
    assert (harbour.lead_image_width, harbour.lead_image_height) == (80, 60)
    assert harbour.lead_image_alt == harbour.headline and harbour.lead_image_credit == "Courier photo"
    assert IMAGE_OWED not in harbour.source_entry
    assert len([key for key in bucket.objects() if key.startswith("CACHE/")]) > 0  # its renditions too
    # Nothing is owed any more: the feed's validators are kept, and the next run is told it is unchanged.
    assert "unchanged since the last fetch" in run("courier")
