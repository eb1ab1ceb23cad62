"""/healthz and /readyz, what a load balancer asks: "ok" or "unavailable" and nothing more, never cached.

/healthz answers while the process runs, touching nothing; /readyz is a 503 when the database, a cache
(default or the page cache), the media storage or the task queue cannot be reached, and says which only
in the log. Both are answered before the host check, the https redirect and the page cache.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import textwrap

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.processes import BASE_DIR, SETTINGS_VARIABLES

pytestmark = pytest.mark.django_db


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BrokenStorage(FileSystemStorage):
    """A media store that cannot be reached."""

    def exists(self, name):
        raise ConnectionError("the object store is down")


def assert_plain(response, status, text):
    assert response.status_code == status
    assert response.content == f"{text}\n".encode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_healthz_says_ok_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert_plain(client.get("/healthz"), 200, "ok")


def test_readyz_says_ok_when_everything_answers(client):
    assert_plain(client.get("/readyz"), 200, "ok")
    assert client.head("/readyz").status_code == 200


def test_the_urls_are_named(client):
    assert (reverse("healthz"), reverse("readyz")) == ("/healthz", "/readyz")


@pytest.mark.parametrize("alias", ["default", "pages"])
def test_a_cache_that_cannot_be_reached_is_a_503(client, settings, caplog, alias):
    port = closed_port()
    settings.CACHES = {
        **settings.CACHES,
        alias: {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{port}"},
    }

    response = client.get("/readyz")

    assert_plain(response, 503, "unavailable")
    assert f"readyz: cache '{alias}' is unavailable: ConnectionError" in caplog.text
    assert str(port) not in response.content.decode()
    assert_plain(client.get("/healthz"), 200, "ok")  # the process itself is fine: no restart


def test_a_storage_that_fails_is_a_503(client, settings, caplog):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "tests.test_health.BrokenStorage"}}

    assert_plain(client.get("/readyz"), 503, "unavailable")
    assert "readyz: storage is unavailable: ConnectionError: the object store is down" in caplog.text
    assert_plain(client.get("/healthz"), 200, "ok")


def test_a_task_queue_whose_table_cannot_be_read_is_a_503(client, settings, caplog):
    pytest.importorskip("django_tasks_db")
    if "django_tasks_db" not in settings.INSTALLED_APPS:
        pytest.skip("django-tasks-db is not installed in this project (yet)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get("/readyz").status_code == 200
    from django_tasks_db.models import DBTaskResult

    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute(f"ALTER TABLE {DBTaskResult._meta.db_table} RENAME TO queue_gone")

    assert_plain(client.get("/readyz"), 503, "unavailable")
    assert "readyz: task queue 'default' is unavailable" in caplog.text


def test_a_queue_of_another_kind_has_nothing_to_reach(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert client.get("/readyz").status_code == 200


def test_probes_pass_the_host_check_the_https_redirect_and_the_page_cache(settings):
    settings.ALLOWED_HOSTS = ["news.example"]
    settings.SECURE_SSL_REDIRECT = True
    probe = Client(HTTP_HOST="10.0.0.5:8000")  # the load balancer, by the server's own address, over http

    for path in ("/healthz", "/readyz"):
        response = probe.get(path)
        assert response.status_code == 200, path
        assert "X-Page-Cache" not in response
    assert probe.get("/robots.txt").status_code == 400  # everything else still checks the host


def test_other_methods_are_refused(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


# --- the database, stopped: a process of its own whose DATABASE_URL leads nowhere --------------------------------

PROBES = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.test import Client
    client = Client(raise_request_exception=False, HTTP_HOST="10.0.0.5")
    print(json.dumps({path: [client.get(path).status_code, client.get(path).content.decode()]
                      for path in ("/healthz", "/readyz")}))
    """
)


@pytest.mark.parametrize("where", ["postgres", "sqlite"])
def test_a_database_that_cannot_be_reached_is_a_503(tmp_path, where):
    if where == "postgres":
        pytest.importorskip("psycopg2")
        url = f"postgres://news:pw@127.0.0.1:{closed_port()}/news"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'db.sqlite3'}"
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example",
        DATABASE_URL=url,
        MEDIA_ROOT=str(tmp_path / "media"),
        PAGE_CACHE_DIR=str(tmp_path / "pages"),
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBES], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers == {"/healthz": [200, "ok\n"], "/readyz": [503, "unavailable\n"]}
    assert "readyz: database is unavailable: OperationalError" in result.stderr
    assert "Traceback" not in result.stderr
