"""Shared personas and makers for the whole suite.

Personas: `editor` (staff, may change stories), `moderator` (staff, may only moderate
comments), `reader` (plain account), and the anonymous client.
"""

import datetime
import io
import itertools

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, Author, Section, Source, Tag

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.ALLOWED_HOSTS = ["testserver", "localhost"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(django_user_model, username, *perms, **extra):
    user = django_user_model.objects.create_user(username, f"{username}@staff.example", "pw", **extra)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


@pytest.fixture
def editor(django_user_model):
    return make_user(
        django_user_model,
        "editor",
        "articles.view_article",
        "articles.change_article",
        "articles.add_article",
        is_staff=True,
    )


@pytest.fixture
def moderator(django_user_model):
    return make_user(
        django_user_model,
        "moderator",
        "django_comments.can_moderate",
        "comments.view_articlecomment",
        is_staff=True,
    )


@pytest.fixture
def reader(django_user_model):
    return make_user(django_user_model, "reader")


@pytest.fixture
def section(db):
    return Section.objects.create(name="News", slug="news")


@pytest.fixture
def source(db):
    return Source.objects.create(name="Wire Service", slug="wire", homepage="https://wire.example/")


def image_file(name="photo.jpg", size=(64, 48), fmt="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


@pytest.fixture
def make_article(db, section):
    """Make a story; published one hour ago unless told otherwise."""

    def make(**fields):
        n = next(_counter)
        fields.setdefault("headline", f"Story number {n}")
        fields.setdefault("slug", f"story-{n}")
        fields.setdefault("section", section)
        fields.setdefault("body", f"<p>Body of story {n}.</p>")
        fields.setdefault("status", Article.Status.PUBLISHED)
        if fields["status"] in Article.LIVE_STATUSES:
            fields.setdefault("published_at", timezone.now() - datetime.timedelta(hours=1))
        authors = fields.pop("authors", [])
        tags = fields.pop("tags", [])
        article = Article.objects.create(**fields)
        article.authors.set(authors)
        article.tags.set(tags)
        return article

    return make


@pytest.fixture
def article(make_article, source):
    author = Author.objects.create(name="Jane Reporter", slug="jane-reporter")
    tag = Tag.objects.create(name="Budget", slug="budget")
    return make_article(
        headline="Council passes budget",
        slug="council-passes-budget",
        dek="The vote was close.",
        source=source,
        source_url="https://wire.example/2026/council-budget",
        authors=[author],
        tags=[tag],
    )


def comment_form_data(article, *, seconds_ago=60, **fields):
    """A filled-in "Leave a Reply" form for `article`, as if loaded `seconds_ago` (the form refuses bots' speed)."""
    import time

    from django_comments import get_form

    form = get_form()(article)
    timestamp = str(int(time.time()) - seconds_ago)
    data = {
        "content_type": "articles.article",
        "object_pk": str(article.pk),
        "timestamp": timestamp,
        "security_hash": form.generate_security_hash("articles.article", str(article.pk), timestamp),
        "reply_to": "0",
        "honeypot": "",
        "name": "Pat Reader",
        "email": "pat@example.com",
        "url": "",
        "comment": "A thoughtful comment.",
    }
    data.update({key: str(value) for key, value in fields.items() if value is not None and value is not False})
    return data
