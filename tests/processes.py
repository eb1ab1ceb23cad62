"""Python run in processes of its own: management commands (as cron and deploys run them) against the test's
database, and fresh interpreters started with only the given settings variables (`run_django`).

The processes reach the test database by DATABASE_URL: PostgreSQL's test database by name; SQLite's is in
memory, so it is copied to a file for them (sqlite3's backup API) and copied back afterwards.
"""

import contextlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables the settings read that must not leak in from the shell running the tests.
SETTINGS_VARIABLES = [
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DATABASE_REPLICA_URL",
    "REPLICA_LAG_SECONDS",
    "EDGE_PURGE",
    "EDGE_PURGE_URLS",
    "EDGE_MAX_AGE",
    "EMAIL_URL",
    "REDIS_URL",
    "MEDIA_ROOT",
    "MEDIA_STORAGE_URL",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "BEHIND_PROXY",
    "TRUSTED_PROXIES",
    "COMMENTS_XTD_SALT",
]


def run_django(tmp_path, *args, **env):
    """Run Python in a fresh process with only the given settings variables set."""
    environment = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    environment.update(
        DJANGO_SETTINGS_MODULE="newsroom.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=environment, capture_output=True, text=True, timeout=60
    )


@contextlib.contextmanager
def database_url_for_processes(tmp_path):
    """A DATABASE_URL at which other processes see this test's database (commit before, read after)."""
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="") + (
            f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        )
        yield f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"
        return
    assert connection.vendor == "sqlite"
    if not connection.creation.is_in_memory_db(db["NAME"]):
        yield f"sqlite:///{db['NAME']}"
        return
    shared = tmp_path / "shared.sqlite3"
    connection.ensure_connection()
    with contextlib.closing(sqlite3.connect(shared)) as copy:
        connection.connection.backup(copy)
        # As `migrate` leaves a real database file: in WAL mode already. (An in-memory copy is not, and two
        # processes switching one file to WAL at the same moment deadlock, which SQLite answers "locked".)
        copy.execute("PRAGMA journal_mode=WAL")
    yield f"sqlite:///{shared}"
    with contextlib.closing(sqlite3.connect(shared)) as copy:
        copy.backup(connection.connection)


def manage(database_url, *args, media_root, **environment):
    """`manage.py *args` started in a process of its own (communicate() with it); `environment` adds variables."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root), "DEBUG": "1", **environment}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
