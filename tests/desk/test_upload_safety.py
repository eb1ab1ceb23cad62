"""Hostile uploads through the desk's story form: a damaged image, a decompression bomb, things that
are not images but say they are, and a huge file are each refused with a message on the form —
no 500, nothing saved, nothing left in storage."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from articles.models import Article
from tests import figures
from tests.desk.forms import article_form, form_errors, post_article

pytestmark = pytest.mark.django_db


def jpeg_bytes(size=(800, 600)):
    buffer = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(image):
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, content, content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def truncated_jpeg():
    data = jpeg_bytes()
    return upload("cut-short.jpg", data[: len(data) // 2])


def bomb_png(width, height):
    # Black pixels compress to almost nothing: megapixels on the page, kilobytes on disk.
    data = png_bytes(Image.new("1", (width, height)))
    assert len(data) < 100_000
    return upload("bomb.png", data, "image/png")


HOSTILE = {
    "a JPEG cut short": (truncated_jpeg, "image"),
    "a JPEG with its middle overwritten": (
        lambda: upload("garbled.jpg", (lambda d: d[:200] + b"\xff" * 4000 + d[4200:])(jpeg_bytes())),
        "image",
    ),
    # Over Pillow's own guard (twice our 50-megapixel limit): Pillow refuses to open it at all.
    "a decompression bomb, 400 megapixels": (lambda: bomb_png(20_000, 20_000), "decompression bomb guard"),
    # Under Pillow's guard, over ours: refused before anything decodes it.
    "a decompression bomb, 64 megapixels": (lambda: bomb_png(8_000, 8_000), "8000×8000 pixels, too large to publish"),
    "an SVG with a script, named .png": (
        lambda: upload("x.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/png"),
        "not an image",
    ),
    "an HTML page named .jpg": (lambda: upload("x.jpg", b"<html><script>alert(1)</script></html>"), "not an image"),
    "a PDF named .jpg": (lambda: upload("x.jpg", b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF"), "not an image"),
    "an empty file": (lambda: upload("empty.jpg", b""), "empty"),
    "a huge file (11 MB)": (lambda: upload("huge.jpg", jpeg_bytes() + b"\0" * (11 * 1024 * 1024)), "the limit is 10"),
}


@pytest.mark.parametrize("kind", HOSTILE)
def test_hostile_uploads_are_refused_with_a_message(admin_client, section, settings, kind):
    make_file, message = HOSTILE[kind]
    response = post_article(admin_client, article_form(section, lead_image=make_file(), lead_image_alt="x"))

    figures.count("Uploads", "hostile_files_tried")
    assert response.status_code == 200, "the form comes back"
    errors = form_errors(response)["lead_image"]
    assert any(message in error for error in errors), errors
    figures.count("Uploads", "refused_with_a_message")
    assert not Article.objects.exists()
    assert not (settings.MEDIA_ROOT / "lead-images").exists() or not any(
        (settings.MEDIA_ROOT / "lead-images").rglob("*")
    )
