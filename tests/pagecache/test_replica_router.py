"""Read replicas (pagecache/replicas.py): anonymous readers' public pages read from a replica, everything else,
and everyone who just wrote, from the primary.

The suite's "replica" alias mirrors the test database (tests/conftest.py), so the tests record which connection
answered each query. They commit for real (transaction=True): the replica's connection sees only committed rows.
"""

import datetime
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from articles.models import Article, Section
from comments.models import ArticleComment
from newsroom.settings import replica_database
from pagecache import freshness, keys
from pagecache.replicas import ReplicaReadsMiddleware
from tests.desk.forms import post_story
from tests.makers import comment_form_data, make_comment
from tests.processes import BASE_DIR, SETTINGS_VARIABLES

# Real commits, so that the replica's connection sees the rows.
in_both_databases = pytest.mark.django_db(transaction=True, databases=["default", "replica"])
LAG = 5
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/comments/confirm/[^/\s]+/)")


@pytest.fixture
def replicas(settings):
    """The router and its middleware installed as DATABASE_REPLICA_URL installs them, with the mirror as replica."""
    settings.DATABASE_REPLICAS = ["replica"]
    settings.REPLICA_LAG_SECONDS = LAG
    settings.DATABASE_ROUTERS = ["pagecache.replicas.ReplicaRouter"]
    settings.MIDDLEWARE = ["pagecache.replicas.ReplicaReadsMiddleware", *settings.MIDDLEWARE]


@pytest.fixture
def clock(time_machine):
    """The test's clock, stopped; `settle()` lets the replicas' lag pass, as if they had caught up."""
    time_machine.move_to(timezone.now(), tick=False)

    def settle():
        time_machine.shift(datetime.timedelta(seconds=LAG + 1))

    return SimpleNamespace(settle=settle)


@contextmanager
def answered():
    """Count the queries each database answers inside the block."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        counts = SimpleNamespace()
        yield counts
    counts.primary, counts.replica = len(primary), len(replica)


def get(browser, url):
    with answered() as counts:
        response = browser.get(url)
    return response, counts


# --- anonymous readers' public pages -----------------------------------------------------------------------


@in_both_databases
@pytest.mark.parametrize("page", ["story", "/", "/news/", "/search/?q=budget", "/feeds/rss/", "/api/stories/"])
def test_an_anonymous_readers_public_page_is_read_from_the_replica_alone(replicas, clock, article, page):
    url = article.get_absolute_url() if page == "story" else page
    clock.settle()

    response, counts = get(Client(), url)

    assert response.status_code == 200
    assert "Council passes" in response.content.decode()
    assert counts.primary == 0 and counts.replica > 0


@in_both_databases
def test_a_page_served_from_the_page_cache_reads_nothing(replicas, clock, article):
    clock.settle()
    reader = Client()
    assert get(reader, article.get_absolute_url())[0]["X-Page-Cache"] == "miss"

    response, counts = get(reader, article.get_absolute_url())

    assert response["X-Page-Cache"] == "hit"
    assert (counts.primary, counts.replica) == (0, 0)


# --- writes, and whoever just wrote ----------------------------------------------------------------------


@in_both_databases
def test_a_commenter_reads_from_the_primary_from_posting_until_long_after(replicas, clock, article, mailoutbox):
    clock.settle()
    commenter, stranger = Client(), Client()

    with answered() as posting:
        response = commenter.post(reverse("comments:post"), comment_form_data(article, comment="First!"))
    assert response.status_code == 200  # "check your email"
    assert posting.replica == 0 and posting.primary > 0

    confirm_url = CONFIRM_LINK.search(mailoutbox[0].body)[1]
    response, confirming = get(commenter, confirm_url)
    assert response.status_code in (200, 302)
    assert confirming.replica == 0 and confirming.primary > 0
    assert ArticleComment.objects.filter(comment="First!").exists()

    # The comment is theirs to edit (own_comments): their pages come from the primary, whatever a replica lags.
    clock.settle()
    response, reading = get(commenter, article.get_absolute_url())
    assert response.status_code == 200
    assert reading.replica == 0 and reading.primary > 0
    # Everyone else is back on the replica once the change had time to reach it.
    response, others = get(stranger, article.get_absolute_url())
    assert others.primary == 0 and others.replica > 0


@in_both_databases
def test_signed_in_staff_read_only_from_the_primary(replicas, clock, client, editor_by_permissions, article):
    client.force_login(editor_by_permissions)
    clock.settle()

    for url in (article.get_absolute_url(), "/", reverse("admin:articles_article_changelist")):
        response, counts = get(client, url)
        assert response.status_code == 200, url
        assert counts.replica == 0 and counts.primary > 0, url


@in_both_databases
def test_after_a_publish_every_reader_reads_from_the_primary_until_the_replicas_caught_up(
    replicas, clock, client, admin_user, make_article
):
    draft = make_article(status=Article.Status.DRAFT, headline="Harbour reopens", slug="harbour-reopens")
    clock.settle()
    reader = Client()
    assert get(reader, "/")[1].replica > 0

    client.force_login(admin_user)
    with answered() as publishing:
        assert post_story(client, draft, _workflow="publish").status_code == 302
    assert publishing.replica == 0

    # Within the lag, a page rendered from a replica could miss the story and be cached under the new generation.
    response, counts = get(reader, "/")
    assert response["X-Page-Cache"] == "miss"
    assert "Harbour reopens" in response.content.decode()
    assert counts.replica == 0 and counts.primary > 0
    clock.settle()
    assert get(reader, "/")[0]["X-Page-Cache"] == "hit"  # the page stored from the primary
    response, counts = get(reader, "/news/")
    assert "Harbour reopens" in response.content.decode()
    assert counts.primary == 0 and counts.replica > 0


@in_both_databases
def test_a_comment_on_one_story_sends_only_that_storys_pages_to_the_primary(replicas, clock, article, make_article):
    quiet = make_article(
        headline="Harbour team wins",
        slug="harbour-team-wins",
        section=Section.objects.create(name="Sport", slug="sport"),
    )
    reader = Client()
    for url in (article.get_absolute_url(), quiet.get_absolute_url()):
        get(reader, url)  # rendered once: the page cache knows what each shows
    Article.objects.filter(pk=quiet.pk).update(headline="Harbour team wins again")
    freshness.end({keys.story(quiet.pk)})  # an edit long ago: its page is to be rendered again
    clock.settle()

    make_comment(article, "A new comment on the busy story.")  # published at once, committed

    response, busy = get(reader, article.get_absolute_url())
    assert "A new comment on the busy story." in response.content.decode()
    assert busy.replica == 0 and busy.primary > 0  # within the lag, and its page shows what changed
    response, other = get(reader, quiet.get_absolute_url())
    assert response["X-Page-Cache"] == "miss" and "Harbour team wins again" in response.content.decode()
    assert other.primary == 0 and other.replica > 0  # nothing it shows changed lately


@in_both_databases
def test_a_lost_page_cache_state_sends_reads_to_the_primary(replicas, clock, article):
    clock.settle()
    freshness.forget()  # evicted, the cache server restarted, or a server started: a change may be under way

    response, counts = get(Client(), article.get_absolute_url())

    assert response.status_code == 200
    assert counts.replica == 0 and counts.primary > 0


@in_both_databases
def test_with_the_page_cache_off_a_replica_serves_at_once(replicas, clock, settings, make_article):
    """Nothing is stored: a lagging replica delays a change by its lag, and no longer (README, its limits)."""
    settings.PAGE_CACHE_SECONDS = 0
    make_article(headline="Harbour reopens")

    response, counts = get(Client(), "/")

    assert "Harbour reopens" in response.content.decode()
    assert counts.primary == 0 and counts.replica > 0


# --- the router's rules, in a request as the middleware marks it --------------------------------------------


def in_request(body, url="/", method="get", cookies=None):
    """Run `body` as the view of a request marked by the middleware, and return what it returned."""
    request = getattr(RequestFactory(), method)(url)
    request.COOKIES.update(cookies or {})
    request.resolver_match = resolve(url.split("?")[0])
    seen = []

    def view(request):
        middleware.process_view(request, None, (), {})
        seen.append(body())
        return HttpResponse()

    middleware = ReplicaReadsMiddleware(view)
    middleware(request)
    return seen[0]


@in_both_databases
def test_a_public_request_reads_from_the_primary_inside_a_transaction_and_after_any_write(replicas, clock, section):
    clock.settle()

    def body():
        seen = [Article.objects.all().db]
        with transaction.atomic():
            seen.append(Article.objects.all().db)
        seen.append(Article.objects.all().db)
        Section.objects.get_or_create(slug="news", defaults={"name": "News"})  # may write, so it is a write
        seen.append(Article.objects.all().db)
        return seen

    assert in_request(body) == ["replica", "default", "replica", "default"]


@in_both_databases
def test_select_for_update_reads_from_the_primary(replicas, clock, article):
    clock.settle()

    def body():
        with transaction.atomic():
            locked = Article.objects.select_for_update().get(pk=article.pk)
        return locked._state.db, Article.objects.all().db

    assert in_request(body) == ("default", "default")


@in_both_databases
@pytest.mark.parametrize(
    "url, method, cookies",
    [
        ("/", "post", None),  # not a read
        ("/", "get", {"sessionid": "x"}),  # signed in
        ("/", "get", {"messages": "x"}),  # a message waiting
        ("/", "get", {"own_comments": "x"}),  # just commented
        ("/privacy/", "get", None),  # not a public page the page cache serves
        ("/admin/login/", "get", None),
    ],
)
def test_only_anonymous_reads_of_public_pages_go_to_a_replica(replicas, clock, url, method, cookies):
    clock.settle()
    assert in_request(lambda: Article.objects.all().db) == "replica"
    assert in_request(lambda: Article.objects.all().db, url, method, cookies) == "default"


@in_both_databases
def test_outside_a_request_everything_reads_from_the_primary(replicas, clock, article):
    clock.settle()
    assert Article.objects.all().db == "default"  # management commands, cron, the shell
    assert router.db_for_read(Article, instance=Article.objects.using("replica").get()) == "default"
    assert router.db_for_write(Article) == "default"


@in_both_databases
def test_writes_go_to_the_primary_even_for_a_row_read_from_a_replica(replicas, clock, article, section):
    clock.settle()
    on_replica = Article.objects.using("replica").get(pk=article.pk)
    on_replica.section = Section.objects.using("default").get(pk=section.pk)  # relations across aliases are allowed
    on_replica.headline = "Council passes a smaller budget"
    on_replica.save()
    assert on_replica._state.db == "default"
    assert Article.objects.get(pk=article.pk).headline == "Council passes a smaller budget"


@pytest.mark.django_db
def test_migrations_never_run_on_a_replica(replicas):
    models = apps.get_models(include_auto_created=True)
    assert all(router.allow_migrate_model("default", model) for model in models)
    assert not any(router.allow_migrate_model("replica", model) for model in models)
    assert not router.allow_migrate("replica", "articles")  # RunPython and RunSQL ask with the app alone


# --- configuration ------------------------------------------------------------------------------------------

PRIMARY = "postgres://news:secret@primary.example:5432/news"
SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DATABASE_ROUTERS, s.DATABASE_REPLICAS, sorted(s.DATABASES), s.MIDDLEWARE[0]); "
    "[print(a, d['HOST'], d['PORT'], d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'], d['TEST']['MIRROR']) "
    "for a, d in s.DATABASES.items() if a != 'default']"
)


def run_django(tmp_path, *args, **env):
    """Python in a fresh process with only the given settings variables set (as tests/test_settings.py does)."""
    environment = {
        key: value for key, value in os.environ.items() if key not in [*SETTINGS_VARIABLES, "DB_CONN_MAX_AGE"]
    }
    environment.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", MEDIA_ROOT=str(tmp_path / "media"))
    environment.update(DJANGO_SETTINGS_MODULE="newsroom.settings", **env)
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )


def show_settings(tmp_path, **env):
    result = run_django(tmp_path, "-c", SHOW, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_without_a_replica_url_nothing_is_installed(tmp_path):
    lines = show_settings(tmp_path, DATABASE_REPLICA_URL="")
    assert lines == ["[] [] ['default'] newsroom.proxies.TrustedProxyMiddleware"]


def test_replica_urls_become_aliases_a_router_and_its_middleware(tmp_path):
    replica_urls = "postgres://news:secret@replica1.example/news, postgres://news:secret@replica2.example:6432/news"
    lines = show_settings(tmp_path, DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=replica_urls, DB_CONN_MAX_AGE="30")
    assert lines == [
        "['pagecache.replicas.ReplicaRouter'] ['replica_1', 'replica_2'] ['default', 'replica_1', 'replica_2'] "
        "pagecache.replicas.ReplicaReadsMiddleware",
        # Kept and health-checked like the primary's connections; the test suite mirrors the primary.
        "replica_1 replica1.example  30 True default",
        "replica_2 replica2.example 6432 30 True default",
    ]


def test_a_bad_replica_url_stops_the_start_without_showing_its_password(tmp_path):
    result = run_django(
        tmp_path,
        "manage.py",
        "check",
        DATABASE_URL=PRIMARY,
        DATABASE_REPLICA_URL="postgres://news:hunter2@replica.example:port/news",
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_REPLICA_URL (entry 1) is not a database URL" in result.stderr
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    "primary, replica, message",
    [
        (PRIMARY, "sqlite:///var/replica.sqlite3", "(entry 1): SQLite has no read replicas"),
        ("sqlite:///var/db.sqlite3", "postgres://news@replica.example/news", "(entry 1): SQLite has no read replicas"),
        (PRIMARY, "mysql://news@replica.example/news", "(entry 1) is django.db.backends.mysql, but DATABASE_URL is"),
        (PRIMARY, "redis://replica.example/0", "(entry 1) is not a database URL: Scheme 'redis://' is unknown"),
        (PRIMARY, "postgres://replica.example", "(entry 1) names no database"),
    ],
)
def test_a_replica_that_cannot_be_one_is_refused(primary, replica, message):
    import dj_database_url

    with pytest.raises(ImproperlyConfigured, match=re.escape(f"DATABASE_REPLICA_URL {message}")):
        replica_database(replica, 1, dj_database_url.parse(primary), 60)


def test_the_lag_must_be_a_positive_number_of_seconds(tmp_path):
    result = run_django(tmp_path, "-c", "import django; django.setup()", REPLICA_LAG_SECONDS="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: REPLICA_LAG_SECONDS must be at least 1." in result.stderr


def test_the_system_checks_pass_with_replicas(tmp_path):
    result = run_django(
        tmp_path, "manage.py", "check", DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=PRIMARY.replace("primary", "replica")
    )
    assert result.returncode == 0, result.stdout + result.stderr
