"""The mail outbox: a mail server that is down or slow never loses a comment or its mail.

Mail is written to `OutgoingMail` in the transaction that makes the change it reports, with the job
that sends it after commit (here at once, in the test's process, unless the test runs the `queue`),
and on failure kept with its error, logged, and retried with a growing delay (by its job, or by
`manage.py send_queued_mail`). A real SMTP server (aiosmtpd) on 127.0.0.1 plays the mail server that comes
back; a socket that never answers plays the slow one.
"""

import datetime
import logging
import re
import socket
import time
from io import StringIO

import pytest
import requests
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments import notifications, outbox
from comments.models import ArticleComment, ModerationDecision, OutgoingMail, PendingComment
from jobs.models import Job
from tests import figures
from tests.makers import comment_form_data

pytestmark = pytest.mark.django_db


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    """aiosmtpd handler that keeps every message it is given."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp(settings):
    """Point Django's SMTP backend at a port on 127.0.0.1; `start()` opens a real SMTP server there."""
    port = free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False

    class Server:
        inbox = Inbox()
        controller = None

        def start(self):
            self.controller = Controller(self.inbox, hostname="127.0.0.1", port=port)
            self.controller.start()

    server = Server()
    yield server
    if server.controller:
        server.controller.stop()


def send_queued_mail(*args):
    out = StringIO()
    call_command("send_queued_mail", *args, stdout=out)
    return out.getvalue()


def test_a_comment_posted_while_the_mail_server_is_down_is_saved_and_its_mail_sent_later(
    client, article, smtp, on_commit, caplog
):
    with caplog.at_level(logging.ERROR, logger="comments.outbox"), on_commit():
        response = client.post(reverse("comments:post"), comment_form_data(article, comment="Worth the wait"))

    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    assert PendingComment.objects.filter(comment="Worth the wait").exists()
    [mail] = OutgoingMail.objects.all()
    assert (mail.kind, mail.to, mail.attempts) == ("comment-confirm", ["pat@example.com"], 1)
    assert "ConnectionRefusedError" in mail.last_error
    assert "Could not send 'comment-confirm' mail to 1 recipient(s), attempt 1 of 10; retrying after" in caplog.text

    smtp.start()
    assert send_queued_mail() == "Sent 0 message(s); 1 waiting for a later attempt, 0 given up.\n"  # not due yet
    with time_machine.travel(datetime.timedelta(minutes=6)):
        assert send_queued_mail() == "Sent 1 message(s); 0 waiting for a later attempt, 0 given up.\n"

    [envelope] = smtp.inbox.messages
    assert envelope.rcpt_tos == ["pat@example.com"]
    link = re.search(rb"http://127\.0\.0\.1:8000(/comments/confirm/[^/\s]+/)", envelope.content).group(1)
    assert not OutgoingMail.objects.exists()
    assert client.get(link.decode()).status_code == 200
    assert ArticleComment.objects.filter(comment="Worth the wait").exists()


def test_a_mail_server_that_never_answers_does_not_hang_the_request(client, reader, article, smtp, settings, queue):
    """A socket that accepts connections and never says a word: the request only queues the mail and answers at
    once; the worker then waits EMAIL_TIMEOUT, and the mail and its job wait for a retry."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", smtp_port := free_port()))
    silent.listen(5)
    try:
        settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = smtp_port, 1
        settings.MANAGERS = [("Desk", "desk@newsroom.example")]
        client.force_login(reader)
        started = time.monotonic()
        response = client.post(reverse("comments:post"), comment_form_data(article, comment="Patience"))
        elapsed = time.monotonic() - started
        [mail] = OutgoingMail.objects.all()
        assert (mail.kind, mail.attempts) == ("comment-held", 0)
        queue.run()
    finally:
        silent.close()

    assert response.status_code == 200 and "awaiting moderation" in response.content.decode()
    assert ArticleComment.objects.filter(comment="Patience").exists()
    assert elapsed < settings.EMAIL_TIMEOUT
    mail.refresh_from_db()
    assert mail.attempts == 1 and "timed out" in mail.last_error
    [job] = Job.objects.all()
    assert (job.task_name, job.state, job.next_run) == ("deliver_mail", "retrying", mail.next_attempt_at)
    figures.record("Faults", slow_smtp_request_seconds=round(elapsed, 2))


def test_mail_is_sent_after_commit_and_leaves_the_outbox(client, reader, article, settings, on_commit, mailoutbox):
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]
    client.force_login(reader)
    with on_commit():
        client.post(reverse("comments:post"), comment_form_data(article))
    assert [m.to for m in mailoutbox] == [["desk@newsroom.example"]]
    assert not OutgoingMail.objects.exists()


def test_retries_wait_longer_each_time_then_give_up(article, smtp, on_commit):
    with on_commit():
        notifications.send("comment-held", {"comment": None, "article": article, "review_url": "x"}, ["a@example.com"])
    delays, failed_at = [], timezone.now()
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        mail = OutgoingMail.objects.get()
        delays.append(round((mail.next_attempt_at - failed_at).total_seconds() / 60))
        failed_at = mail.next_attempt_at + datetime.timedelta(seconds=1)
        with (
            time_machine.travel(failed_at, tick=False),
            pytest.raises(CommandError, match="1 message\\(s\\) could not be sent"),
        ):
            send_queued_mail()
    mail = OutgoingMail.objects.get()
    assert delays == [5, 10, 20, 40, 80, 160, 320, 360, 360]
    assert mail.attempts == outbox.MAX_ATTEMPTS and mail.next_attempt_at is None

    smtp.start()
    assert send_queued_mail() == "Sent 0 message(s); 0 waiting for a later attempt, 1 given up.\n"
    assert "1 given-up message(s) are due again." in send_queued_mail("--retry-given-up")
    assert not OutgoingMail.objects.exists() and len(smtp.inbox.messages) == 1


def test_a_message_being_sent_is_not_sent_twice(article, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail = notifications.send("comment-held", {"comment": None, "article": article, "review_url": "x"}, ["a@x.org"])
    OutgoingMail.objects.filter(pk=mail.pk).update(next_attempt_at=mail.next_attempt_at + outbox.CLAIM)
    assert outbox.deliver(mail.pk) is False  # another sender holds it


def test_the_command_refuses_a_bad_limit():
    with pytest.raises(CommandError, match="--limit must be at least 1"):
        send_queued_mail("--limit", "0")


def test_a_failure_in_the_middle_leaves_nothing_half_written(reader, article, settings):
    """Comment, decision and outbox are one transaction: a mail that cannot be rendered takes them all back."""
    settings.MANAGERS = [("Desk", "desk@newsroom.example")]
    broken = {"emails/comment-held-body.html": "{% url 'no-such-page' %}"}
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    ("django.template.loaders.locmem.Loader", broken),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    client = Client(raise_request_exception=False)
    client.force_login(reader)
    response = client.post(reverse("comments:post"), comment_form_data(article, comment="Half a thought"))

    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    assert not ArticleComment.objects.exists()
    assert not ModerationDecision.objects.exists()
    assert not OutgoingMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_reader_gets_the_answer_while_the_mail_server_is_still_silent(live_server, article, smtp, settings, queue):
    """A real server and a real HTTP client: the comment's confirmation mail is a job, so the reader's answer comes
    back while the mail is still queued, untried; then a worker tries it, the send times out, and the mail waits in
    the outbox for a retry, its job with it."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", smtp_port := free_port()))
    silent.listen(5)
    settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = smtp_port, 2
    try:
        with requests.Session() as browser:
            story = browser.get(live_server.url + article.get_absolute_url(), timeout=10)
            response = browser.post(
                live_server.url + reverse("comments:post"),
                data=comment_form_data(article, comment="Sent at once"),
                # The last request closes the connection: a server thread kept waiting on it for a next request
                # would outlive the test's database.
                headers={"Referer": story.url, "Origin": live_server.url, "Connection": "close"},
                timeout=10,
            )
        assert response.status_code == 200 and "Check your email" in response.text
        assert response.elapsed.total_seconds() < settings.EMAIL_TIMEOUT
        [mail] = OutgoingMail.objects.all()
        assert (mail.kind, mail.attempts, mail.last_error) == ("comment-confirm", 0, ""), "not yet tried"
        assert PendingComment.objects.filter(comment="Sent at once").exists()
        [job] = Job.objects.all()
        assert (job.task_name, job.state, job.args_kwargs["args"]) == ("deliver_mail", "waiting", [mail.pk])

        queue.run()  # the worker: waits for the silent mail server until EMAIL_TIMEOUT
    finally:
        silent.close()
    mail.refresh_from_db()
    job.refresh_from_db()
    assert mail.attempts == 1 and "timed out" in mail.last_error
    assert mail.next_attempt_at is not None, "kept for a retry"
    assert job.state == "retrying" and job.next_run == mail.next_attempt_at
    assert "attempt 1 of 10 failed: SMTPServerDisconnected" in job.error
