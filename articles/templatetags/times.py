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
    clock = f"{local:%H:%M:%S}" if precision == "seconds" else f"{local:%H:%M}"
    return f"{local.day} {MONTHS[local.month]} {local.year:04d}, {clock}"
