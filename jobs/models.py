"""What the newsroom adds to django-tasks-db's queue: the job in words, the workers' heartbeats, the periodic runs.

The queue itself is django-tasks-db's table (`DBTaskResult`, one row per job): enqueued in the caller's transaction,
claimed under a row lock by one worker at a time. `Job` is the same row as the admin and the worker speak of it.
"""

from django.db import models
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
FAILED, SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL


class JobQuerySet(models.QuerySet):
    def retrying(self):
        """Waiting to run again after a failure (or after its worker was lost): its last error is kept."""
        return self.filter(status=READY).exclude(exception_class_path="")

    def waiting(self):
        return self.filter(status=READY, exception_class_path="")

    def pending(self):
        """Not finished: waiting, retrying or running."""
        return self.filter(status__in=[READY, RUNNING])


class Job(DBTaskResult):
    """A background job (a row of django-tasks-db's queue): waiting, running, retrying, failed or done."""

    objects = JobQuerySet.as_manager()

    class Meta:
        proxy = True
        verbose_name = "job"
        ordering = ["-enqueued_at"]

    def __str__(self):
        return f"{self.task_name} ({self.state})"

    @property
    def attempts(self):
        """Each claim by a worker appends it to worker_ids: a failed attempt and a lost worker both count."""
        return len(self.worker_ids)

    @property
    def holder(self):
        """The worker that claimed it last (the one running it, while it runs)."""
        return self.worker_ids[-1] if self.worker_ids else ""

    @property
    def next_run(self):
        """When a waiting or retrying job may run; None when at once, or when it is not waiting."""
        if self.status != READY or self.run_after == get_date_max() or self.run_after <= timezone.now():
            return None
        return self.run_after

    @property
    def error(self):
        """The last line of its last traceback: what went wrong, in one line."""
        lines = [line for line in self.traceback.strip().splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def state(self):
        if self.status == RUNNING:
            return "running"
        if self.status == FAILED:
            return "failed"
        if self.status == SUCCESSFUL:
            return "done"
        if self.exception_class_path:
            return "retrying"
        return "scheduled" if self.next_run else "waiting"


class Worker(models.Model):
    """A worker process (`manage.py run_worker`) as it last reported itself. The jobs it claimed are its own only
    while it keeps reporting: past the lease, any other worker puts them back in the queue."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    hostname = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True)
    queues = models.CharField(max_length=200, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-seen_at"]

    def __str__(self):
        return f"{self.hostname}:{self.pid} ({self.worker_id})"


class PeriodicRun(models.Model):
    """One period of a scheduled job (JOBS_SCHEDULE), inserted by whichever worker got there first, together with
    the job it enqueued: the unique constraint lets one insert through per task and period."""

    task_path = models.CharField(max_length=200)
    period_start = models.DateTimeField()
    enqueued_at = models.DateTimeField(default=timezone.now)
    worker_id = models.CharField(max_length=64, blank=True)
    job_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "task_path"]
        constraints = [models.UniqueConstraint(fields=["task_path", "period_start"], name="jobs_one_run_per_period")]

    def __str__(self):
        return f"{self.task_path} for {self.period_start:%Y-%m-%d %H:%M}"
