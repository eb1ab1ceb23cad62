"""The addresses of one comment's pages, as a thread prints them for every comment."""

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()

# A number no comment has, for the address patterns below.
PK_STANDIN = "8231946570"
_address_patterns = {}


@register.simple_tag
def comment_url(name, pk):
    """The address of one comment's page `name` ("permalink", "reply", "flag", "edit", "delete").

    Like {% url "comments:<name>" pk %}, reversing each name once per URLconf and script prefix: the
    comment's number is the only part that changes, and a thread of 50 comments reversed 150 times
    (a sixth of a story page's time).
    """
    return _address(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name, pk)


def comment_urls():
    """comment_url for the many comments of one render (a thread), the same addresses: the URLconf and script
    prefix are looked up once, not twice a link (each a context-local lookup)."""
    urlconf, prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()

    def comment_url(name, pk):
        return _address(urlconf, prefix, name, pk)

    return comment_url


def _address(urlconf, prefix, name, pk):
    key = (urlconf, prefix, name)
    pattern = _address_patterns.get(key)
    if pattern is None:
        pattern = _address_patterns[key] = reverse(f"comments:{name}", args=[PK_STANDIN])
    return pattern.replace(PK_STANDIN, str(int(pk)))
