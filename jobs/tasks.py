"""Housekeeping, scheduled in JOBS_SCHEDULE: the queue's own, and Django's expired sessions."""

import datetime
from importlib import import_module

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from .models import FAILED, SUCCESSFUL, Job, PeriodicRun, Worker
from .worker import option


@task()
def prune_jobs():
    """Delete finished jobs after KEEP_DAYS (failed ones after KEEP_FAILED_DAYS), periodic runs as old as that, and
    workers silent for a day."""
    now = timezone.now()
    kept, kept_failed = (
        datetime.timedelta(days=option("KEEP_DAYS")),
        datetime.timedelta(days=option("KEEP_FAILED_DAYS")),
    )
    jobs = Job.objects.filter(
        Q(status=SUCCESSFUL, finished_at__lt=now - kept) | Q(status=FAILED, finished_at__lt=now - kept_failed)
    ).delete()[0]
    runs = PeriodicRun.objects.filter(period_start__lt=now - max(kept, kept_failed)).delete()[0]
    workers = Worker.objects.filter(seen_at__lt=now - datetime.timedelta(days=1)).delete()[0]
    return f"deleted {jobs} finished job(s), {runs} periodic run(s), {workers} silent worker(s)"


@task()
def clear_expired_sessions():
    """What `manage.py clearsessions` does, which Django leaves to cron: delete sessions past their expiry."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return "expired sessions cleared"
