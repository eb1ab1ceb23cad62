"""Only JPEG, PNG, GIF and WebP are ever read: a file in any other format is refused from its first bytes,
before Pillow runs that format's parser or decoder (PSD's and FITS's have had published vulnerabilities),
wherever an image enters: the desk's upload, a feed's image, and renditions of a stored file."""

import io
import struct

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import FitsImagePlugin, Image, PsdImagePlugin

from articles.images import NOT_AN_ACCEPTED_IMAGE
from articles.models import Article, Source
from articles.syndication.importing import source_import_feed
from tests.desk.forms import article_form, form_errors, post_article
from tests.makers import image_file

pytestmark = pytest.mark.django_db


def fits_file():
    """A valid 16×16 8-bit FITS image: 80-character header cards in a 2,880-byte block, then the pixels."""
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    2"]
    cards += ["NAXIS1  =                   16", "NAXIS2  =                   16", "END"]
    header = "".join(card.ljust(80) for card in cards).ljust(2880).encode("ascii")
    return header + bytes(range(256)).ljust(2880, b"\0")


def psd_file():
    """A valid 16×16 greyscale Photoshop file, uncompressed."""
    header = b"8BPS" + struct.pack(">H6xHIIHH", 1, 1, 16, 16, 8, 1)
    return header + struct.pack(">III", 0, 0, 0) + struct.pack(">H", 0) + bytes(range(256))


def saved_by_pillow(fmt, **options):
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), "red").save(buffer, fmt, **options)
    return buffer.getvalue()


REFUSED = {
    "FITS": fits_file,
    "PSD": psd_file,
    "TIFF": lambda: saved_by_pillow("TIFF"),
    "BMP": lambda: saved_by_pillow("BMP"),
    "ICO": lambda: saved_by_pillow("ICO"),
    "PPM": lambda: saved_by_pillow("PPM"),
    "TGA": lambda: saved_by_pillow("TGA"),
    "PCX": lambda: saved_by_pillow("PCX"),
    "SGI": lambda: saved_by_pillow("SGI"),
    "DDS": lambda: saved_by_pillow("DDS"),
    "JPEG 2000": lambda: saved_by_pillow("JPEG2000"),
    "QOI": lambda: saved_by_pillow("QOI"),
    "ICNS": lambda: saved_by_pillow("ICNS"),
    "SPIDER": lambda: saved_by_pillow("SPIDER"),
}


def test_the_hand_written_files_are_real_images_of_their_format():
    # Otherwise the refusals below would prove nothing about FITS and PSD.
    for name, make in (("FITS", fits_file), ("PSD", psd_file)):
        with Image.open(io.BytesIO(make())) as image:
            assert image.format == name
            image.load()
            assert image.size == (16, 16)


@pytest.fixture
def parsers_never_run(monkeypatch):
    """Fails the test if Pillow's FITS or PSD parser is ever called."""
    called = []

    def spy(name):
        def _open(self):
            called.append(name)
            raise AssertionError(f"the {name} parser ran")

        return _open

    monkeypatch.setattr(FitsImagePlugin.FitsImageFile, "_open", spy("FITS"))
    monkeypatch.setattr(PsdImagePlugin.PsdImageFile, "_open", spy("PSD"))
    yield
    assert called == []


def stored_files(settings):
    return [path for path in settings.MEDIA_ROOT.rglob("*") if path.is_file()] if settings.MEDIA_ROOT.exists() else []


@pytest.mark.parametrize("fmt", REFUSED)
def test_an_upload_in_another_format_named_jpg_is_refused_with_a_message(
    admin_client, section, settings, fmt, parsers_never_run
):
    upload = image_file("photo.jpg")
    upload.file = io.BytesIO(REFUSED[fmt]())
    upload.size = len(upload.file.getvalue())

    response = post_article(admin_client, article_form(section, lead_image=upload, lead_image_alt="x"))

    assert response.status_code == 200, "the form comes back"
    assert form_errors(response)["lead_image"] == [NOT_AN_ACCEPTED_IMAGE]
    assert not Article.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "GIF", "WEBP"])
def test_the_four_formats_we_publish_are_accepted(admin_client, section, fmt):
    upload = image_file(f"photo.{fmt.lower()}", size=(40, 30), fmt=fmt)
    response = post_article(admin_client, article_form(section, lead_image=upload, lead_image_alt="x"))
    assert response.status_code == 302, form_errors(response)
    assert Article.objects.get().lead_image_width == 40


@pytest.mark.parametrize("fmt", ["FITS", "PSD", "TIFF"])
def test_a_feed_image_in_another_format_is_left_out_before_it_is_decoded(
    feed_server, section, settings, fmt, parsers_never_run
):
    settings.FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 2, "DOWNLOAD_SECONDS": 5}
    feed_server.serve("/photo.jpg", REFUSED[fmt](), content_type="image/jpeg")
    feed_server.serve(
        "/feed.xml",
        f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>
<link>https://wire.example.net/</link><description>d</description>
<item><title>Pictured story</title><link>https://wire.example.net/1</link><guid>pic-1</guid>
<description>Text.</description><media:content url="{feed_server.url("/photo.jpg")}" medium="image"/></item>
</channel></rss>""".encode(),
    )
    source = Source.objects.create(
        name="Wire",
        homepage="https://wire.example.net/",
        feed_url=feed_server.url("/feed.xml"),
        default_section=section,
    )

    report = source_import_feed(source)

    story = Article.objects.get()
    assert not story.lead_image, "the story is imported, without the image"
    assert NOT_AN_ACCEPTED_IMAGE in str(report.outcomes[0])
    assert stored_files(settings) == []


def test_renditions_are_not_made_from_a_stored_file_in_another_format(make_article, settings, parsers_never_run):
    story = make_article()
    # A file put in storage without the upload's checks (before them, or by hand).
    name = default_storage.save("lead-images/old.jpg", ContentFile(fits_file()))
    Article.objects.filter(pk=story.pk).update(lead_image=name, lead_image_width=16, lead_image_height=16)

    out = io.StringIO()
    call_command("generateimages", "articles", stdout=out)

    assert f"Failed {name}: {NOT_AN_ACCEPTED_IMAGE}" in out.getvalue()
    assert [path.name for path in stored_files(settings)] == ["old.jpg"], "no rendition was written"
