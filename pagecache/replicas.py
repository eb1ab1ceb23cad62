"""Read replicas: which database alias each query goes to. Installed only with DATABASE_REPLICA_URL (settings).

Writes, migrations and every read go to the primary ("default"), except the reads of an anonymous reader's
public page: a GET or HEAD of a page the page cache serves (pagecache.middleware.CACHED_VIEWS) or of the
JSON API, from a browser carrying no cookie but csrftoken (pagecache.middleware.personal). Those go to one
replica, the same for the whole request. Even then the primary answers:

- inside `transaction.atomic()` on the primary, and once the request has written anything (a
  get_or_create() or select_for_update() counts as a write);
- for REPLICA_LAG_SECONDS after a change to what the page showed when it was last rendered (its keys,
  pagecache/keys.py; the lists it belongs to are among them, so a story joining a list counts): a page
  rendered from a replica that has not yet replayed the change would otherwise be stored and served,
  stale, until the next change. Other pages keep reading the replicas while comments flow elsewhere. A
  page not rendered before (and the JSON API) waits out the lag after any change;
- for whoever just wrote: editors and signed-in readers carry a session cookie; a commenter carries
  `own_comments` for the edit window after their comment was saved (an emailed confirmation link sets it
  too); a reader with a message waiting carries `messages`. All of these make a request personal;
- outside a request (management commands, cron, the shell, tests), since nothing marks them.

The request is marked by ReplicaReadsMiddleware in a context variable: each request of a sync worker, each
thread of a threaded one and each task under ASGI sees only its own. The lag must stay below
REPLICA_LAG_SECONDS; nothing here measures it.
"""

import random
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from . import freshness
from .middleware import CACHED_VIEWS, personal


@dataclass
class Visit:
    """One request, as far as the router cares: which replica it may read and whether it still may."""

    replica: str
    public_read: bool = False  # an anonymous reader's GET/HEAD of a public page (set once the view is known)
    wrote: bool = False
    settled: bool | None = None  # no change is still replicating (asked at the first read that could use a replica)
    page: object = None  # the page cache's Miss: what the page showed when last rendered, if known

    def may_use_replica(self):
        if not self.public_read or self.wrote or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return False
        if self.settled is None:
            self.settled = content_settled(self.page)
        return self.settled


_visit: ContextVar[Visit | None] = ContextVar("newsroom_replica_visit", default=None)


def is_public_read(request):
    """Is this an anonymous reader's GET or HEAD of a public page?"""
    match = request.resolver_match
    return (
        request.method in ("GET", "HEAD")
        and (match.view_name in CACHED_VIEWS or match.namespace == "api")
        and not personal(request)
    )


def content_settled(miss=None):
    """Has every committed change to what the page shows (`miss`, from the page cache's lookup; None: to
    anything) had REPLICA_LAG_SECONDS to reach the replicas?

    With the page cache off nothing is stored, so a lagging replica only delays a change by its lag.
    """
    if not freshness.enabled():
        return True
    changed = freshness.last_change(None) if miss is None else freshness.last_change(miss.state, miss.keys_before)
    if changed is None:  # the state was lost, or the cache is away: a change may have just been committed
        return False
    return freshness.now_ms() - changed >= settings.REPLICA_LAG_SECONDS * 1000


class ReplicaReadsMiddleware:
    """Marks each request for the router; first in MIDDLEWARE, so that everything after it runs marked."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _visit.set(Visit(replica=random.choice(settings.DATABASE_REPLICAS)))
        try:
            return self.get_response(request)
        finally:
            _visit.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Only now is the view known; the page cache's lookup before it reads from the primary.
        visit = _visit.get()
        visit.public_read = is_public_read(request)
        visit.page = getattr(request, "page_cache_miss", None)  # the page cache looked the page up


class ReplicaRouter:
    """Django's database router for DATABASE_REPLICAS (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model, **hints):
        visit = _visit.get()
        if visit is not None and visit.may_use_replica():
            return visit.replica
        # Said outright: with no answer Django would read where the hinted instance came from, maybe a replica.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        visit = _visit.get()
        if visit is not None:
            visit.wrote = True  # what this request reads next must include what it wrote
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # A replica holds the primary's rows: a story read from one may point at a section read from the other.
        aliases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica replays the primary's schema changes; it never runs migrations of its own.
        return False if db in settings.DATABASE_REPLICAS else None
