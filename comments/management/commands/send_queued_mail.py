"""Send the mail waiting in the outbox now, in this process: `manage.py send_queued_mail`.

Mail is sent by the background worker as soon as the change it reports is committed, and retried
there (comments/tasks.py); this is for a person, or for a cron line where no worker runs: it sends
what is due (each message after its retry delay: 5 minutes, doubling to 6 hours, 10 attempts), and
`--retry-given-up` makes the messages the outbox gave up on due again after a long outage. Exits 1
when a message failed again, so cron and monitoring notice.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from comments import outbox
from comments.models import OutgoingMail


class Command(BaseCommand):
    help = "Send the comment mail that is waiting in the outbox and due for another attempt."

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500, help="Send at most this many messages (default 500).")
        parser.add_argument(
            "--retry-given-up",
            action="store_true",
            help=f"Make messages that failed {outbox.MAX_ATTEMPTS} times due again (mail server fixed).",
        )

    def handle(self, *, limit, retry_given_up, verbosity, **options):
        if limit < 1:
            raise CommandError("--limit must be at least 1.")
        if retry_given_up:
            revived = OutgoingMail.objects.filter(next_attempt_at__isnull=True).update(
                next_attempt_at=timezone.now(), attempts=0
            )
            if verbosity:
                self.stdout.write(f"{revived} given-up message(s) are due again.")
        sent, failed = outbox.send_queued(limit=limit)
        waiting = OutgoingMail.objects.filter(next_attempt_at__isnull=False).count()
        given_up = OutgoingMail.objects.filter(next_attempt_at__isnull=True).count()
        if verbosity:
            self.stdout.write(f"Sent {sent} message(s); {waiting} waiting for a later attempt, {given_up} given up.")
        if failed:
            raise CommandError(f"{failed} message(s) could not be sent (the log says why); they stay in the outbox.")
