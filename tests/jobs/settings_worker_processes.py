"""newsroom.settings for the worker processes the queue's tests start (test_worker_processes.py): a heartbeat and a
lease short enough to wait for, feeds and images from the tests' server on 127.0.0.1, and no periodic jobs unless the
test names them (WORKER_TEST_SCHEDULE: dotted task paths, comma-separated, each every hour)."""

import datetime
import os

from newsroom.settings import *  # noqa: F403

JOBS = {"HEARTBEAT_SECONDS": 0.2, "LEASE_SECONDS": 1.5, "FIRST_RETRY_SECONDS": 1}
FEED_IMPORT = {"ALLOW_LOOPBACK": True, "TIMEOUT": 5}
JOBS_SCHEDULE = [
    {"task": path, "every": datetime.timedelta(hours=1)}
    for path in os.environ.get("WORKER_TEST_SCHEDULE", "").split(",")
    if path
]
