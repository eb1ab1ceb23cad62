"""The outbox: how comment mail reaches the mail server, whatever the mail says.

Each message is written to `OutgoingMail` inside the transaction that makes the change it reports (a
rollback takes the mail with it), then sent once that transaction has committed: during a web request,
only after the response has gone out (Django's request_finished), so a reader never waits for the mail
server; elsewhere (commands, the shell) at once. A mail server that is down or slow never loses a comment
nor the mail: the failure is logged, the message stays in the outbox with its error, and
`manage.py send_queued_mail` (cron, every few minutes) retries it with a growing delay.
"""

import contextvars
import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from .models import OutgoingMail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10  # about a day of retries, then the message waits for a person (see the admin)
FIRST_RETRY = datetime.timedelta(minutes=5)
LONGEST_RETRY = datetime.timedelta(hours=6)
# A send in progress claims its message for this long, so a second sender leaves it alone;
# a sender that dies mid-send leaves it to be retried once this has passed.
CLAIM = datetime.timedelta(minutes=5)


def enqueue(*, kind, to, subject, body, html, headers):
    """Write one message to the outbox, from DEFAULT_FROM_EMAIL; it is sent after commit."""
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
    transaction.on_commit(lambda: _deliver_soon(mail.pk))
    return mail


# The outbox's messages committed during the request being answered; None outside a request.
_after_response = contextvars.ContextVar("comments_mail_after_response", default=None)


def _deliver_soon(pk):
    waiting = _after_response.get()
    if waiting is None:
        deliver(pk)
    else:
        waiting.append(pk)


def request_started(**kwargs):
    _after_response.set([])


def request_finished(**kwargs):
    """The response is out: send what the request committed (connected in CommentsConfig.ready)."""
    waiting = _after_response.get()
    _after_response.set(None)
    for pk in waiting or ():
        try:
            deliver(pk)
        except Exception:  # the database went away: the message waits in the outbox for send_queued_mail
            logger.exception("Could not send mail %s after the response; it stays in the outbox", pk)


def retry_delay(attempts):
    """5 minutes after the first failure, doubling up to 6 hours."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_RETRY)


def deliver(pk):
    """Send one message from the outbox if it is due and nobody else is sending it. Never raises.

    True when it was sent (and removed from the outbox), False otherwise.
    """
    now = timezone.now()
    claimed = OutgoingMail.objects.filter(pk=pk, next_attempt_at__lte=now).update(next_attempt_at=now + CLAIM)
    if not claimed:
        return False
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
            attempts=attempts, next_attempt_at=retry_at, last_error=f"{type(error).__name__}: {error}"[:500]
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
        return False
    mail.delete()
    return True


def send_queued(limit=None):
    """Send every message that is due, oldest first. Returns (sent, failed)."""
    due = OutgoingMail.objects.filter(next_attempt_at__lte=timezone.now()).order_by("next_attempt_at", "pk")
    pks = list(due.values_list("pk", flat=True)[:limit])
    sent = sum(deliver(pk) for pk in pks)
    return sent, len(pks) - sent
