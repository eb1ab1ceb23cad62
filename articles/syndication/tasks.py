"""Importing feeds as background jobs, run by `manage.py run_worker` (jobs/): `import_all_feeds` every
FEED_IMPORT_MINUTES (JOBS_SCHEDULE in newsroom/settings.py) gives each source with a feed URL a job of its own, so a
feed that cannot be read is retried with backoff alone, and several workers import several feeds at once.

A job killed half-way through a feed is run again from the start; the entries it had imported are recognised by the
database's dedupe (importing.py) and skipped, so each entry is imported once."""

from django.utils import timezone
from django_tasks import task

from jobs.queue import GiveUp, enqueue_once

from ..models import FeedImportRun, Source
from .importing import CREATED, FAILED, FLAGGED, SKIPPED, UPDATED, FeedError, source_import_feed


@task()
def import_all_feeds():
    """A job for each source with a feed URL, unless its last one is still waiting, retrying or running."""
    pks = list(Source.objects.exclude(feed_url="").order_by("pk").values_list("pk", flat=True))
    queued = sum(enqueue_once(import_source_feed, pk) is not None for pk in pks)
    return f"{queued} of {len(pks)} feed(s) queued"


@task()
def import_source_feed(source_pk):
    """Import one source's feed as `manage.py import_feed SLUG` does (drafts, in its default section). A feed that
    cannot be read raises FeedError: the worker retries the job with backoff, and the source's last fetch says why."""
    source = Source.objects.select_related("default_section").filter(pk=source_pk).first()
    if source is None or not source.feed_url:
        return "no such source, or it has no feed URL any more"
    report = source_import_feed(source)
    return f"{source.name}: {report.summary}"


# --- imports asked for in the admin ("Fetch new stories now", runs.py) ----------------------------------------------

MAX_OUTCOMES = 100  # entries listed on a run; the counters count them all
# Listed first when there are more: what needs a person, then what changed, then the rest.
LISTED_FIRST = [FAILED, FLAGGED, UPDATED, SKIPPED, CREATED]
COUNTERS = {CREATED: "created", UPDATED: "updated", FLAGGED: "flagged", SKIPPED: "skipped", FAILED: "failed"}


def _outcomes(report):
    listed = sorted(report.outcomes, key=lambda outcome: LISTED_FIRST.index(outcome.action))[:MAX_OUTCOMES]
    return [
        {
            "action": outcome.action,
            "headline": outcome.headline,
            "article_id": outcome.article_id,
            "link": outcome.link,
            "reason": outcome.detail,
        }
        for outcome in listed
    ]


def _counts(report):
    return {field: report.count(action) for action, field in COUNTERS.items()}


def _write(run, **fields):
    """One UPDATE of the run's row, only while it is the run this job started (an editor's page reads it)."""
    FeedImportRun.objects.filter(pk=run.pk, started_at=run.started_at).update(**fields)


@task()
def import_requested_feed(run_pk):
    """Carry out a FeedImportRun asked for in the admin: import its source's feed as `import_source_feed` does,
    writing the run's progress after each entry and, at the end, its counts, the entries worth a look and a summary.

    Run again after its worker was killed, the job starts the run again from the beginning (the entries imported
    before are duplicates the database refuses): the run ends done or failed, never stays running. A feed that
    cannot be read fails the run with the reason, and is not retried: the editor reads why and asks again."""
    run = FeedImportRun.objects.select_related("source__default_section").filter(pk=run_pk).first()
    if run is None or run.is_finished:
        return "no such import, or it is finished"
    run.started_at = timezone.now()
    fields = {"state": FeedImportRun.State.RUNNING, "entries_total": None, "entries_done": 0, "outcomes": []}
    fields.update(dict.fromkeys(COUNTERS.values(), 0), finished_at=None, message="")
    FeedImportRun.objects.filter(pk=run.pk).update(started_at=run.started_at, **fields)

    def watch(report, total):
        _write(run, entries_total=total, entries_done=len(report.outcomes), **_counts(report))

    def finish(state, message, **fields):
        _write(run, state=state, finished_at=timezone.now(), message=message[:500], **fields)
        return message

    source = run.source
    if not source.feed_url:
        return finish(FeedImportRun.State.FAILED, f"{source.name} has no feed URL")
    try:
        report = source_import_feed(source, watch=watch)
    except FeedError as error:
        return finish(FeedImportRun.State.FAILED, str(error))
    except Exception as error:
        # The job keeps the traceback; the editor gets a sentence, and the run is over (not retried).
        finish(FeedImportRun.State.FAILED, "the import failed unexpectedly; the background jobs' page has the error")
        raise GiveUp(f"{source.name}: {error!r}") from error
    lines = [report.summary] + report.notes
    if len(report.outcomes) > MAX_OUTCOMES:
        lines.append(f"{len(report.outcomes) - MAX_OUTCOMES} more entries not listed")
    return finish(
        FeedImportRun.State.DONE,
        "; ".join(lines),
        entries_total=0 if report.unchanged else len(report.outcomes) + report.left,
        entries_done=len(report.outcomes),
        outcomes=_outcomes(report),
        **_counts(report),
    )
