"""The comments' background jobs on the queue in the database, as production runs them (`queue`: tests/conftest.py):
each message of the outbox has a job written in the same transaction, sent by a worker, once, however many jobs ask;
the job waits while the outbox retries and fails, with the outbox's error, when the outbox gives up; the periodic
sweep gives a job to a message that has none; the daily purge of commenters' IP addresses."""

import datetime
import socket

import pytest
import time_machine
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from comments import notifications, outbox
from comments.models import ArticleComment, OutgoingMail
from comments.tasks import deliver_mail, purge_commenter_ips, send_queued_mail
from jobs.models import Job
from tests.makers import comment_form_data, make_comment

pytestmark = pytest.mark.django_db


def held_mail(article, to="desk@newsroom.example"):
    return notifications.send("comment-held", {"comment": None, "article": article, "review_url": "x"}, [to])


def test_a_comments_mail_is_written_with_its_job_and_sent_by_the_worker(
    client, reader, article, settings, queue, mailoutbox
):
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]
    client.force_login(reader)
    client.post(reverse("comments:post"), comment_form_data(article, comment="Held for the desk"))

    [mail] = OutgoingMail.objects.all()
    [job] = Job.objects.all()
    assert (job.task_path, job.queue_name, job.args_kwargs["args"], job.state) == (
        "comments.tasks.deliver_mail",
        "mail",
        [mail.pk],
        "waiting",
    )
    assert mailoutbox == [], "the request only queued it"

    queue.run()
    assert [m.to for m in mailoutbox] == [["desk@newsroom.example"]]
    assert not OutgoingMail.objects.exists()
    job.refresh_from_db()
    assert (job.state, job.return_value) == ("done", "sent")


def test_a_change_rolled_back_takes_its_mail_and_the_mails_job_with_it(article, queue):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_comment(article)
        held_mail(article)
        raise RuntimeError("the rest of the change failed")
    assert not ArticleComment.objects.exists() and not OutgoingMail.objects.exists() and not Job.objects.exists()


def test_two_jobs_for_one_message_send_it_once(article, queue, mailoutbox):
    mail = held_mail(article)
    deliver_mail.enqueue(mail.pk)  # say, the sweep's, before the first ran
    queue.run()
    assert len(mailoutbox) == 1
    assert sorted(Job.objects.values_list("return_value", flat=True)) == [
        "not in the outbox: sent by another sender, or erased",
        "sent",
    ]


@pytest.fixture
def refused(settings):
    """A mail server that refuses every connection (nothing listens on the port)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_the_mails_job_waits_while_the_outbox_retries_and_fails_when_it_gives_up(article, queue, refused):
    now = timezone.now()
    with time_machine.travel(now, tick=False) as clock:
        mail = held_mail(article)
        for attempt in range(1, outbox.MAX_ATTEMPTS):
            queue.run()
            mail.refresh_from_db()
            job = Job.objects.get()
            assert (mail.attempts, job.state, job.next_run) == (attempt, "retrying", mail.next_attempt_at)
            assert f"attempt {attempt} of 10 failed: ConnectionRefusedError" in job.error
            clock.move_to(mail.next_attempt_at)
        queue.run()

    job = Job.objects.get()
    assert job.state == "failed"
    assert job.error.startswith("jobs.queue.GiveUp: the outbox gave up after 10 attempt(s): ConnectionRefusedError")
    assert OutgoingMail.objects.get().next_attempt_at is None, "kept for a person (send_queued_mail --retry-given-up)"


def test_the_sweep_gives_a_job_to_each_message_due_that_has_none(article, queue, mailoutbox):
    with_job = held_mail(article, "one@example.com")
    orphan = OutgoingMail.objects.create(
        kind="comment-held",
        from_email="x@example.com",
        recipients="two@example.com",
        subject="S",
        body="B",
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    send_queued_mail.enqueue()
    queue.run()

    assert sorted(m.to[0] for m in mailoutbox) == ["one@example.com", "two@example.com"]
    jobs = Job.objects.filter(task_path="comments.tasks.deliver_mail")
    assert sorted(job.args_kwargs["args"][0] for job in jobs) == sorted([with_job.pk, orphan.pk]), "one job each"
    assert Job.objects.get(task_path="comments.tasks.send_queued_mail").return_value == "1 message(s) given a job"


def test_the_daily_job_clears_old_ip_addresses(article, queue):
    old = make_comment(article, ip="192.0.2.1")
    ArticleComment.objects.filter(pk=old.pk).update(submit_date=timezone.now() - datetime.timedelta(days=31))
    new = make_comment(article, ip="192.0.2.2")
    purge_commenter_ips.enqueue()
    queue.run()
    assert ArticleComment.objects.get(pk=old.pk).ip_address is None
    assert ArticleComment.objects.get(pk=new.pk).ip_address == "192.0.2.2"
    assert Job.objects.get().return_value == {"comments": 1, "pending": 0, "served": 0, "requests": 0}
