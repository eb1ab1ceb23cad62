"""The outbox: how comment mail reaches the mail server, whatever the mail says.

Each message is written to `OutgoingMail` inside the transaction that makes the change it reports (a rollback takes
the mail with it), together with the background job that sends it (`comments.tasks.deliver_mail`, on the "mail"
queue): with the queue in the database the job is a row of the same transaction, so it exists exactly when the
message does, and a worker sends it within about a second of the commit. Neither the reader's request nor the
editor's waits for the mail server. (With another task backend, the test suite's immediate one, the job is enqueued
once the transaction has committed.)

A mail server that is down or slow never loses a comment nor the mail: the failure is logged, the message stays in
the outbox with its error, and its job runs again when the message is due, after a growing delay (`retry_delay`),
until MAX_ATTEMPTS; the periodic `send_queued_mail` job is the net under it. Each message is sent once: a sender
claims it first (`CLAIM`), and only the job holding the claim may take it back before the claim ends — the same job
run again after its worker was killed.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jobs.queue import in_the_database

from .models import OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # about a day of retries, then the message waits for a person (see the admin)
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)
# A send in progress claims its message for this long, so a second sender leaves it alone;
# a sender that dies mid-send leaves it to be retried once this has passed (or by its own job, run again).
CLAIM = datetime.timedelta(minutes=5)

SENT, FAILED, NOT_NOW = "sent", "failed", "not now"


def enqueue(*, kind, to, subject, body, html, headers):
    """Write one message to the outbox, from DEFAULT_FROM_EMAIL, with the job that sends it after commit."""
    from .tasks import deliver_mail  # the tasks module imports this one

    mail = OutgoingMail.objects.create(
        kind=kind,
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipients="\n".join(to),
        subject=subject,
        body=body,
        html=html,
        headers=headers,
        next_attempt_at=timezone.now(),
    )
    if in_the_database(deliver_mail):
        deliver_mail.enqueue(mail.pk)
    else:
        transaction.on_commit(lambda: deliver_mail.enqueue(mail.pk), robust=True)
    return mail


def retry_delay(attempts):
    """5 minutes after the first failure, doubling up to 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def attempt(pk, *, claimant=""):
    """Send one message from the outbox if it is due and nobody else is sending it. Never raises.

    `claimant` names the sender (a job's id): the same sender may take back its own claim at once. Returns SENT
    (and the message is gone from the outbox), FAILED (its error and next attempt recorded) or NOT_NOW (not due,
    someone else's claim, or not there).
    """
    now = timezone.now()
    mine = Q(next_attempt_at__lte=now)
    if claimant:
        mine |= Q(next_attempt_at__isnull=False, claimed_by=claimant)
    claimed = OutgoingMail.objects.filter(mine, pk=pk).update(next_attempt_at=now + CLAIM, claimed_by=claimant)
    if not claimed:
        return NOT_NOW
    mail = OutgoingMail.objects.get(pk=pk)
    message = EmailMultiAlternatives(mail.subject, mail.body, mail.from_email, mail.to, headers=mail.headers)
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    try:
        message.send()
    except Exception as error:
        attempts = mail.attempts + 1
        retry_at = timezone.now() + retry_delay(attempts) if attempts < MAX_ATTEMPTS else None
        OutgoingMail.objects.filter(pk=pk).update(
            attempts=attempts,
            next_attempt_at=retry_at,
            claimed_by="",
            last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.exception(
            "Could not send %r mail to %d recipient(s), attempt %d of %d; %s",
            mail.kind,
            len(mail.to),
            attempts,
            MAX_ATTEMPTS,
            f"retrying after {retry_at:%Y-%m-%d %H:%M:%S} UTC"
            if retry_at
            else "giving up: see Outgoing mail in the admin",
        )
        return FAILED
    mail.delete()
    return SENT


def deliver(pk):
    """Send one message if it is due and nobody else is sending it; True when it was sent. Never raises."""
    return attempt(pk) == SENT


def send_queued(limit=None):
    """Send every message that is due, oldest first. Returns (sent, failed)."""
    pks = list(due().values_list("pk", flat=True)[:limit])
    sent = sum(deliver(pk) for pk in pks)
    return sent, len(pks) - sent


def due():
    return OutgoingMail.objects.filter(next_attempt_at__lte=timezone.now()).order_by("next_attempt_at", "pk")
