"""Tasks for the queue's own tests, importable by the worker processes they start (cwd: the project)."""

import os
import time
from pathlib import Path

from django_tasks import task

from jobs.queue import GiveUp, RetryAt

CALLS = []  # what the jobs run in the test's own process did, in order


class FeedDown(Exception):
    pass


@task()
def always_fails(name):
    CALLS.append(name)
    raise FeedDown(f"{name} is down")


@task()
def fails_twice(name):
    CALLS.append(name)
    if CALLS.count(name) <= 2:
        raise FeedDown(f"{name} is down")
    return f"{name} read at attempt {CALLS.count(name)}"


@task()
def retries_at(iso_time):
    import datetime

    CALLS.append(iso_time)
    raise RetryAt(datetime.datetime.fromisoformat(iso_time), "the mail server said: later")


@task()
def gives_up():
    CALLS.append("gives up")
    raise GiveUp("the address does not exist")


@task()
def succeeds(value="done"):
    CALLS.append(value)
    return value


@task()
def waits_for(folder):
    """Leaves a mark in `folder` for each time it starts (the pid), then waits until `folder`/go exists; then marks
    that it finished. For a worker killed while the job runs."""
    folder = Path(folder)
    (folder / f"started-{os.getpid()}").touch()
    while not (folder / "go").exists():
        time.sleep(0.02)
    with (folder / "finished").open("a") as marks:
        marks.write(f"{os.getpid()}\n")
    return "finished"
