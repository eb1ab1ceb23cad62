"""Forget commenters' IP addresses after a while: `manage.py purge_commenter_ips`, by hand. The periodic job
`comments.tasks.purge_commenter_ips` does the same every day (comments/retention.py says what and why)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comments.retention import purge_old_ips


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
        each = (lambda pk: self.stdout.write(f"comment {pk}")) if verbosity >= 2 else None
        counts = purge_old_ips(days, dry_run=dry_run, each_comment=each)
        if verbosity:
            verb = "Would clear" if dry_run else "Cleared"
            delete = "would delete" if dry_run else "deleted"
            self.stdout.write(
                f"{verb} the IP address of {counts.comments} comment(s) and {counts.pending} unconfirmed comment(s) "
                f"older than {days} day(s); {delete} {counts.served} used or expired unconfirmed comment(s) "
                f"and {counts.requests} privacy request(s)."
            )
