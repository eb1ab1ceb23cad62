"""Serve anonymous readers' public pages from the cache, and store them there.

Only the views in CACHED_VIEWS, only GET and HEAD, and only for requests that carry no cookie but
csrftoken: a signed-in editor or moderator (sessionid), a reader with a message waiting (messages, or
the session), or a commenter (comment_author, own_comments) always gets a page rendered for them, and
it is never stored. A response is stored only when it is a 200 that sets no cookie, wrote nothing to
the session or the messages, used no real CSRF token or CSP nonce, and varies on nothing but cookies.

A page is stored under its full address, with the generation (freshness.py) it was rendered in, and
served only while that generation is current: the state and the page are read in one call (one round
trip to Redis), and a page of an older generation is simply rendered again and overwritten. Responses say what
happened in X-Page-Cache (hit, miss, bypass) and what proxies may do in Cache-Control: public pages
without a form are `public, max-age=PAGE_CACHE_MAX_AGE` with an ETag and Last-Modified; pages with
the comment form carry the visitor's own CSRF token and are `private, no-cache`; everything rendered
for one visitor is `private, no-store`. Each varies on Cookie.
"""

import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers, quote_etag
from django.utils.http import http_date

from . import csrf, freshness

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
        *FEEDS,
        "robots",
        "sitemap",
        "sitemap-news",
        "sitemap-section",
    ]
)

HIT, MISS, BYPASS = "hit", "miss", "bypass"
PUBLIC, PERSONAL_TOKEN, PRIVATE = "public", "personal token", "private"


@dataclass(frozen=True)
class Entry:
    """A stored page: the response as the view made it, with the CSRF placeholder still in it."""

    content: bytes
    headers: tuple
    stored_at: float
    etag: str  # empty when the page holds a form (it differs for each visitor)
    generation: str  # the content generation it was rendered in: served only while that one is current

    @classmethod
    def of(cls, response, generation):
        has_form = csrf.holds_placeholder(response.content)
        etag = "" if has_form else quote_etag(hashlib.md5(response.content, usedforsecurity=False).hexdigest())
        return cls(response.content, tuple(response.headers.items()), time.time(), etag, generation)

    def response(self):
        response = HttpResponse(self.content)
        for name, value in self.headers:
            response[name] = value
        return response


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
        return False  # something rendered a real CSRF token (or the visitor's cookie had to be replaced)
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
        response = self._from_cache(request) or self.get_response(request)
        visit = getattr(request, "_page_cache", None)
        if visit is None:
            return response
        outcome, entry = visit
        if outcome == MISS:
            entry = self._store(request, response)  # None when it may not be served to anyone else
        if outcome != BYPASS:
            csrf.fill(request, response)  # rendered or stored with the placeholder
        kind = PRIVATE if entry is None else PUBLIC if entry.etag else PERSONAL_TOKEN
        response = self._label(response, outcome, kind)
        if kind == PUBLIC:
            response["ETag"] = entry.etag
            response["Last-Modified"] = http_date(entry.stored_at)
            response = get_conditional_response(
                request, etag=entry.etag, last_modified=int(entry.stored_at), response=response
            )
        return response

    def _from_cache(self, request):
        """The stored page at this address, looked up before the address is even resolved: a hit skips URL
        resolution and the view. Only the views in CACHED_VIEWS ever store a page, so any address may be
        looked up."""
        if not freshness.enabled() or request.method not in ("GET", "HEAD") or personal(request):
            return None
        key = page_key(request)
        try:
            found = freshness.cache().get_many([freshness.STATE_KEY, key])
            generation = freshness.generation(found.get(freshness.STATE_KEY))
        except Exception:  # a cache outage: render the page as if there were no cache
            log.exception("The page cache could not be read")
            return None
        entry = found.get(key)
        if isinstance(entry, Entry) and entry.generation == generation:
            request._page_cache = (HIT, entry)
            return entry.response()
        request._page_cache_key = (key, generation)
        return None

    def process_view(self, request, view_func, view_args, view_kwargs):
        """A page to render: may it be stored, and is it rendered for one visitor only?"""
        if not freshness.enabled() or request.method not in ("GET", "HEAD"):
            return None
        if request.resolver_match.view_name not in CACHED_VIEWS:
            return None
        if personal(request):
            request._page_cache = (BYPASS, None)
        elif getattr(request, "_page_cache_key", None):
            request._page_cache = (MISS, request._page_cache_key)
            request.page_cache_rendering = True  # csrf.context_processor writes the placeholder
        return None

    def _store(self, request, response):
        _, (key, generation) = request._page_cache
        if not storable(request, response):
            return None
        entry = Entry.of(response, generation)
        try:
            freshness.cache().set(key, entry, settings.PAGE_CACHE_SECONDS)
        except Exception:
            log.exception("The page cache could not store a page")
        return entry

    @staticmethod
    def _label(response, outcome, kind):
        response["X-Page-Cache"] = outcome
        patch_vary_headers(response, ["Cookie"])
        if not response.has_header("Cache-Control"):  # feeds and sitemaps set their own
            if kind == PUBLIC:
                response["Cache-Control"] = f"public, max-age={settings.PAGE_CACHE_MAX_AGE}"
            elif kind == PERSONAL_TOKEN:
                response["Cache-Control"] = "private, no-cache"
            else:
                response["Cache-Control"] = "private, no-store"
        return response
