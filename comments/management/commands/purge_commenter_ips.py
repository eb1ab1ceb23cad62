"""Forget commenters' IP addresses after a while: `manage.py purge_commenter_ips`, from cron once a day.

IP addresses serve rate limits, spam fighting and bans while a comment is fresh; after
COMMENTS_IP_RETENTION_DAYS (default 30) they are cleared from comments and unconfirmed
comments. Unconfirmed comments that were confirmed or whose link expired, and privacy
requests, are deleted once as old: they have served their purpose.
"""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from comments import policy
from comments.models import ArticleComment, PendingComment, PrivacyRequest


class Command(BaseCommand):
    help = "Clear commenters' IP addresses older than --days (default: COMMENTS_IP_RETENTION_DAYS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Keep IP addresses this many days (default {settings.COMMENTS_IP_RETENTION_DAYS}).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only say what would be cleared.")

    def handle(self, *, days, dry_run, verbosity, **options):
        days = settings.COMMENTS_IP_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more.")
        now = timezone.now()
        cutoff = now - datetime.timedelta(days=days)
        link_expired = now - datetime.timedelta(days=policy.rule("CONFIRMATION_VALID_DAYS"))

        comments = ArticleComment.objects.filter(submit_date__lt=cutoff, ip_address__isnull=False)
        served = PendingComment.objects.filter(created_at__lt=cutoff).filter(
            Q(confirmed_at__isnull=False) | Q(created_at__lt=link_expired)
        )
        pending = PendingComment.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).exclude(
            pk__in=served.values("pk")
        )
        requests = PrivacyRequest.objects.filter(created_at__lt=cutoff)

        with transaction.atomic():
            if verbosity >= 2:
                for pk in comments.values_list("pk", flat=True):
                    self.stdout.write(f"comment {pk}")
            if dry_run:
                counts = comments.count(), pending.count(), served.count(), requests.count()
            else:
                counts = (
                    comments.update(ip_address=None),
                    pending.update(ip_address=None),
                    served.delete()[0],
                    requests.delete()[0],
                )
        if verbosity:
            verb = "Would clear" if dry_run else "Cleared"
            delete = "would delete" if dry_run else "deleted"
            self.stdout.write(
                f"{verb} the IP address of {counts[0]} comment(s) and {counts[1]} unconfirmed comment(s) "
                f"older than {days} day(s); {delete} {counts[2]} used or expired unconfirmed comment(s) "
                f"and {counts[3]} privacy request(s)."
            )
