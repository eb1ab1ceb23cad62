"""Periodic jobs (the JOBS_SCHEDULE setting): each runs once per period, however many workers run.

An entry names a task (its dotted path), how often it runs (`every`, a timedelta) and, optionally, where in the
period (`at`, a timedelta: `every` one day `at` 3 h 30 is 03:30 UTC each day). Periods are fixed slices of time
counted from 1970-01-01 00:00 UTC plus `at`, so every worker on every machine agrees on them. Each worker, at each
heartbeat, inserts a `PeriodicRun` row for the period under way of each entry that has none yet, and enqueues the job
in the same transaction: the unique (task, period) constraint lets exactly one insert through, and a worker killed
in between leaves neither the row nor the job. A period during which no worker ran is not made up afterwards; the job
runs once for the period under way when a worker comes back.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PeriodicRun

logger = logging.getLogger(__name__)

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Entry:
    task_path: str
    every: datetime.timedelta
    at: datetime.timedelta = datetime.timedelta(0)

    @property
    def task(self):
        return import_string(self.task_path)

    def period_start(self, now):
        """The start of the period `now` falls in."""
        origin = EPOCH + self.at
        return origin + ((now - origin) // self.every) * self.every


def entries():
    """JOBS_SCHEDULE as Entries (checked by `manage.py check`: jobs/checks.py)."""
    return [
        Entry(item["task"], item["every"], item.get("at", datetime.timedelta(0)))
        for item in getattr(settings, "JOBS_SCHEDULE", [])
    ]


def enqueue_due(*, worker_id="", now=None):
    """Enqueue each entry's job for the period under way unless a worker did already. Returns the PeriodicRuns
    this call inserted."""
    now = now or timezone.now()
    starts = {entry: entry.period_start(now) for entry in entries()}
    done = set(
        PeriodicRun.objects.filter(
            period_start__in=set(starts.values()), task_path__in=[e.task_path for e in starts]
        ).values_list("task_path", "period_start")
    )
    inserted = []
    for entry, start in starts.items():
        if (entry.task_path, start) in done:
            continue
        try:
            with transaction.atomic():
                run = PeriodicRun.objects.create(task_path=entry.task_path, period_start=start, worker_id=worker_id)
                result = entry.task.enqueue()
                job = getattr(result, "db_result", None)  # None with a backend that keeps no rows
                if job is not None:
                    run.job_id = job.pk
                    run.save(update_fields=["job_id"])
        except IntegrityError:  # another worker got there first: its job is this period's
            continue
        logger.info("Enqueued %s for the period from %s", entry.task_path, f"{start:%Y-%m-%d %H:%M:%S} UTC")
        inserted.append(run)
    return inserted
