"""A database that cannot be reached: readers get a friendly 503 page with Retry-After, never a
traceback, and the site serves again as soon as the database is back.

Each case runs a production-configured process (DEBUG=0) whose DATABASE_URL points at a database
that is not there: a PostgreSQL port nobody listens on, or an SQLite file in a missing folder.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import textwrap

from tests.processes import BASE_DIR, SETTINGS_VARIABLES

REQUESTS = textwrap.dedent(
    """
    import json, os, sys
    import django
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    # Everything as in production except static files, which would need collectstatic first.
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}).enable()
    client = Client(raise_request_exception=False, HTTP_HOST="news.example")

    def answer(response):
        return {"status": response.status_code, "retry_after": response.headers.get("Retry-After"),
                "body": response.content.decode()}

    seen = {
        "home": answer(client.get("/")),
        "post": answer(client.post("/comments/post/", {"comment": "hello"})),
        "admin": answer(client.get("/admin/login/")),
    }
    if len(sys.argv) > 1:  # the database comes back
        os.makedirs(sys.argv[1])
        call_command("migrate", verbosity=0)
        seen["after"] = answer(client.get("/"))
    print(json.dumps(seen))
    """
)


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(database_url, *args):
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="news.example",
        SECURE_SSL_REDIRECT="0",
        DATABASE_URL=database_url,
    )
    result = subprocess.run(
        [sys.executable, "-c", REQUESTS, *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def assert_friendly_503(answer):
    assert answer["status"] == 503
    assert answer["retry_after"] == "30"
    assert "We will be back in a moment" in answer["body"]
    assert "Traceback" not in answer["body"] and "OperationalError" not in answer["body"]


def test_postgresql_that_does_not_answer_gives_a_503_page():
    seen, log = run(f"postgres://newsroom@127.0.0.1:{closed_port()}/newsroom")
    for page in ("home", "post", "admin"):
        assert_friendly_503(seen[page])
    assert "Service Unavailable: /" in log  # and it is logged for the people running the site


def test_sqlite_in_a_missing_folder_gives_a_503_page_until_it_is_there(tmp_path):
    folder = tmp_path / "not-yet"
    seen, _ = run(f"sqlite:///{folder / 'db.sqlite3'}", str(folder))
    for page in ("home", "post", "admin"):
        assert_friendly_503(seen[page])
    assert seen["after"]["status"] == 200
