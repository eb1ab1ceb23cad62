"""What the apps' tasks and their callers use: enqueueing without duplicates, and a task's say in its retries.

Tasks are Django's (`django_tasks.task`, `django.tasks.task` from Django 6), defined where their concern lives
(comments/tasks.py, articles/syndication/tasks.py, ...); `manage.py run_worker` runs them (jobs/worker.py).
"""

import datetime

from django_tasks_db.backend import DatabaseBackend

from .models import Job


class RetryAt(Exception):
    """Raised by a task to be run again at `at` (its own schedule, instead of the worker's backoff); `reason` is
    kept as its error meanwhile. The task gives up itself (GiveUp): the worker's MAX_ATTEMPTS does not apply."""

    def __init__(self, at: datetime.datetime, reason: str):
        super().__init__(reason)
        self.at = at


class GiveUp(Exception):
    """Raised by a task that must not be tried again: it fails at once, with `reason` as its error."""


def in_the_database(task):
    """Whether `task` is enqueued as a row of this database: then enqueueing it inside a transaction writes the job
    with that transaction's other rows (a rollback takes it back, and no worker sees it before the commit)."""
    return isinstance(task.get_backend(), DatabaseBackend)


def enqueue_once(task, *args):
    """Enqueue `task(*args)` unless the same job is already waiting, retrying or running. Returns its result, or
    None when there was one already. (Only a database backend can tell; any other enqueues every time.)"""
    if in_the_database(task):
        wanted = {"args": list(args), "kwargs": {}}
        pending = Job.objects.pending().filter(task_path=task.module_path).values_list("args_kwargs", flat=True)
        if any(arguments == wanted for arguments in pending):
            return None
    return task.enqueue(*args)
