"""The page cache on a real Redis server (REDIS_URL), shared by separate processes as app servers share it.

A page cached by this process is replaced at once when another process (here a `manage.py shell`, as
another app server or the desk would) saves the story: the clock and the marks of what changed live in Redis,
and a change to one story leaves the other stories' pages cached.
"""

import os
import shutil
import socket
import subprocess
import time

import pytest
import redis

from articles.models import Article, Section
from tests.makers import make_comment
from tests.processes import database_url_for_processes, manage

REDIS_SERVER = shutil.which("redis-server")
# Skipped only on a developer's machine without it: CI (.ci/run) installs it, and there a missing one fails.
pytestmark = pytest.mark.skipif(
    REDIS_SERVER is None and not os.environ.get("CI"), reason="needs redis-server (apt-get install redis-server)"
)

EDIT = (
    "from articles.models import Article; story = Article.objects.get(slug='council-passes-budget'); "
    "story.headline = 'Council passes amended budget'; story.save()"
)
PAGES_PREFIX = "from django.conf import settings; print(settings.CACHES['pages']['KEY_PREFIX'])"


@pytest.fixture
def redis_url(tmp_path):
    """A throwaway Redis server on a free loopback port, nothing written to disk."""
    assert REDIS_SERVER, "redis-server is not installed: apt-get install redis-server (.ci/run does)"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or server.poll() is not None:
                raise
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(timeout=10)


def run(database_url, tmp_path, redis_url, code, page_cache_seconds="600"):
    process = manage(
        database_url,
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        media_root=tmp_path / "media",
        REDIS_URL=redis_url,
        PAGE_CACHE_SECONDS=page_cache_seconds,
    )
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    return out.strip()


def share_pages_with_other_processes(settings, database_url, tmp_path, redis_url):
    """This process's page cache on the other processes' Redis, under their key prefix; the prefix."""
    prefix = run(database_url, tmp_path, redis_url, PAGES_PREFIX)
    settings.CACHES = {
        **settings.CACHES,
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": prefix,
        },
    }
    return prefix


# The other process as another app server, and as a command run with the page cache off (DEBUG=1 turns it off).
@pytest.mark.parametrize("other_page_cache_seconds", ["600", "0"])
@pytest.mark.django_db(transaction=True)
def test_a_save_in_another_process_replaces_the_page_at_once_through_redis(
    client, article, settings, redis_url, tmp_path, other_page_cache_seconds
):
    url = article.get_absolute_url()
    with database_url_for_processes(tmp_path) as database_url:
        prefix = share_pages_with_other_processes(settings, database_url, tmp_path, redis_url)
        client.get(url)
        cached = client.get(url)
        assert cached["X-Page-Cache"] == "hit"
        assert redis.Redis.from_url(redis_url).keys(f"{prefix}:*page:*")  # the page is in Redis, not in memory

        run(database_url, tmp_path, redis_url, EDIT, other_page_cache_seconds)
    # Back here (the database file copied back on SQLite): the other process's save ended the story's pages.
    assert Article.objects.get(pk=article.pk).headline == "Council passes amended budget"
    fresh = client.get(url)
    assert fresh["X-Page-Cache"] == "miss"
    assert "Council passes amended budget" in fresh.content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"


APPROVE = (
    "from articles.models import Article; from comments.models import ArticleComment; "
    "from comments import services; from django.contrib.auth import get_user_model; "
    "story = Article.objects.get(slug='harbour-team-wins'); "
    "held = ArticleComment.objects.get(comment='Held on the other story.'); "
    "services.comment_approve(comment=held, by=get_user_model().objects.create_superuser('m', 'm@example.com', 'x'))"
)


@pytest.mark.django_db(transaction=True)
def test_a_comment_approved_on_another_server_ends_that_storys_page_only(
    client, article, make_article, settings, redis_url, tmp_path
):

    # In another section: not among the first story's related stories (a page that lists it ends with it).
    other = make_article(
        headline="Harbour team wins",
        slug="harbour-team-wins",
        section=Section.objects.create(name="Sport", slug="sport"),
    )
    make_comment(other, "Held on the other story.", held=True)
    with database_url_for_processes(tmp_path) as database_url:
        share_pages_with_other_processes(settings, database_url, tmp_path, redis_url)
        for url in (article.get_absolute_url(), other.get_absolute_url()):
            client.get(url)
            assert client.get(url)["X-Page-Cache"] == "hit"

        run(database_url, tmp_path, redis_url, APPROVE)
    other_page = client.get(other.get_absolute_url())
    assert other_page["X-Page-Cache"] == "miss"
    assert "Held on the other story." in other_page.content.decode()
    assert client.get(article.get_absolute_url())["X-Page-Cache"] == "hit"


@pytest.mark.django_db
def test_pages_are_rendered_as_usual_when_redis_is_away(client, article, settings):
    # Nothing listens on port 9: every cache call fails, the page is rendered and nothing is stored.
    settings.CACHES = {
        **settings.CACHES,
        "pages": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    for _ in range(2):
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200
        assert "Council passes budget" in response.content.decode()
