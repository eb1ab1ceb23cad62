"""Media in an S3-compatible bucket (MEDIA_STORAGE_URL), on a real SeaweedFS server on loopback (scripts/s3): a lead
image uploaded on the desk lands in the bucket with every rendition, pages point at the bucket or the CDN in front of
it, a replaced image's renditions are deleted from it, and a refused file stores nothing there."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from reversion.models import Version

from articles.distribution.renditions import CARD_SIZES, FORMATS, LEAD_WIDTHS
from articles.images import NOT_AN_ACCEPTED_IMAGE
from articles.models import Article
from tests.desk.forms import article_form, change_url, form_errors, opened_form, post_article
from tests.makers import image_file
from tests.media.conftest import public_get, use_store
from tests.pages import parse

pytestmark = pytest.mark.django_db

RENDITIONS = len(FORMATS) * (len(LEAD_WIDTHS) + len(CARD_SIZES))
EXTENSIONS = {"AVIF": ".avif", "WEBP": ".webp", "JPEG": ".jpg"}


@pytest.fixture
def desk(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the request's commit (deleting a replaced image's renditions), as in production."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def photo(name="harbour.jpg", size=(1600, 900), colour=(20, 90, 160)):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def publish_with_image(desk, section, upload, **fields):
    response = post_article(
        desk, article_form(section, lead_image=upload, lead_image_alt="Boats at dawn", _workflow="publish", **fields)
    )
    assert response.status_code == 302, form_errors(response)
    return Article.objects.get(slug=fields.get("slug", "harbour-reopens"))


def renditions_of(keys, original):
    folder = "CACHE/images/" + original.rsplit(".", 1)[0] + "/"
    return [key for key in keys if key.startswith(folder)]


def test_an_upload_on_the_desk_lands_in_the_bucket_with_every_rendition(desk, section, bucket):
    upload = photo()
    chosen = upload.read()
    upload.seek(0)
    story = publish_with_image(desk, section, upload)

    keys = bucket.objects()
    original = story.lead_image.name
    assert original.startswith("lead-images/") and original in keys
    assert bucket.read(original) == chosen  # the very bytes the editor chose
    renditions = renditions_of(keys, original)
    assert len(renditions) == RENDITIONS and len(keys) == 1 + RENDITIONS
    made = {}
    for key in renditions:
        with Image.open(io.BytesIO(bucket.read(key))) as image:
            assert key.endswith(EXTENSIONS[image.format])
            made.setdefault(image.format, set()).add(image.size)
    assert made == dict.fromkeys(FORMATS, {(w, 900 * w // 1600) for w in LEAD_WIDTHS} | set(CARD_SIZES))


def test_the_story_page_points_at_the_bucket_and_readers_get_the_images_from_it(desk, section, bucket, client):
    story = publish_with_image(desk, section, photo(size=(1000, 500)))
    client.logout()

    picture = parse(client.get(story.get_absolute_url())).find("figure").find("picture")

    addresses = [picture.find("img").attrs["src"]]
    for element in [*picture.find_all("source"), picture.find("img")]:
        addresses += [entry.split()[0] for entry in element.attrs["srcset"].split(", ")]
    assert bucket.media_url.startswith("http://127.0.0.1:") and bucket.media_url.endswith(f"/media/{bucket.prefix}/")
    for url in addresses:
        assert url.startswith(bucket.media_url), url
        status, content_type, body = public_get(url)  # anonymously, as a reader's browser
        assert status == 200, url
        assert content_type == f"image/{Image.open(io.BytesIO(body)).format.lower()}"
    status, _, body = public_get(picture.find("img").attrs["src"])
    assert Image.open(io.BytesIO(body)).size == (800, 400)


def test_a_cdn_in_front_of_the_bucket_is_where_pages_point(desk, section, object_store, settings, client):
    bucket = use_store(settings, object_store, custom_domain="media.newsroom.example")
    story = publish_with_image(desk, section, photo())
    client.logout()

    page = parse(client.get(story.get_absolute_url()))

    src = page.find("figure").find("img").attrs["src"]
    assert bucket.media_url == f"https://media.newsroom.example/{bucket.prefix}/"
    assert src.startswith(bucket.media_url)
    # The CDN's path is the object's key: the CDN fetches it from the bucket.
    assert src.removeprefix(bucket.media_url) in bucket.objects()
    card = page.find("meta", property="og:image")
    assert card.attrs["content"].startswith(bucket.media_url)  # share cards too


def test_replacing_the_image_deletes_the_old_renditions_and_a_restored_revision_gets_them_back(
    desk, section, bucket, committed
):
    story = publish_with_image(desk, section, photo("first.jpg", colour=(200, 30, 30)))
    first = story.lead_image.name
    assert len(renditions_of(bucket.objects(), first)) == RENDITIONS

    _, data = opened_form(desk, story)
    with committed():
        response = desk.post(change_url(story), {**data, "lead_image": photo("second.jpg", colour=(30, 200, 30))})
    assert response.status_code == 302, form_errors(response)

    story.refresh_from_db()
    second = story.lead_image.name
    keys = bucket.objects()
    assert renditions_of(keys, first) == []
    assert len(renditions_of(keys, second)) == RENDITIONS
    # The first original stays: the story's history can bring it back ...
    assert first in keys and second in keys

    oldest = Version.objects.get_for_object(story).order_by("pk").first()
    with committed():
        response = desk.post(reverse("admin:articles_article_restore", args=[story.pk, oldest.pk]))
    assert response.status_code == 302

    # ... and then its renditions are made again, and the second image's go.
    story.refresh_from_db()
    assert story.lead_image.name == first
    keys = bucket.objects()
    assert len(renditions_of(keys, first)) == RENDITIONS
    assert renditions_of(keys, second) == []


def test_removing_the_image_deletes_its_renditions(desk, section, bucket, committed):
    story = publish_with_image(desk, section, photo())
    _, data = opened_form(desk, story)

    with committed():
        response = desk.post(change_url(story), {**data, "lead_image-clear": "on", "lead_image_alt": ""})

    assert response.status_code == 302, form_errors(response)
    assert bucket.objects() == [story.lead_image.name]  # the original alone, for the history


@pytest.mark.parametrize(
    "upload",
    [
        pytest.param(lambda: image_file("scan.tif", fmt="TIFF"), id="a TIFF"),
        pytest.param(lambda: SimpleUploadedFile("notes.jpg", b"%PDF-1.7 not a picture"), id="a PDF named .jpg"),
    ],
)
def test_a_refused_file_stores_nothing_in_the_bucket(desk, section, bucket, upload):
    response = post_article(desk, article_form(section, lead_image=upload(), lead_image_alt="A scan"))

    assert response.status_code == 200
    assert form_errors(response)["lead_image"] == [NOT_AN_ACCEPTED_IMAGE]  # the same check as on disk
    assert not Article.objects.exists()
    assert bucket.objects() == []
