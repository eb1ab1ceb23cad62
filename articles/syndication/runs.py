"""Imports asked for in the admin ("Fetch new stories now"): a FeedImportRun queued with its job in one transaction,
carried out by a worker (tasks.import_requested_feed), and read back for the source's page while it runs.

The editor's request never fetches: a big feed would outlive the app server's timeout. One run at a time per source:
asking again while one is waiting or running shows that one."""

from django.db import transaction
from django.utils import timezone

from jobs.models import Job
from jobs.queue import in_the_database

from ..models import FeedImportRun, Source
from .importing import CREATED
from .tasks import import_requested_feed

LATEST_RUNS = 5  # on the source's page
UNFINISHED = [FeedImportRun.State.QUEUED, FeedImportRun.State.RUNNING]
LOST = "the worker carrying it out stopped and its job was given up"


def _runs_with_pending_jobs():
    """The pks of the runs whose job is still waiting, retrying or running (one query). Only the database's queue can
    tell; with any other backend a job runs when it is enqueued."""
    if not in_the_database(import_requested_feed):
        return set()
    jobs = Job.objects.pending().filter(task_path=import_requested_feed.module_path)
    return {arguments["args"][0] for arguments in jobs.values_list("args_kwargs", flat=True) if arguments["args"]}


def mark_lost(runs):
    """Set `lost` on each run: unfinished, with no job pending any more (its worker was killed more often than the
    queue retries). The page shows it stopped, and polls it no more. One query, and only when a run is unfinished."""
    unfinished = [run for run in runs if not run.is_finished]
    pending = _runs_with_pending_jobs() if unfinished else set()
    for run in runs:
        run.lost = not run.is_finished and run.pk not in pending
        run.progress = feed_import_run_progress(run)
        run.worth_a_look = [outcome for outcome in run.outcomes if outcome["action"] != CREATED]
    return runs


def source_request_import(*, source, by):
    """Queue an import of `source`'s feed for a worker, asked by `by`. Returns (run, queued): the new run, or the
    source's run still waiting or running (queued is False), which is shown instead of queueing a second."""
    with transaction.atomic():
        # Two clicks at the same moment: the second waits for the first's transaction, then finds its run.
        list(Source.objects.select_for_update().filter(pk=source.pk).values_list("pk", flat=True))
        under_way = FeedImportRun.objects.filter(source=source, state__in=UNFINISHED).order_by("-requested_at", "-pk")
        for run in mark_lost(list(under_way)):
            if not run.lost:
                return run, False
            FeedImportRun.objects.filter(pk=run.pk, state__in=UNFINISHED).update(
                state=FeedImportRun.State.FAILED, finished_at=timezone.now(), message=LOST
            )
        run = FeedImportRun.objects.create(source=source, requested_by=by)
        import_requested_feed.enqueue(run.pk)
    run.refresh_from_db()  # without the database's queue the job has run already
    return run, True


def source_latest_runs(source):
    """The source's latest runs, newest first, with who asked (one query; two while one is unfinished)."""
    return mark_lost(list(FeedImportRun.objects.filter(source=source).select_related("requested_by")[:LATEST_RUNS]))


def _asked(run):
    who = run.requested_by.get_username() if run.requested_by else "someone"
    return f"asked by {who} at {timezone.localtime(run.requested_at):%H:%M}"


def feed_import_run_progress(run):
    """Where an import is, in words: "12 of 40 entries", or what it waits for."""
    if run.entries_total is None:
        return "reading the feed" if run.state == FeedImportRun.State.RUNNING else "—"
    return f"{run.entries_done} of {run.entries_total} entries"


def feed_import_run_status(run):
    """One sentence on a run, for the page's live region (read out by screen readers as it changes)."""
    if getattr(run, "lost", False):
        return f"The import {_asked(run)} stopped: {LOST}. Fetch again."
    if run.state == FeedImportRun.State.QUEUED:
        return f"Import {_asked(run)}: waiting for a worker."
    if run.state == FeedImportRun.State.RUNNING:
        return f"Importing ({_asked(run)}): {feed_import_run_progress(run)}."
    if run.state == FeedImportRun.State.FAILED:
        return f"The import {_asked(run)} failed: {run.message}."
    return f"Import {_asked(run)} done: {run.message}."
