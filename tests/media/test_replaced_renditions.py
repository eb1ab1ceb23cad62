"""A replaced lead image's renditions are deleted, on the default storage (files under MEDIA_ROOT) as in a bucket
(test_object_storage.py): after the save commits, through the storage API. Before, they stayed on disk for ever.
The original stays for the story's history; a file another story still shows keeps its renditions."""

import contextlib
from pathlib import Path

import pytest
from django.db import transaction

from articles.distribution.renditions import rendition_files
from articles.models import Article, Source
from tests.desk.forms import change_url, form_errors, opened_form
from tests.makers import image_file
from tests.syndication.commands import run

pytestmark = pytest.mark.django_db


def on_disk(settings, name):
    return (Path(settings.MEDIA_ROOT) / name).exists()


def renditions_on_disk(settings, name):
    return [file.name for file in rendition_files(name) if on_disk(settings, file.name)]


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


def replace_on_the_desk(desk, story, upload, django_capture_on_commit_callbacks):
    _, data = opened_form(desk, story)
    with django_capture_on_commit_callbacks(execute=True):
        response = desk.post(change_url(story), {**data, "lead_image": upload})
    assert response.status_code == 302, form_errors(response)
    story.refresh_from_db()
    return story


def test_replacing_the_image_on_the_desk_deletes_the_old_renditions_from_disk(
    desk, make_article, settings, django_capture_on_commit_callbacks
):
    story = make_article(lead_image=image_file("first.jpg", size=(900, 600)), lead_image_alt="A photo")
    first = story.lead_image.name
    assert len(renditions_on_disk(settings, first)) == len(rendition_files(first))
    folder = Path(settings.MEDIA_ROOT) / Path(rendition_files(first)[0].name).parent

    second_image = image_file("second.jpg", size=(900, 600))
    story = replace_on_the_desk(desk, story, second_image, django_capture_on_commit_callbacks)

    assert renditions_on_disk(settings, first) == []
    assert not folder.exists()  # no empty folder left behind
    assert on_disk(settings, first)  # the original, for the history
    second = story.lead_image.name
    assert len(renditions_on_disk(settings, second)) == len(rendition_files(second))


def test_an_image_another_story_shows_keeps_its_renditions(
    desk, make_article, settings, django_capture_on_commit_callbacks
):
    story = make_article(lead_image=image_file("shared.jpg"), lead_image_alt="A photo")
    shared = story.lead_image.name
    make_article(lead_image=shared, lead_image_alt="The same photo")  # as seed_bench shares its images

    replace_on_the_desk(desk, story, image_file("own.jpg"), django_capture_on_commit_callbacks)

    assert len(renditions_on_disk(settings, shared)) == len(rendition_files(shared))


def test_a_save_that_is_rolled_back_deletes_nothing(make_article, settings, django_capture_on_commit_callbacks):
    story = make_article(lead_image=image_file("kept.jpg"), lead_image_alt="A photo")
    kept = story.lead_image.name
    story.lead_image = ""

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        story.save()
        raise RuntimeError("the save fails after the row was written")

    assert callbacks == []
    assert Article.objects.get(pk=story.pk).lead_image.name == kept
    assert len(renditions_on_disk(settings, kept)) == len(rendition_files(kept))


def test_an_update_from_the_source_with_a_new_image_deletes_the_old_ones_renditions(
    section, feed_server, settings, django_capture_on_commit_callbacks
):
    settings.FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 2, "DOWNLOAD_SECONDS": 5}
    feed_server.serve_image("/images/harbour.jpg", size=(80, 60), fmt="JPEG")
    feed_server.serve_image("/images/ferry.png", size=(40, 30), fmt="PNG")
    feed_server.serve_image("/images/harbour-new.jpg", size=(90, 60), fmt="JPEG")
    Source.objects.create(
        name="Harbour City Courier",
        slug="courier",
        homepage="https://courier.example.com/",
        feed_url=feed_server.serve_feed("/feed.xml", "rss2.xml"),
        default_section=section,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run("courier")
    harbour = Article.objects.get(source_guid="courier-2026-0311")
    old = harbour.lead_image.name
    assert len(renditions_on_disk(settings, old)) == len(rendition_files(old))

    feed = feed_server.feed_body("rss2.xml").replace(b"/images/harbour.jpg", b"/images/harbour-new.jpg")
    feed_server.serve("/feed.xml", feed)
    with django_capture_on_commit_callbacks(execute=True):
        output = run("courier")

    assert "changed at the source (image)" in output
    harbour.refresh_from_db()
    assert harbour.lead_image.name != old and harbour.lead_image_width == 90
    assert renditions_on_disk(settings, old) == []
