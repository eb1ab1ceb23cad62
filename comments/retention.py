"""How long commenters' data is kept: IP addresses for COMMENTS_IP_RETENTION_DAYS (default 30), then cleared.

IP addresses serve rate limits, spam fighting and bans while a comment is fresh; after the retention period they are
cleared from comments and unconfirmed comments. Unconfirmed comments that were confirmed or whose link expired, and
privacy requests, are deleted once as old: they have served their purpose. Run daily by the periodic job
`comments.tasks.purge_commenter_ips`, and by hand with `manage.py purge_commenter_ips`.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import policy
from .models import ArticleComment, PendingComment, PrivacyRequest


@dataclass(frozen=True)
class Purged:
    comments: int
    pending: int
    served: int
    requests: int


def purge_old_ips(days=None, *, dry_run=False, each_comment=None):
    """Clear IP addresses older than `days` (default COMMENTS_IP_RETENTION_DAYS) and delete what has served its
    purpose; with `dry_run`, only count. `each_comment(pk)` is told every comment concerned. Returns the counts."""
    days = settings.COMMENTS_IP_RETENTION_DAYS if days is None else days
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
        if each_comment:
            for pk in comments.values_list("pk", flat=True):
                each_comment(pk)
        if dry_run:
            return Purged(comments.count(), pending.count(), served.count(), requests.count())
        return Purged(
            comments.update(ip_address=None),
            pending.update(ip_address=None),
            served.delete()[0],
            requests.delete()[0],
        )
