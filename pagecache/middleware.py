"""Serve anonymous readers' public pages from the cache, and store them there.

Only the views in CACHED_VIEWS, only GET and HEAD, and only for requests that carry no cookie but
csrftoken: a signed-in editor or moderator (sessionid), a reader with a message waiting (messages, or
the session), or a commenter (comment_author, own_comments) always gets a page rendered for them, and
it is never stored. A response is stored only when it is a 200 that sets no cookie, wrote nothing to
the session or the messages, used no CSRF token or CSP nonce, and varies on nothing but cookies: every
page stored is the same bytes for every reader (the comment form carries no token: comments/same_origin.py).

A page is stored under its full address with what it shows (keys.py) and the clock as it was before it was
rendered (freshness.py), and served while no key of it has changed since, in the same epoch: the state,
the clock and the page are read in one round trip to Redis, the keys' marks in a second. Responses say
what happened in X-Page-Cache (hit, miss, bypass); public ones are `public, max-age=PAGE_CACHE_MAX_AGE,
s-maxage=…` with their keys for the edge (edge.py), an ETag and Last-Modified; everything rendered for
one visitor is `private, no-store`. Each varies on Cookie.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers, quote_etag
from django.utils.http import http_date

from . import edge, freshness, keys

log = logging.getLogger(__name__)

FEEDS = [
    f"articles:{feed}_{kind}"
    for feed in ("feed", "section_feed", "source_feed", "tag_feed")
    for kind in ("rss", "atom")
]
CACHED_VIEWS = frozenset(
    [
        "articles:home",
        "articles:section",
        "articles:source",
        "articles:tag",
        "articles:detail",
        "articles:search",
        "comments:reply",
        "comments:story_count",  # new comments while reading (comments/views/updates.py)
        *FEEDS,
        "robots",
        "sitemap",
        "sitemap_news",
        "sitemap_section",
    ]
)

HIT, MISS, BYPASS = "hit", "miss", "bypass"


@dataclass(frozen=True)
class Entry:
    """A stored page: the response as the view made it, and what it shows, as of which clock and epoch."""

    content: bytes
    headers: tuple
    stored_at: float
    etag: str
    epoch: str
    clock: int  # the clock before it was rendered: served while none of its keys has changed since
    keys: frozenset

    def response(self):
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


@dataclass(frozen=True)
class Miss:
    """A page to render and maybe store: where, under which state and clock, and what it showed before."""

    key: str
    state: freshness.State
    clock: int
    keys_before: frozenset | None  # None: not known (never stored, or expired)


def personal(request):
    """Does this request carry anything of its own (an account, a message, comment cookies)?"""
    return "HTTP_AUTHORIZATION" in request.META or any(name != settings.CSRF_COOKIE_NAME for name in request.COOKIES)


def page_key(request):
    address = request.build_absolute_uri()  # scheme, host, path and query string
    return f"page:{hashlib.md5(address.encode(), usedforsecurity=False).hexdigest()}"


def storable(request, response):
    """May this response be served to anyone else?"""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # something rendered a CSRF token (or the visitor's cookie had to be replaced)
    if isinstance(getattr(request, "_csp_nonce", None), str):
        return False  # a nonce in the page would not match the next response's header
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and messages.added_new:
        return False
    cache_control = response.get("Cache-Control", "")
    if any(word in cache_control for word in ("private", "no-store", "no-cache")):
        return False
    varies = {name.strip().lower() for name in response.get("Vary", "").split(",") if name.strip()}
    return varies <= {"cookie"}


class PageCacheMiddleware:
    """Placed after the session, CSRF, authentication and messages middleware (it reads what they leave)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self._from_cache(request)
        if response is not None:
            return response
        response = self.get_response(request)
        outcome = getattr(request, "_page_cache", None)
        if outcome is None:
            return response
        entry, state = None, None
        if outcome == MISS:
            miss = request.page_cache_miss
            state = miss.state
            entry = self._store(request, response, miss, keys.finish(request._page_cache_keys))
        return self._label(request, response, outcome, entry, state)

    def _from_cache(self, request):
        """The stored page at this address, looked up before the address is even resolved: a hit skips URL
        resolution and the view. Only the views in CACHED_VIEWS ever store a page, so any address may be
        looked up."""
        if not freshness.enabled() or request.method not in ("GET", "HEAD") or personal(request):
            return None
        key = page_key(request)
        try:
            found = freshness.cache().get_many([freshness.STATE_KEY, freshness.CLOCK_KEY, key])
            stored = found.get(freshness.STATE_KEY)
            state = freshness.current(stored)
            entry = found.get(key)
            if not isinstance(entry, Entry):
                entry = None
            elif entry.epoch == state.epoch and not freshness.changed_since(entry.keys, entry.clock):
                return self._label(request, entry.response(), HIT, entry, state)
            # Keys the schedule just ended moved the clock on: a page rendered now comes after them.
            clock = found.get(freshness.CLOCK_KEY) if state is stored else freshness.cache().get(freshness.CLOCK_KEY)
        except Exception:  # a cache outage: render the page as if there were no cache
            log.exception("The page cache could not be read")
            return None
        clock = clock or 0
        request.page_cache_miss = Miss(key, state, clock, entry.keys if entry is not None else None)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A page to render: may it be stored, and is it rendered for one visitor only?"""
        if not freshness.enabled() or request.method not in ("GET", "HEAD"):
            return None
        view_name = request.resolver_match.view_name
        if view_name not in CACHED_VIEWS:
            return None
        if personal(request):
            request._page_cache = BYPASS
        elif getattr(request, "page_cache_miss", None):
            request._page_cache = MISS
            request._page_cache_keys = keys.start(view_name, view_kwargs)  # what the page loads from now on
        return None

    def _store(self, request, response, miss, page_keys):
        if not storable(request, response):
            return None
        etag = quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
        headers = tuple(response.headers.items())
        entry = Entry(response.content, headers, time.time(), etag, miss.state.epoch, miss.clock, page_keys)
        try:
            freshness.cache().set(miss.key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.exception("The page cache could not store a page")
        return entry

    @staticmethod
    def _label(request, response, outcome, entry, state):
        response["X-Page-Cache"] = outcome
        patch_vary_headers(response, ["Cookie"])
        if entry is None:
            if not response.has_header("Cache-Control"):
                response["Cache-Control"] = "private, no-store"
            return response
        if response.has_header("Cache-Control"):  # feeds and sitemaps say how long browsers keep them
            patch_cache_control(response, s_maxage=edge.shared_max_age(state))
        else:
            patch_cache_control(
                response, public=True, max_age=settings.PAGE_CACHE_MAX_AGE, s_maxage=edge.shared_max_age(state)
            )
        edge.label(response, entry.keys)
        response["ETag"] = entry.etag
        response["Last-Modified"] = http_date(entry.stored_at)
        return get_conditional_response(request, etag=entry.etag, last_modified=int(entry.stored_at), response=response)
