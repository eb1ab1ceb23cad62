"""Load: 20 concurrent clients post 500 comments to gunicorn; exactly 500 are stored, none lost or
duplicated, no 5xx, and on SQLite no "database is locked".

Runs scripts/loadtest.py (also `make loadtest`) against a fresh database of the kind this suite
runs on: SQLite under `make test`, the same PostgreSQL server under `make test-postgres`. It takes
about 15 seconds; leave it out with `PYTEST_ARGS='-m "not load"'`.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import figures

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "loadtest.py"
ON_POSTGRES = os.environ.get("DATABASE_URL", "").split(":", 1)[0] in ("postgres", "postgresql", "pgsql")

pytestmark = pytest.mark.load


def test_twenty_clients_post_five_hundred_comments_and_every_one_is_stored_once():
    command = [sys.executable, str(SCRIPT), "--clients", "20", "--comments", "500", "--timeout", "240", "--json"]
    if ON_POSTGRES:
        command += ["--database-url", os.environ["DATABASE_URL"]]
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    result = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=300)
    assert result.returncode in (0, 1), result.stderr  # 2 and up: the test itself could not run
    seen = json.loads(result.stdout.strip().splitlines()[-1])

    figures.record(
        f"Load test ({seen['database']})",
        clients=seen["clients"],
        posted=seen["posted"],
        stored=seen["stored"],
        lost=seen["lost"],
        duplicated=seen["duplicated"],
        server_errors_5xx=seen["server_errors_5xx"],
        database_is_locked=seen["database_locked_errors"],
        seconds=seen["elapsed_seconds"],
    )
    assert seen["database"] == ("PostgreSQL" if ON_POSTGRES else "SQLite")
    assert seen["posted"] == seen["stored"] == 500, result.stderr
    assert seen["lost"] == seen["duplicated"] == seen["unexpected"] == 0
    assert seen["server_errors_5xx"] == seen["connection_errors"] == seen["refused_4xx"] == 0
    assert seen["database_locked_errors"] == 0
    assert result.returncode == 0, result.stderr
