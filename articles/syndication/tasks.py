"""Importing feeds as background jobs, run by `manage.py run_worker` (jobs/): `import_all_feeds` every
FEED_IMPORT_MINUTES (JOBS_SCHEDULE in newsroom/settings.py) gives each source with a feed URL a job of its own, so a
feed that cannot be read is retried with backoff alone, and several workers import several feeds at once.

A job killed half-way through a feed is run again from the start; the entries it had imported are recognised by the
database's dedupe (importing.py) and skipped, so each entry is imported once."""

from django_tasks import task

from jobs.queue import enqueue_once

from ..models import Source
from .importing import source_import_feed


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
