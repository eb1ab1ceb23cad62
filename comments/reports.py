"""How often readers may send notices of illegal content: each one mails its sender and every moderator, so a few an
hour per address and per connection, like privacy requests (comments.policy.privacy_request_allowed)."""

import datetime

from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import IllegalContentReport

REPORTS_PER_HOUR = 5
REPORTS_PER_HOUR_PER_IP = 10
WINDOW = datetime.timedelta(hours=1)


def _ip_key(ip_address):
    # A keyed hash: the shared cache never holds the reader's address itself.
    digest = salted_hmac("comments.illegal-report.ip", ip_address or "", algorithm="sha256").hexdigest()
    return f"illegal-reports:{digest}"


def report_allowed(email, ip_address):
    recent = IllegalContentReport.objects.filter(created_at__gte=timezone.now() - WINDOW)
    by_address = recent.filter(reporter_email__iexact=email).count()
    by_ip = cache.get(_ip_key(ip_address), 0)
    return by_address < REPORTS_PER_HOUR and by_ip < REPORTS_PER_HOUR_PER_IP


def report_counted(ip_address):
    """One more notice from this connection within the hour (the count starts with its first notice)."""
    key = _ip_key(ip_address)
    cache.add(key, 0, timeout=int(WINDOW.total_seconds()))
    try:
        cache.incr(key)
    except ValueError:  # it ended between add and incr
        cache.set(key, 1, timeout=int(WINDOW.total_seconds()))
