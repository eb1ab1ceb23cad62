"""The comments' background jobs, run by `manage.py run_worker` (jobs/): the outbox's mail, and forgetting commenters'
IP addresses. The periodic ones are scheduled in JOBS_SCHEDULE (newsroom/settings.py)."""

import dataclasses

from django_tasks import task

from jobs.queue import GiveUp, RetryAt, enqueue_once

from . import outbox, retention
from .models import OutgoingMail


@task(queue_name="mail", priority=10, takes_context=True)
def deliver_mail(context, pk):
    """Send one message of the outbox (enqueued with it: comments/outbox.py). While the message waits for another
    attempt the job waits with it, and it fails with the outbox's last error when the outbox gives up."""
    outcome = outbox.attempt(pk, claimant=str(context.task_result.id))
    if outcome == outbox.SENT:
        return "sent"
    mail = OutgoingMail.objects.filter(pk=pk).only("attempts", "next_attempt_at", "last_error").first()
    if mail is None:
        return "not in the outbox: sent by another sender, or erased"
    if mail.next_attempt_at is None:
        raise GiveUp(f"the outbox gave up after {mail.attempts} attempt(s): {mail.last_error}")
    if outcome == outbox.FAILED:
        raise RetryAt(
            mail.next_attempt_at, f"attempt {mail.attempts} of {outbox.MAX_ATTEMPTS} failed: {mail.last_error}"
        )
    raise RetryAt(mail.next_attempt_at, "not due yet, or another sender is sending it: looking again then")


@task()
def send_queued_mail():
    """Every 5 minutes, the net under deliver_mail: a job for each message that is due and has none (queued while
    jobs were enqueued elsewhere, or made due again by `manage.py send_queued_mail --retry-given-up`)."""
    pks = outbox.due().values_list("pk", flat=True)[:1000]
    given = sum(enqueue_once(deliver_mail, pk) is not None for pk in pks)
    return f"{given} message(s) given a job"


@task()
def purge_commenter_ips():
    """Daily: clear commenters' IP addresses past COMMENTS_IP_RETENTION_DAYS (comments/retention.py)."""
    return dataclasses.asdict(retention.purge_old_ips())
