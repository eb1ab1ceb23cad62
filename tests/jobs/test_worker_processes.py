"""The queue with real worker processes (`manage.py run_worker`) on the test's database, SQLite or PostgreSQL.

A worker killed with SIGKILL in the middle of a job loses nothing: once its lease has run out another worker runs the
job again, and nothing shows twice — one mail per outbox row (the outbox's claim, taken back by the same job), one
story per feed entry (the importer's dedupe). Periodic jobs run once per period however many workers start at once.
(How the processes reach the test database: tests/processes.py; the workers' settings: settings_worker_processes.py.)
"""

import email
import socket
import threading

import pytest
from aiosmtpd.controller import Controller

from articles.models import Article, Source
from articles.syndication.tasks import import_source_feed
from comments import outbox
from comments.models import OutgoingMail
from jobs.models import Job, PeriodicRun
from tests.jobs import tasks
from tests.jobs.workers import past_the_lease, wait_until, workers_on_the_test_database

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_job_whose_worker_is_killed_runs_again_on_another_and_finishes_once(tmp_path, queue):
    marks = tmp_path / "marks"
    marks.mkdir()
    result = tasks.waits_for.enqueue(str(marks))

    with workers_on_the_test_database(tmp_path) as workers:
        first = workers.start()
        wait_until(lambda: len(list(marks.glob("started-*"))) == 1, what="the first worker to start the job")
        workers.kill(first)
        second = workers.start()
        wait_until(lambda: len(list(marks.glob("started-*"))) == 2, what="the second worker to take the job over")
        (marks / "go").touch()
        wait_until((marks / "finished").exists, what="the job to finish")
        workers.stop(second)

    job = Job.objects.get(pk=result.id)
    assert (job.state, job.attempts, job.return_value) == ("done", 2, "finished")
    assert (marks / "finished").read_text().splitlines() == [str(second.pid)]
    assert {mark.name for mark in marks.glob("started-*")} == {f"started-{first.pid}", f"started-{second.pid}"}


class HoldingInbox:
    """An SMTP server's handler that takes every message but holds the third in the middle of the conversation (the
    message sent, no answer yet) until `release`; it then refuses it, as a server whose client has gone does."""

    def __init__(self):
        self.subjects = []
        self.holding, self.release = threading.Event(), threading.Event()
        self.received = 0

    async def handle_DATA(self, server, session, envelope):
        import asyncio

        self.received += 1
        if self.received == 3:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
            return "451 4.4.2 Connection lost: not taken"
        self.subjects.append(email.message_from_bytes(envelope.content)["Subject"])
        return "250 Message accepted"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_mail_worker_killed_in_the_middle_of_a_message_loses_none_and_sends_each_once(tmp_path, queue):
    for n in range(6):
        outbox.enqueue(
            kind="test", to=[f"reader{n}@example.com"], subject=f"Message {n}", body="Hello", html="", headers={}
        )
    inbox, port = HoldingInbox(), free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with workers_on_the_test_database(tmp_path, EMAIL_URL=f"smtp://127.0.0.1:{port}") as workers:
            first = workers.start("--queue-name", "mail")
            wait_until(inbox.holding.is_set, what="the third message to be under way")
            workers.kill(first)
            inbox.release.set()
            past_the_lease()
            workers.finish(workers.start("--queue-name", "mail", "--batch"))
    finally:
        server.stop()

    assert sorted(inbox.subjects) == [f"Message {n}" for n in range(6)], "each message once"
    assert not OutgoingMail.objects.exists()
    jobs = Job.objects.filter(task_path="comments.tasks.deliver_mail")
    assert [job.state for job in jobs] == ["done"] * 6
    assert sorted(job.attempts for job in jobs) == [1, 1, 1, 1, 1, 2], "the interrupted one ran again, at once"


class Gate:
    """Passed as a feed-server route's barrier: the request waits here until `open`."""

    def __init__(self):
        self.reached, self.opened = threading.Event(), threading.Event()

    def wait(self):
        self.reached.set()
        self.opened.wait(timeout=60)


ENTRIES = 12
HELD_IMAGE = 5


def feed_with_images(base):
    items = "".join(
        f"<item><title>Story number {n}</title><link>https://wire.example/stories/{n}</link>"
        f'<guid isPermaLink="false">wire-{n}</guid><description>What happened, part {n}.</description>'
        f'<media:content url="{base}/images/{n}.png" medium="image" type="image/png"/></item>'
        for n in range(ENTRIES)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/">'
        f"<channel><title>Wire</title>{items}</channel></rss>"
    ).encode()


def test_an_import_killed_half_way_through_a_feed_imports_each_entry_once(tmp_path, queue, section, feed_server):
    gate = Gate()
    for n in range(ENTRIES):
        feed_server.serve_image(f"/images/{n}.png", barrier=gate if n == HELD_IMAGE else None)
    source = Source.objects.create(
        name="Wire",
        slug="wire",
        homepage="https://wire.example/",
        feed_url=feed_server.serve("/feed.xml", feed_with_images(feed_server.base)),
        default_section=section,
    )
    result = import_source_feed.enqueue(source.pk)

    with workers_on_the_test_database(tmp_path) as workers:
        first = workers.start()
        wait_until(gate.reached.is_set, what=f"the import to reach entry {HELD_IMAGE}")
        workers.kill(first)
        gate.opened.set()
        past_the_lease()
        workers.finish(workers.start("--batch"))

    assert Article.objects.count() == ENTRIES
    assert sorted(Article.objects.values_list("source_guid", flat=True)) == sorted(f"wire-{n}" for n in range(ENTRIES))
    assert all(Article.objects.values_list("lead_image", flat=True)), "the held entry got its image the second time"
    job = Job.objects.get(pk=result.id)
    assert (job.state, job.attempts) == ("done", 2)
    created_first = HELD_IMAGE  # entries 0..4 were saved before the kill
    assert job.return_value == (
        f"Wire: {ENTRIES - created_first} created, 0 updated, 0 flagged, {created_first} skipped, 0 failed"
    )
    assert feed_server.hits("/feed.xml") == 2


def test_workers_starting_at_the_same_moment_run_each_periodic_job_once(tmp_path, queue):
    schedule = "tests.jobs.tasks.succeeds,jobs.tasks.prune_jobs"
    with workers_on_the_test_database(tmp_path, WORKER_TEST_SCHEDULE=schedule) as workers:
        started = [workers.start("--batch") for _ in range(4)]
        for worker in started:
            workers.finish(worker)

    assert sorted(PeriodicRun.objects.values_list("task_path", flat=True)) == sorted(schedule.split(","))
    jobs = Job.objects.all()
    assert sorted(job.task_path for job in jobs) == sorted(schedule.split(","))
    assert [(job.state, job.attempts) for job in jobs] == [("done", 1)] * 2
