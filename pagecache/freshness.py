"""Whether a cached page still shows what is there: an epoch, a clock, and when each key last changed.

A change ends the pages that show what changed, and no others (keys.py names what a page shows,
changes.py what each change ends). `end(keys)` moves the shared *clock* on and marks each key as changed
at the new tick, in one atomic step (backends.end_keys); a page is stored with the clock as it read it
before rendering, and is served only while none of its keys has changed since. `end()` runs at once and
again when the transaction commits, so that a page rendered from what was read before the commit is
never kept as if it came after it; the second time it also purges the keys at the edge (edge.py).

The clock counts milliseconds (a tick is never lower than the last one): a key's mark says when it
changed, which is what the read-replica router asks (replicas.py).

Pages also change with nobody saving anything: a scheduled story goes live, a live story comes down,
its comments close. The shared *state* remembers the next such moment; the first request at or after it
ends the keys of the stories concerned (`advance`), and requests look again every RECHECK for any
moment two saves racing each other may have missed.

A new *epoch* (every page afresh) begins when the state is lost (evicted, the cache server restarted),
when a server starts (a new release may render pages differently) and when a test changes settings.
Pages of old epochs are never served again and expire on their own (PAGE_CACHE_SECONDS).
"""

import datetime
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.utils import timezone

from . import backends, edge, keys

log = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
# Never culled by the file cache, never given a timeout (backends.KEPT): on Redis, give pages' keys
# an eviction policy of volatile-lru or volatile-ttl so that only pages are evicted.
STATE_KEY = backends.KEPT + "state"
CLOCK_KEY = backends.KEPT + "clock"
CHANGED = backends.KEPT + "changed:"
# Two saves at the same moment may each work out the next scheduled change before the other commits;
# requests look again this often, for anything scheduled since the last look.
RECHECK = datetime.timedelta(seconds=60)


@dataclass(frozen=True)
class State:
    epoch: str
    changes_at: datetime.datetime | None  # the next moment public pages change by themselves
    checked_at: datetime.datetime  # every moment up to this one has been dealt with
    # When the epoch began: the state may have been lost with a change under way, so the read-replica router
    # (replicas.py) reads from the primary for a while after it.
    began_at: datetime.datetime


def cache():
    return caches[CACHE_ALIAS]


def enabled():
    return settings.PAGE_CACHE_SECONDS > 0


def changed_key(key):
    return CHANGED + key


def now_ms():
    return int(time.time() * 1000)


# --- the schedule ----------------------------------------------------------------------------------


def next_change(after):
    """The first moment after `after` at which a public page changes by itself, or None. One query."""
    from articles.models import Article
    from comments import policy

    return Article.objects.next_change_after(after, publication_plus=policy.open_for())


def _store(state):
    try:
        cache().set(STATE_KEY, state, None)
    except Exception:  # a cache outage must not fail a save; pages are not served from it either
        log.exception("The page cache could not store its state")
    return state


def renew(now=None):
    """Begin a new epoch (a query for the next scheduled change) and return its state."""
    now = now or timezone.now()
    return _store(State(secrets.token_hex(8), next_change(after=now), now, now))


def advance(state, now):
    """End the pages of the stories that went live, came down or closed their comments since the state was
    last checked, and work out the next such moment."""
    from articles.models import Article
    from comments import policy

    from .changes import story_keys

    changing = Article.objects.changing_between(state.checked_at, now, publication_plus=policy.open_for())
    ended = set()
    for article in changing.select_related("section", "source").prefetch_related("tags"):
        ended |= story_keys(article)
    if ended:
        _end_now(ended)
        edge.purge(ended)
    return _store(State(state.epoch, next_change(after=now), now, state.began_at))


def current(stored):
    """The state pages are served under now: `stored` is what the cache held under STATE_KEY (None if nothing),
    read together with the page in one round trip. Begins an epoch or advances the schedule when due."""
    now = timezone.now()
    if not isinstance(stored, State):
        return renew(now)
    if (stored.changes_at is not None and now >= stored.changes_at) or now - stored.checked_at >= RECHECK:
        return advance(stored, now)
    return stored


def _schedule_changed():
    try:
        state = cache().get(STATE_KEY)
    except Exception:
        log.exception("The page cache could not read its state")
        return
    if isinstance(state, State):  # else the next request begins an epoch, and asks then
        _store(State(state.epoch, next_change(after=state.checked_at), state.checked_at, state.began_at))


def schedule_may_have_changed():
    """A story was saved: its moments may have moved. Asked again once the change commits."""
    on_commit_too(_schedule_changed)


# --- what changed ----------------------------------------------------------------------------------


def _end_now(ended):
    if any(key.startswith("story-") for key in ended):
        ended = {*ended, keys.ANY_STORY}
    if any(key.startswith("comments-") for key in ended):
        ended = {*ended, keys.ANY_COMMENTS}
    try:
        backends.end_keys(cache(), CLOCK_KEY, [changed_key(key) for key in ended], now_ms())
    except Exception:  # a cache outage must not fail a save
        log.exception("The page cache could not end pages")
    return ended


def _end_committed(ended):
    edge.purge(_end_now(ended))


def end(ended):
    """What the keys name changed: end the pages that show it, now and again once the change commits."""
    ended = frozenset(ended)
    if not ended:
        return
    if transaction.get_connection().in_atomic_block:
        _end_now(ended)  # pages rendered from now on by this process's own requests (and tests') see it
        transaction.on_commit(lambda: _end_committed(ended), robust=True)
    else:
        _end_committed(ended)


def on_commit_too(function):
    if transaction.get_connection().in_atomic_block:
        function()
    transaction.on_commit(function, robust=True)


def changed_since(page_keys, clock):
    """Has any of the keys changed after `clock`? One round trip."""
    marks = cache().get_many([changed_key(key) for key in page_keys])
    return any(mark > clock for mark in marks.values())


def last_change(state, page_keys=None):
    """When (ms) what the keys name last changed (without keys: anything), or the epoch of `state` (None: read it)
    began, whichever came later; None when not known (the state was lost, or the cache is away)."""
    try:
        if state is None:
            state = cache().get(STATE_KEY)
        if not isinstance(state, State):
            return None
        if page_keys is None:
            changed = cache().get(CLOCK_KEY) or 0
        else:
            changed = max(cache().get_many([changed_key(key) for key in page_keys]).values(), default=0)
    except Exception:
        log.exception("The page cache could not be read")
        return None
    return max(changed, int(state.began_at.timestamp() * 1000))


# --- starting afresh -------------------------------------------------------------------------------


def renew_keeping_schedule():
    try:
        state = cache().get(STATE_KEY)
    except Exception:  # the cache is away (a test's Redis stopped): nothing to renew
        return
    if isinstance(state, State):
        _store(State(secrets.token_hex(8), state.changes_at, state.checked_at, timezone.now()))


def forget():
    """Drop the state: the next request begins a new epoch. Safe without a database."""
    try:
        cache().delete(STATE_KEY)
    except Exception:
        log.exception("The page cache could not drop its state")


def server_started():
    """An app server process starts (newsroom/wsgi.py: each gunicorn worker, and each restart of one under
    --max-requests): a new release may render pages differently, so cached pages start afresh."""
    forget()


def begin_with_nothing_scheduled():
    """Begin an epoch without asking the database: for an empty one (a test's, as each test starts)."""
    now = timezone.now()
    _store(State(secrets.token_hex(8), None, now, now))
