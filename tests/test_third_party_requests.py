"""Public pages make no request to anyone else: no fonts, avatars, analytics or scripts from other
origins. Every resource a browser would load on its own (scripts, style sheets, images, fonts, frames,
preconnects) is same-origin; links a reader may choose to follow are not requests and may go anywhere."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.makers import image_file, make_comment
from tests.pages import parse

pytestmark = pytest.mark.django_db

# Attributes through which a page makes the browser fetch something by itself.
LOADING = {
    "script": ["src"],
    "img": ["src", "srcset"],
    "source": ["src", "srcset"],
    "video": ["src", "poster"],
    "audio": ["src"],
    "track": ["src"],
    "iframe": ["src"],
    "embed": ["src"],
    "object": ["data"],
    "input": ["src"],
}
LOADING_RELS = {"stylesheet", "icon", "apple-touch-icon", "preload", "prefetch", "modulepreload", "manifest"}
CONNECTING_RELS = {"preconnect", "dns-prefetch"}


def same_origin(url):
    url = url.strip()
    return (url.startswith("/") and not url.startswith("//")) or url.startswith("http://testserver/")


def fetched_urls(response):
    page = parse(response)
    for element in page.iter():
        for attribute in LOADING.get(element.tag, []):
            value = element.attrs.get(attribute)
            if value:
                urls = [part.split()[0] for part in value.split(",")] if attribute == "srcset" else [value]
                yield from ((element.tag, url) for url in urls)
        rels = set((element.attrs.get("rel") or "").lower().split())
        if element.tag == "link" and rels & (LOADING_RELS | CONNECTING_RELS):
            yield "link", element.attrs.get("href") or ""
        style = element.attrs.get("style") or ""
        yield from ((element.tag, url) for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style))


def test_public_pages_load_nothing_from_other_origins(client, article):
    article.lead_image = image_file(size=(120, 80))
    article.lead_image_alt = "A photo"
    article.save()
    make_comment(article, "See https://elsewhere.example/page", url="https://commenter.example/")
    pages = {
        "home": "/",
        "story": article.get_absolute_url(),
        "section": article.section.get_absolute_url(),
        "privacy": reverse("privacy:page"),
    }
    seen = 0
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        for tag, fetched in fetched_urls(response):
            seen += 1
            assert same_origin(fetched), f"{name}: <{tag}> loads {fetched}"
    assert seen >= 5  # style sheets and the lead image, at least


def test_our_style_sheets_import_nothing_from_elsewhere():
    for sheet in Path(settings.BASE_DIR, "static").rglob("*.css"):
        css = sheet.read_text()
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css):
            assert same_origin(url) or not re.match(r"(https?:)?//", url), f"{sheet.name} loads {url}"
