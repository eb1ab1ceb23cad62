import datetime

from django import template

register = template.Library()


@register.filter
def machine_time(value):
    """A `<time datetime>` value: UTC to the second ("2026-11-28T09:05:00Z"), as HTML wants it."""
    if not isinstance(value, datetime.datetime):
        return ""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
