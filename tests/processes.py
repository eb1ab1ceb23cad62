"""Management commands run as real processes (as cron and deploys run them) against the test's database.

The processes reach the test database by DATABASE_URL: PostgreSQL's test database by name; SQLite's is in
memory, so it is copied to a file for them (sqlite3's backup API) and copied back afterwards.
"""

import contextlib
import os
import sqlite3
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import connection


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
