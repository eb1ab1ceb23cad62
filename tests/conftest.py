"""Fixtures of the whole suite: isolation (media, page cache, the "replica" alias), the personas, stories.

Personas are members of the groups the roles migration creates (articles/migrations/0004_desk_roles.py), the
same groups the newsroom's staff are put in: `editor`, `moderator` and `reporter` ("rita"); `reader` is a plain
account; `client` is anonymous. Their password is "pw". Fixtures only one concern uses live in that package's
conftest.py (tests/comments/, tests/desk/, tests/syndication/, ...); plain helpers in tests/makers.py.
"""

import datetime
import itertools

import pytest
from django.utils import timezone

from articles.models import Article, Author, Section, Source, Tag
from pagecache import freshness
from tests.makers import make_user, member_of

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


@pytest.fixture(autouse=True)
def _jobs_run_at_once(settings):
    """Background jobs run at once, in the test's own process (django-tasks' immediate backend), as tests send mail
    synchronously; the queue's own tests put them in the database, as production does (tests/jobs/conftest.py)."""
    settings.TASKS = {
        "default": {**settings.TASKS["default"], "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }


class Queue:
    """The jobs' queue in the test database: `run()` runs what is due, here, as one `run_worker --batch` would."""

    def run(self, **options):
        from jobs.worker import Worker

        worker = Worker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=f"test-worker-{next(_counter)}",
            beat_in_background=False,
            **{"schedule": False, **options},  # periodic jobs only when a test asks for them
        )
        worker.run()
        return worker


@pytest.fixture
def queue(settings, monkeypatch):
    """Jobs in the database, as production has them (enqueued rows a worker claims); `queue.run()` runs them. The
    worker keeps the test's connection open: in a test's transaction, closing it would end the test's data."""
    from django_tasks_db.management.commands import db_worker

    from jobs import worker

    settings.TASKS = {"default": {**settings.TASKS["default"], "BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    return Queue()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """A "replica" alias mirroring the test database (Django's TEST MIRROR), for tests/pagecache/test_replica_router.py.

    Nothing reads it unless a test installs the read-replica router (pagecache/replicas.py).
    """
    from django.conf import settings

    default = settings.DATABASES["default"]
    settings.DATABASES["replica"] = {**default, "TEST": {**default.get("TEST", {}), "MIRROR": "default"}}


@pytest.fixture
def editor(django_user_model):
    """Staff in the Editor group: edits any story, publishes, corrects, shares previews; no comments."""
    return member_of(django_user_model, "editor", "Editor")


@pytest.fixture
def moderator(django_user_model):
    """Staff in the Moderator group: the comment queue, bans and unconfirmed comments; no stories."""
    return member_of(django_user_model, "moderator", "Moderator")


@pytest.fixture
def reporter(django_user_model):
    """Staff in the Reporter group: writes drafts and submits them for review; cannot publish."""
    return member_of(django_user_model, "rita", "Reporter")


@pytest.fixture
def reader(django_user_model):
    return make_user(django_user_model, "reader")


@pytest.fixture
def section(db):
    return Section.objects.create(name="News", slug="news")


@pytest.fixture
def source(db):
    return Source.objects.create(name="Wire Service", slug="wire", homepage="https://wire.example/")


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


@pytest.fixture
def add_stories(make_article, source):
    """`add_stories(count)`: that many published stories from `source`, each with an author and a tag of its own
    (for the query-count pins that must not grow with rows)."""

    def add(count):
        for n in range(count):
            author = Author.objects.create(name=f"A{n}", slug=f"a-{Author.objects.count()}")
            tag = Tag.objects.create(name=f"T{Tag.objects.count()}", slug=f"t-{Tag.objects.count()}")
            make_article(source=source, source_url=f"https://wire.example/{n}", authors=[author], tags=[tag])

    return add


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
    """A real HTTP server on 127.0.0.1 serving feeds and images (tests/syndication/feed_server.py)."""
    from tests.syndication.feed_server import FeedServer

    with FeedServer() as server:
        yield server
