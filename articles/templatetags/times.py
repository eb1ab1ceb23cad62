"""Moments in pages: `machine_time` for a `<time datetime>` and machines, `human_time` for people.

`human_time` is also the one way Python code (the desk's messages, revision comparisons) writes a moment
for people, so a page and a message say a time the same way.
"""

import datetime

from django import template
from django.utils import timezone
from django.utils.dates import MONTHS

register = template.Library()


@register.filter
def machine_time(value):
    """A `<time datetime>` value: UTC to the second ("2026-11-28T09:05:00Z"), as HTML wants it."""
    if not isinstance(value, datetime.datetime):
        return ""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@register.filter
def human_time(value, precision="minutes"):
    """A moment for people in the site's time zone: "3 May 2026, 14:05", or "3 May 2026, 14:05:09" with
    `precision` "seconds" (what the date filter writes for "j F Y, H:i" and "j F Y, H:i:s"); "" for none."""
    if not isinstance(value, datetime.datetime):
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return _words(local, MONTHS[local.month], precision)


def human_times():
    """human_time for the many moments of one render (a thread's comments), the same words: the current time zone
    and language are looked up once, not once a moment (each a context-local lookup, and a month name's translation)."""
    zone = timezone.get_current_timezone()
    months = {}

    def human_time(value, precision="minutes"):
        if not isinstance(value, datetime.datetime):
            return ""
        local = value.astimezone(zone) if timezone.is_aware(value) else value
        month = months.get(local.month)
        if month is None:
            month = months[local.month] = str(MONTHS[local.month])
        return _words(local, month, precision)

    return human_time


def _words(local, month, precision):
    clock = f"{local:%H:%M:%S}" if precision == "seconds" else f"{local:%H:%M}"
    return f"{local.day} {month} {local.year:04d}, {clock}"
