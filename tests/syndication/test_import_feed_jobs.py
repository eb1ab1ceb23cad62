"""Feed imports as background jobs (articles/syndication/tasks.py), on the queue in the database as production runs
them: every FEED_IMPORT_MINUTES each source with a feed URL gets a job of its own (not a second while one waits); a
feed that cannot be read is retried with backoff alone, and its source's last fetch says why. (A worker killed in
the middle of a feed: tests/jobs/test_worker_processes.py.)"""

import datetime

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article, Source
from articles.syndication.tasks import import_all_feeds, import_source_feed
from jobs.models import Job

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("import_from_the_feed_server")]


@pytest.fixture
def down(section):
    """A source whose feed's server refuses connections (the discard port)."""
    return Source.objects.create(
        name="Ledger",
        slug="ledger",
        homepage="https://ledger.example/",
        feed_url="http://127.0.0.1:9/rss",
        default_section=section,
    )


def test_each_source_with_a_feed_gets_a_job_and_its_stories(courier, down, queue, settings):
    Source.objects.create(name="No feed", slug="no-feed", homepage="https://nofeed.example/")
    import_all_feeds.enqueue()
    queue.run()

    assert Article.objects.filter(source=courier).count() == 3
    imports = Job.objects.filter(task_path="articles.syndication.tasks.import_source_feed")
    assert sorted(job.args_kwargs["args"] for job in imports) == [[courier.pk], [down.pk]]
    done = imports.get(args_kwargs__args=[courier.pk])
    assert (done.state, done.return_value) == (
        "done",
        "Harbour City Courier: 3 created, 0 updated, 0 flagged, 0 skipped, 0 failed",
    )
    failing = imports.get(args_kwargs__args=[down.pk])
    assert failing.state == "retrying"
    assert "FeedError: cannot read http://127.0.0.1:9/rss: could not connect" in failing.error
    down.refresh_from_db()
    assert down.last_fetch_result.startswith("error: cannot read http://127.0.0.1:9/rss")


def test_a_source_whose_import_is_still_retrying_gets_no_second_job(down, queue):
    import_all_feeds.enqueue()
    queue.run()
    import_all_feeds.enqueue()
    queue.run()
    assert Job.objects.filter(task_path="articles.syndication.tasks.import_source_feed").count() == 1
    assert (
        Job.objects.filter(task_path="articles.syndication.tasks.import_all_feeds").latest("enqueued_at").return_value
        == "0 of 1 feed(s) queued"
    )


def test_a_feed_back_after_an_outage_is_imported_by_the_retry(courier, queue, feed_server):
    feed_url = courier.feed_url
    Source.objects.filter(pk=courier.pk).update(feed_url="http://127.0.0.1:9/feed.xml")
    import_source_feed.enqueue(courier.pk)
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        queue.run()
        job = Job.objects.get()
        assert job.state == "retrying" and job.next_run == now + datetime.timedelta(seconds=30)
        Source.objects.filter(pk=courier.pk).update(feed_url=feed_url)  # the server is back
        clock.shift(datetime.timedelta(seconds=30))
        queue.run()
    job.refresh_from_db()
    assert (job.state, job.attempts) == ("done", 2)
    assert Article.objects.filter(source=courier).count() == 3


def test_a_source_deleted_before_its_job_ran_is_nothing_to_import(courier, queue):
    import_source_feed.enqueue(courier.pk)
    courier.delete()
    queue.run()
    assert Job.objects.get().return_value == "no such source, or it has no feed URL any more"
