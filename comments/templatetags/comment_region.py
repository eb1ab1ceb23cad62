"""Reader comments in the story templates: the region under a story, counts on list pages, comment text.

`articles` never imports `comments`; its templates load this library instead.
"""

import re

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import mark_safe

from .. import policy, selectors
from ..views.reading import reader_form

register = template.Library()

UGC_REL = ' rel="nofollow ugc noopener"'
# What urlize could turn into a link: a scheme, www., an address, or a domain it knows (its own rules).
# Text without any of these comes out of urlize escaped and nothing more, so it skips urlize, which is
# slow (a fifth of a story page's comments): tests/comments/test_comment_text.py checks both ways agree.
MAY_HOLD_LINKS = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)


@register.inclusion_tag("comments/region.html", takes_context=True)
def comment_region(context, article):
    """The comments under a story: count, this page of the thread, and the "Leave a Reply" form."""
    request = context.get("request")
    page_number = request.GET.get("comments") if request is not None else None
    page = selectors.comment_page(article, page_number, request=request)
    comments_open = policy.comments_open(article)
    user = context.get("user")
    return {
        "article": article,
        "request": request,
        "user": user,
        "perms": context.get("perms"),
        "can_moderate": policy.may_moderate(user),
        "csrf_token": context.get("csrf_token"),
        "page": page,
        "comment_count": page.count,
        "comments_open": comments_open,
        "show_actions": True,
        "form": reader_form(article, request) if comments_open else None,
    }


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
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), name)
    pattern = _address_patterns.get(key)
    if pattern is None:
        pattern = _address_patterns[key] = reverse(f"comments:{name}", args=[PK_STANDIN])
    return pattern.replace(PK_STANDIN, str(int(pk)))


@register.filter
def comment_time(value):
    """When a comment was posted, for people: as {{ value|date:"j F Y, H:i" }} in the current time zone.

    The date filter's general formatter took a tenth of a thread's time; this is its one format, directly.
    """
    local = timezone.localtime(value)
    return f"{local.day} {MONTHS[local.month]} {local:%Y, %H:%M}"


@register.simple_tag
def with_comment_counts(articles):
    """Set `comment_count` on each story of a list page, in one query; renders nothing.

    Pass the page's own list (e.g. `article_list`): it is evaluated here and the same
    objects are then looped over by the template.
    """
    selectors.with_comment_counts(articles)
    return ""


@register.filter
def comment_text(value):
    """A reader's text as HTML: everything escaped, paragraphs and line breaks kept, bare web
    addresses linked with rel="nofollow ugc noopener"."""
    text = str(value or "")
    if not MAY_HOLD_LINKS.search(text):
        return mark_safe(linebreaks(escape(text), autoescape=False))
    html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    # Only urlize's own attribute can match: a reader's quotes are escaped to &quot; by now.
    html = html.replace(' rel="nofollow"', UGC_REL)
    return mark_safe(linebreaks(html, autoescape=False))


@register.filter
def web_url(value):
    """The commenter's website, only when it is a plain http(s) address (never javascript: and the like)."""
    value = str(value or "").strip()
    return value if value.lower().startswith(("http://", "https://")) else ""
