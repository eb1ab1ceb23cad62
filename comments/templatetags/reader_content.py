"""What a reader wrote, made safe for a page or a mail: the comment's text and the commenter's website."""

import re

from django import template
from django.utils.html import escape, linebreaks, urlize
from django.utils.safestring import mark_safe

register = template.Library()

UGC_REL = ' rel="nofollow ugc noopener"'
# What urlize could turn into a link: a scheme, www., an address, or a domain it knows (its own rules).
# Text without any of these comes out of urlize escaped and nothing more, so it skips urlize, which is
# slow (a fifth of a story page's comments): tests/comments/test_comment_text.py checks both ways agree.
MAY_HOLD_LINKS = re.compile(r"://|www\.|@|\.(?:com|edu|gov|int|mil|net|org)\b", re.IGNORECASE)
# escape and linebreaks themselves, without keep_lazy's look for lazy arguments: the text is a str by then, and the
# look cost about as much as the work (for each comment of a thread).
_escape, _linebreaks = escape.__wrapped__, linebreaks.__wrapped__


@register.filter
def comment_text(value):
    """A reader's text as HTML: everything escaped, paragraphs and line breaks kept, bare web
    addresses linked with rel="nofollow ugc noopener"."""
    text = str(value or "")
    if not MAY_HOLD_LINKS.search(text):
        return mark_safe(_linebreaks(_escape(text), autoescape=False))
    html = urlize(text, trim_url_limit=60, nofollow=True, autoescape=True)
    # Only urlize's own attribute can match: a reader's quotes are escaped to &quot; by now.
    html = html.replace(' rel="nofollow"', UGC_REL)
    return mark_safe(_linebreaks(html, autoescape=False))


@register.filter
def web_url(value):
    """The commenter's website, only when it is a plain http(s) address (never javascript: and the like)."""
    value = str(value or "").strip()
    return value if value.lower().startswith(("http://", "https://")) else ""
