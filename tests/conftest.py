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
from pagecache import freshness

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


@pytest.fixture(autouse=True)
def _fresh_page_cache(settings):
    """The page cache on, as in production, in this test's own memory (never var/cache, never another test's)."""
    settings.PAGE_CACHE_SECONDS = 600
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"pages-{next(_counter)}"},
    }
    freshness.begin_with_nothing_scheduled()  # each test starts with no stories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" alias mirroring the test database (Django's TEST MIRROR), for tests/test_replica_router.py.

    Nothing reads it unless a test installs the read-replica router (newsroom/replicas.py).
    """
    from django.conf import settings

    default = settings.DATABASES["default"]
    settings.DATABASES["replica"] = {**default, "TEST": {**default.get("TEST", {}), "MIRROR": "default"}}


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


def pytest_terminal_summary(terminalreporter):
    """Print the figures the trust tests measured (tests/figures.py), whatever the verbosity."""
    import os

    from tests import figures

    if not figures.FIGURES:
        return
    terminalreporter.section("figures")
    for line in figures.lines():
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"(also in {os.path.relpath(figures.write_report())})")


@pytest.fixture
def feed_server():
    """A real HTTP server on 127.0.0.1 serving feeds and images for the import tests (tests/feed_server.py)."""
    from tests.feed_server import FeedServer

    with FeedServer() as server:
        yield server


# --- the desk's roles: accounts in the groups the roles migration creates (articles/migrations/0004_desk_roles.py)


def member_of(django_user_model, username, group):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, f"{username}@staff.example", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def reporter(django_user_model):
    return member_of(django_user_model, "rita", "Reporter")


@pytest.fixture
def other_reporter(django_user_model):
    return member_of(django_user_model, "omar", "Reporter")


@pytest.fixture
def desk_editor(django_user_model):
    return member_of(django_user_model, "edith", "Editor")


@pytest.fixture
def desk_moderator(django_user_model):
    return member_of(django_user_model, "mo", "Moderator")
