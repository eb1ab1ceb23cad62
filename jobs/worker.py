"""The worker: django-tasks-db's loop (claim the next job under a row lock, run it, record the outcome), with what a
queue served by several workers on several machines needs besides.

- **Heartbeat and lease.** Each worker keeps a `Worker` row and touches it every HEARTBEAT_SECONDS from a thread of
  its own, also while a job runs. A job is its worker's only while that row is younger than LEASE_SECONDS: a worker
  killed (SIGKILL, out of memory, its machine lost) stops touching it, and any other worker puts the job back in the
  queue (`reclaim_abandoned`), to run again at once. Every claim appends the worker to the job's `worker_ids`, so
  their number is the job's attempts; a job that keeps killing its worker fails after MAX_ATTEMPTS like any other.
  Every change to a claimed job is conditional on that claim (its status and `started_at`), so a worker that was
  only slow cannot overwrite what the worker that took over decided.
- **Retries.** A job that raises runs again FIRST_RETRY_SECONDS later, the delay doubling to LONGEST_RETRY_SECONDS,
  up to MAX_ATTEMPTS attempts; meanwhile it waits with its error kept (the admin lists it as retrying), then fails.
  A task may name its own time (`jobs.queue.RetryAt`) or refuse any further attempt (`jobs.queue.GiveUp`).
- **Stopping.** SIGTERM or Ctrl-C: the job under way is finished first. A second one stops it at once, and the job
  goes back to the queue (not counted as a failure).
- **Periodic jobs** (JOBS_SCHEDULE) are enqueued by the same heartbeat thread: jobs/schedule.py.

Limits come from the `JOBS` setting (a dict); every key and its default is in `DEFAULTS`. Workers' clocks are
compared with each other's (the lease): keep the machines' clocks in step (NTP), well within LEASE_SECONDS.
"""

import contextlib
import datetime
import logging
import os
import socket
import threading
from traceback import format_exception

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone
from django_tasks_db.compat import TaskContext, normalize_json, task_finished, task_started
from django_tasks_db.management.commands import db_worker

from . import schedule
from .models import FAILED, READY, RUNNING, SUCCESSFUL, Job
from .models import Worker as WorkerRow
from .queue import GiveUp, RetryAt

logger = logging.getLogger(__name__)

DEFAULTS = {
    "HEARTBEAT_SECONDS": 5,  # how often a worker reports, reclaims lost workers' jobs and enqueues periodic jobs
    "LEASE_SECONDS": 30,  # a worker silent this long is taken for dead, and its job is run again elsewhere
    "FIRST_RETRY_SECONDS": 30,  # after a job's first failure; doubling after each next one...
    "LONGEST_RETRY_SECONDS": 3600,  # ...up to this
    "MAX_ATTEMPTS": 8,  # then the job fails for good (about an hour of retries with the delays above)
    "KEEP_DAYS": 7,  # finished jobs are deleted after this many days (jobs.tasks.prune_jobs)...
    "KEEP_FAILED_DAYS": 30,  # ...failed ones after this many
}


# Every this many heartbeats (and as it starts) a worker looks through all running jobs for lost ones, not only
# those of workers it sees gone silent.
FULL_LOOK_EVERY = 60


def option(name):
    return {**DEFAULTS, **getattr(settings, "JOBS", {})}[name]


def retry_delay(attempts):
    """The wait after a job's `attempts`-th failed attempt: FIRST_RETRY_SECONDS, doubling, capped."""
    seconds = option("FIRST_RETRY_SECONDS") * 2 ** (attempts - 1)
    return datetime.timedelta(seconds=min(seconds, option("LONGEST_RETRY_SECONDS")))


class WorkerLost(Exception):
    """The worker running a job stopped reporting before the job finished: killed, or its machine lost."""


class WorkerStopped(Exception):
    """The worker running a job was told to stop at once (a second SIGTERM or Ctrl-C)."""


def _error(error):
    return {
        "exception_class_path": f"{type(error).__module__}.{type(error).__qualname__}",
        "traceback": "".join(format_exception(error)),
    }


def _as_claimed(job, **fields):
    """Update `job` only if it is still as its worker claimed it (running, claimed at the same moment). False when
    another worker took it over meanwhile: what that worker decides stands."""
    return bool(Job.objects.filter(pk=job.pk, status=RUNNING, started_at=job.started_at).update(**fields))


def record_success(job, value):
    return _as_claimed(
        job,
        status=SUCCESSFUL,
        finished_at=timezone.now(),
        return_value=normalize_json(value),
        exception_class_path="",
        traceback="",
    )


def record_failure(job, error):
    """Put a job whose attempt raised `error` back in the queue for a retry, or fail it for good. Returns when it is
    to run again (None: failed, or taken over by another worker)."""
    now = timezone.now()
    attempts = len(job.worker_ids)
    if isinstance(error, RetryAt):
        retry_at = max(error.at, now)
    elif isinstance(error, GiveUp) or attempts >= option("MAX_ATTEMPTS"):
        retry_at = None
    else:
        retry_at = now + retry_delay(attempts)
    if retry_at is None:
        fields = {"status": FAILED, "finished_at": now, "return_value": None}
    else:
        fields = {"status": READY, "run_after": retry_at}
    if not _as_claimed(job, **fields, **_error(error)):
        logger.warning("Job %s (%s) was taken over by another worker while this one ran it", job.pk, job.task_path)
        return None
    if retry_at is None:
        logger.error(
            "Job %s (%s) failed for good after %d attempt(s): %s",
            job.pk,
            job.task_path,
            attempts,
            error,
            exc_info=error,
        )
    else:
        logger.warning(
            "Job %s (%s) failed, attempt %d; it runs again after %s: %s",
            job.pk,
            job.task_path,
            attempts,
            f"{retry_at:%Y-%m-%d %H:%M:%S} UTC",
            error,
        )
    return retry_at


def release(job, why):
    """Put a job its worker is giving up on (stopping) back in the queue, to run again at once."""
    if _as_claimed(job, status=READY, run_after=timezone.now(), **_error(WorkerStopped(why))):
        logger.warning("Job %s (%s) goes back to the queue: %s", job.pk, job.task_path, why)


def reclaim_abandoned(now=None, *, everything=False):
    """Put back in the queue every running job whose worker has not reported for LEASE_SECONDS (or fail it, when
    that was its last attempt), and forget those workers. Returns how many jobs.

    Running jobs are looked through only when some worker has gone silent (a look at the small workers' table), or
    with `everything` (a worker starting, and now and then), which also finds jobs whose worker left no row."""
    now = now or timezone.now()
    lease_start = now - datetime.timedelta(seconds=option("LEASE_SECONDS"))
    silent = list(WorkerRow.objects.filter(seen_at__lte=lease_start).values_list("pk", flat=True))
    if not silent and not everything:
        return 0
    alive = set(WorkerRow.objects.filter(seen_at__gt=lease_start).values_list("pk", flat=True))
    reclaimed = 0
    for job in Job.objects.filter(status=RUNNING).only("pk", "task_path", "worker_ids", "started_at"):
        if job.holder in alive:
            continue
        lost = WorkerLost(
            f"worker {job.holder or '(none)'} stopped reporting while running it (attempt {job.attempts})"
        )
        if job.attempts >= option("MAX_ATTEMPTS"):
            fields = {"status": FAILED, "finished_at": now, "return_value": None}
        else:
            fields = {"status": READY, "run_after": now}
        if _as_claimed(job, **fields, **_error(lost)):
            reclaimed += 1
            logger.warning(
                "Job %s (%s): %s; %s",
                job.pk,
                job.task_path,
                lost,
                "failed for good" if fields["status"] == FAILED else "it runs again",
            )
    # Their jobs are back in the queue; one that was only frozen registers again at its next heartbeat.
    WorkerRow.objects.filter(pk__in=silent, seen_at__lte=lease_start).delete()
    return reclaimed


class Heartbeat:
    """This worker's `Worker` row: written when it starts, touched while it lives, deleted when it stops."""

    def __init__(self, worker_id, queues):
        self.worker_id, self.queues = worker_id, ",".join(queues)

    def register(self):
        now = timezone.now()
        WorkerRow.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": self.queues[:200],
                "started_at": now,
                "seen_at": now,
            },
        )

    def beat(self):
        if not WorkerRow.objects.filter(pk=self.worker_id).update(seen_at=timezone.now()):
            self.register()  # pruned while this worker was frozen: it is back

    def forget(self):
        WorkerRow.objects.filter(pk=self.worker_id).delete()


class Worker(db_worker.Worker):
    """django-tasks-db's worker with a heartbeat, leases, retries and periodic jobs (see the module's docstring)."""

    def __init__(self, *, schedule=True, beat_in_background=True, **options):
        super().__init__(**options)
        self.schedule = schedule
        # Without the heartbeat's thread, the worker reports only as it starts: for running jobs in a test's own
        # transaction, which no other connection may see or wait for.
        self.beat_in_background = beat_in_background
        self.heartbeat = Heartbeat(self.worker_id, self.queue_names)
        self._stopping = threading.Event()
        self._beats = 0

    def keep(self):
        """One heartbeat: report, reclaim lost workers' jobs, enqueue periodic jobs that are due. Never raises."""
        try:
            close_old_connections()
            self.heartbeat.beat()
            reclaim_abandoned(everything=self._beats % FULL_LOOK_EVERY == 0)
            self._beats += 1
            if self.schedule:
                schedule.enqueue_due(worker_id=self.worker_id)
        except Exception:  # the database is away: the next beat tries again
            logger.exception("Worker %s: the heartbeat failed", self.worker_id)

    def _keep_beating(self):
        try:
            while not self._stopping.wait(option("HEARTBEAT_SECONDS")):
                self.keep()
        finally:
            connections.close_all()  # this thread's own connections

    def run(self):
        self.heartbeat.register()
        self.keep()
        keeper = threading.Thread(target=self._keep_beating, name="jobs-heartbeat", daemon=True)
        if self.beat_in_background:
            keeper.start()
        try:
            super().run()
        finally:
            self._stopping.set()
            if keeper.is_alive():
                keeper.join(timeout=10)
            self._release_held("the worker stopped")
            self.heartbeat.forget()

    def _release_held(self, why):
        """Jobs still claimed by this worker as it stops (claimed just before a stop signal) go back to the queue."""
        try:
            for job in Job.objects.filter(status=RUNNING).only("pk", "task_path", "worker_ids", "started_at"):
                if job.holder == self.worker_id:
                    release(job, why)
        except Exception:
            logger.exception("Worker %s: could not hand back its jobs; they run again after the lease", self.worker_id)

    def run_task(self, db_task_result):
        """Run one claimed job and record its outcome: done, to be retried, or failed."""
        job = db_task_result
        try:
            self.running_task = True
            task = job.task
            result = job.task_result
            sender = type(task.get_backend())
            task_started.send(sender=sender, task_result=result)
            arguments = (TaskContext(task_result=result),) if task.takes_context else ()
            value = task.call(*arguments, *result.args, **result.kwargs)
            if record_success(job, value):
                job.refresh_from_db()
                task_finished.send(sender=sender, task_result=job.task_result)
            else:
                logger.warning(
                    "Job %s (%s) was taken over by another worker while this one ran it", job.pk, job.task_path
                )
        except Exception as error:
            if record_failure(job, error) is None:
                job.refresh_from_db()
                if job.status == FAILED:
                    with contextlib.suppress(Exception):  # a task gone from the code: the log says so already
                        task_finished.send(sender=type(job.task.get_backend()), task_result=job.task_result)
        except BaseException:  # stopped at once (SystemExit from the second signal, KeyboardInterrupt)
            release(job, "the worker was stopped while running it")
            raise
        finally:
            self.running_task = False
            self._run_tasks += 1
