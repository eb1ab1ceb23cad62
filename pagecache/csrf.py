"""Each visitor's own CSRF token in cached pages.

A story page holds the "Leave a Reply" form, and the form holds the visitor's CSRF token. A cached copy
must not carry one visitor's token to the next: theirs would not match it (so they could not comment),
and the first visitor's token would be handed to strangers. So a page rendered for the cache gets a
placeholder where the token goes (the context processor below), the placeholder is what the cache
keeps, and every response, fresh or cached, has it replaced with the token of the visitor it goes
to (Django's CsrfViewMiddleware then sets their csrftoken cookie, as for any form). The comment form
keeps Django's full CSRF protection, and works without JavaScript.
"""

import functools

from django.conf import settings
from django.middleware.csrf import get_token
from django.utils.crypto import salted_hmac


def placeholder():
    return _placeholder(settings.SECRET_KEY)


@functools.lru_cache(maxsize=4)
def _placeholder(secret_key):
    # Derived from SECRET_KEY, so no story or comment can contain it on purpose; worked out once per key.
    return "csrf" + salted_hmac("pagecache.csrf", "placeholder", secret=secret_key).hexdigest()[:32]


def context_processor(request):
    """While a page is rendered for the cache, `{% csrf_token %}` writes the placeholder."""
    if getattr(request, "page_cache_rendering", False):
        return {"csrf_token": placeholder()}
    return {}


def holds_placeholder(content):
    return placeholder().encode() in content


def fill(request, response):
    """Put this visitor's token where the placeholder is (and so have their csrftoken cookie set)."""
    marker = placeholder().encode()
    if not response.streaming and marker in response.content:
        response.content = response.content.replace(marker, get_token(request).encode())
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
