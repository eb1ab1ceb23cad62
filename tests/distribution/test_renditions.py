"""Responsive lead images: renditions made once on save by django-imagekit, served through <picture>."""

import io
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from articles.distribution.renditions import CARD_SIZES, FORMATS, LEAD_WIDTHS, fitted_size
from tests.makers import image_file
from tests.pages import parse

pytestmark = pytest.mark.django_db

EXTENSIONS = {"AVIF": ".avif", "WEBP": ".webp", "JPEG": ".jpg"}


@pytest.fixture(autouse=True)
def _forget_renditions_made_by_other_tests():
    # imagekit remembers in the cache which renditions exist; each test has its own MEDIA_ROOT.
    cache.clear()


def rendition_files(settings):
    cache = Path(settings.MEDIA_ROOT) / "CACHE"
    return sorted(cache.rglob("*.*")) if cache.exists() else []


def open_media(settings, url):
    return Image.open(Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL))


def test_this_pillow_makes_webp_and_the_formats_are_best_first():
    assert FORMATS[-2:] == ["WEBP", "JPEG"]
    assert FORMATS[0] in ("AVIF", "WEBP")


def test_saving_a_lead_image_makes_every_rendition_once_in_the_right_sizes_and_formats(make_article, settings):
    story = make_article(lead_image=image_file(size=(1600, 900)), lead_image_alt="A harbour")

    files = rendition_files(settings)
    assert len(files) == len(FORMATS) * (len(LEAD_WIDTHS) + len(CARD_SIZES))
    sizes = {}
    for path in files:
        with Image.open(path) as image:
            assert path.suffix == EXTENSIONS[image.format]
            sizes.setdefault(image.format, set()).add(image.size)
            assert "exif" not in image.info  # no camera or GPS metadata goes out
    expected = {(w, 900 * w // 1600) for w in LEAD_WIDTHS} | set(CARD_SIZES)
    assert sizes == dict.fromkeys(FORMATS, expected)

    # Saving the story again, image unchanged, makes nothing new.
    before = {path: path.stat().st_mtime_ns for path in files}
    story.headline = "A new headline"
    story.save()
    assert {path: path.stat().st_mtime_ns for path in rendition_files(settings)} == before


def test_the_story_page_serves_a_picture_with_modern_formats_and_a_jpeg_fallback(client, make_article, settings):
    story = make_article(lead_image=image_file(size=(1000, 500)), lead_image_alt="A harbour at dawn")

    picture = parse(client.get(story.get_absolute_url())).find("figure").find("picture")

    sources = picture.find_all("source")
    assert [source.attrs["type"] for source in sources] == [f"image/{name.lower()}" for name in FORMATS[:-1]]
    img = picture.find("img")
    assert img.attrs["alt"] == "A harbour at dawn"
    assert "loading" not in img.attrs  # above the fold: never lazy
    assert (img.attrs["width"], img.attrs["height"]) == ("800", "400")
    widths = [entry.split()[1] for entry in img.attrs["srcset"].split(", ")]
    assert widths == ["480w", "800w", "1000w"]  # none wider than the original
    assert img.attrs["sizes"] == sources[0].attrs["sizes"]
    for source in sources:
        assert [entry.split()[1] for entry in source.attrs["srcset"].split(", ")] == widths
    # Every address points at a file of that width and format.
    for element, name in [*zip(sources, FORMATS, strict=False), (img, "JPEG")]:
        for entry in element.attrs["srcset"].split(", "):
            url, width = entry.split()
            with open_media(settings, url) as image:
                assert (image.format, f"{image.width}w") == (name, width)
    with open_media(settings, img.attrs["src"]) as image:
        assert image.size == (800, 400)


def test_the_sizes_we_announce_are_the_sizes_imagekit_makes(client, make_article, settings):
    story = make_article(lead_image=image_file(size=(1201, 799)), lead_image_alt="An awkward size")

    img = parse(client.get(story.get_absolute_url())).find("figure").find("img")

    for entry in img.attrs["srcset"].split(", "):
        url, width = entry.split()
        with open_media(settings, url) as image:
            assert image.size == fitted_size(1201, 799, int(width.removesuffix("w")))
    with open_media(settings, img.attrs["src"]) as image:
        assert image.size == (int(img.attrs["width"]), int(img.attrs["height"]))


def test_list_cards_are_lazy_below_the_first_and_reserve_their_box(client, make_article):
    for _ in range(3):
        make_article(lead_image=image_file(), lead_image_alt="A photo")

    images = [
        card.find("img") for card in parse(client.get(reverse("articles:home"))).find_all("article", class_="card")
    ]

    assert [img.attrs.get("loading") for img in images] == [None, "lazy", "lazy"]
    for img in images:
        assert (img.attrs["width"], img.attrs["height"]) == ("320", "180")
        assert [entry.split()[1] for entry in img.attrs["srcset"].split(", ")] == ["320w", "640w"]
        assert img.attrs["alt"] == ""


def test_pages_never_make_or_check_renditions(client, make_article, settings):
    story = make_article(lead_image=image_file(size=(900, 600)), lead_image_alt="A photo")
    files = rendition_files(settings)
    for path in files:
        path.unlink()  # if a page rendered or checked renditions, they would come back

    assert client.get(story.get_absolute_url()).status_code == 200
    assert client.get("/").status_code == 200
    assert rendition_files(settings) == []


def test_a_file_cut_short_is_refused_with_a_clear_error_rather_than_failing_its_renditions(admin_client, section):
    from tests.desk.forms import article_form

    buffer = io.BytesIO()
    Image.effect_mandelbrot((800, 600), (-2, -1.5, 1, 1.5), 100).convert("RGB").save(buffer, "JPEG")
    data = buffer.getvalue()[: len(buffer.getvalue()) * 4 // 5]  # passes Pillow's verify(), fails decoding
    truncated = SimpleUploadedFile("cut.jpg", data, content_type="image/jpeg")

    response = admin_client.post(
        reverse("admin:articles_article_add"),
        article_form(section, lead_image=truncated, lead_image_alt="Broken"),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["lead_image"]
    assert errors == ["This file is not an image we can read (JPEG, PNG, GIF or WebP)."]


def test_a_decompression_bomb_is_refused_before_it_is_decoded(admin_client, section):
    from tests.desk.forms import article_form

    bomb = image_file(size=(10_000, 6_000), fmt="PNG")  # 60 megapixels of one colour: a small file
    response = admin_client.post(
        reverse("admin:articles_article_add"), article_form(section, lead_image=bomb, lead_image_alt="Huge")
    )
    assert response.status_code == 200
    assert "too large to publish" in response.context["adminform"].form.errors["lead_image"][0]


def test_a_photo_stored_on_its_side_is_turned_upright_and_announced_at_its_upright_size(client, make_article, settings):
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # a GPS position
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 1200), "green").save(buffer, "JPEG", exif=exif)
    upload = SimpleUploadedFile("portrait.jpg", buffer.getvalue(), content_type="image/jpeg")

    story = make_article(lead_image=upload, lead_image_alt="A portrait")

    assert (story.lead_image_width, story.lead_image_height) == (1200, 1600)
    img = parse(client.get(story.get_absolute_url())).find("figure").find("img")
    assert (img.attrs["width"], img.attrs["height"]) == ("800", "1067")
    with open_media(settings, img.attrs["src"]) as image:
        assert image.size == (800, 1067)
        assert not image.getexif()  # neither the orientation nor the GPS position goes out
