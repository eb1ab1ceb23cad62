"""Fixtures of the queue's tests: the jobs in the test database (`queue`, tests/conftest.py), a clean record of what the
sample tasks (tests/jobs/tasks.py) did, and the queue's limits small enough to count."""

import pytest

from tests.jobs import tasks


@pytest.fixture(autouse=True)
def _no_calls_yet():
    tasks.CALLS.clear()


@pytest.fixture(autouse=True)
def _in_the_database(queue):
    """Every job of these tests is a row, as in production."""


@pytest.fixture
def limits(settings):
    settings.JOBS = {"MAX_ATTEMPTS": 5, "FIRST_RETRY_SECONDS": 30, "LONGEST_RETRY_SECONDS": 100, "LEASE_SECONDS": 30}
    return settings.JOBS
