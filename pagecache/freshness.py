"""Which generation of the site's content cached pages belong to, and when that generation ends.

Every page is cached under the current *generation*: a random token kept in the cache (the "state")
together with the next moment the public pages change with nobody saving anything: a scheduled
story goes live, a live story's unpublish time comes, a story's comments close. A new generation,
and so a fresh set of pages, begins:

- when a story, section, source, author, tag, correction or comment is saved or deleted (the signals
  below): at once, and again when the transaction commits, so that a page rendered from what was read
  before the commit is never stored under the generation that follows it;
- at the first request at or after that next moment;
- when the state is lost (evicted, the cache server restarted) or a server starts (a new release may
  render pages differently).

Pages of old generations are never looked up again and expire on their own (PAGE_CACHE_SECONDS).
"""

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

log = logging.getLogger(__name__)

CACHE_ALIAS = "pages"
STATE_KEY = "state"
# Two saves at the same moment may each work out the next scheduled change before the other commits;
# requests look again this often, for anything scheduled since the last look.
RECHECK = datetime.timedelta(seconds=60)

# What public pages show. Saving or deleting a row of these through the ORM starts a new generation;
# code that changes them with queryset.update() or raw SQL calls content_changed() itself.
PUBLIC_MODELS = [
    "articles.Article",
    "articles.Section",
    "articles.Source",
    "articles.Author",
    "articles.Tag",
    "articles.Correction",
    "articles.CorrectionChange",  # an amended correction is written with update(); its record is created
    "comments.ArticleComment",
    "sites.Site",
]
PUBLIC_RELATIONS = [("articles.Article", "authors"), ("articles.Article", "tags")]

# Sent after a transaction that changed public content commits: connect a CDN or proxy purge here.
content_committed = Signal()


@dataclass(frozen=True)
class State:
    generation: str
    changes_at: datetime.datetime | None  # the next moment public pages change by themselves
    checked_at: datetime.datetime  # when changes_at was worked out
    # When this generation began: the read-replica router (pagecache/replicas.py) reads from the primary for a
    # while after it, so that no page is stored under it from a replica that has not yet seen the change.
    began_at: datetime.datetime | None = None  # None in a state stored before this field existed


def cache():
    return caches[CACHE_ALIAS]


def enabled():
    return settings.PAGE_CACHE_SECONDS > 0


def next_change(after):
    """The first moment after `after` at which a public page changes by itself, or None. One query.

    A story goes live or comes down (`ArticleQuerySet.next_change_after`), or its comments close
    (`comments.policy.open_for`).
    """
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
    """Begin a new generation (a query for the next scheduled change) and return its state."""
    now = now or timezone.now()
    return _store(State(secrets.token_hex(8), next_change(after=now), now, now))


_UNREAD = object()


def generation(stored=_UNREAD):
    """The generation pages are cached under now, beginning a new one when the current one's time is up.

    `stored`: what the cache held under STATE_KEY (None if nothing), when the caller read it already (the
    page cache reads it together with the page, in one round trip to Redis).
    """
    now = timezone.now()
    state = cache().get(STATE_KEY) if stored is _UNREAD else stored
    if not isinstance(state, State) or (state.changes_at is not None and now >= state.changes_at):
        return renew(now).generation
    if now - state.checked_at >= RECHECK:
        missed = next_change(after=state.checked_at)
        if missed is not None and missed <= now:
            return renew(now).generation
        state = _store(State(state.generation, missed, now, state.began_at))
    return state.generation


def began_at():
    """When the current generation began, or None when that is unknown (no state yet, or the cache is away)."""
    try:
        state = cache().get(STATE_KEY)
    except Exception:
        log.exception("The page cache could not read its state")
        return None
    return state.began_at if isinstance(state, State) else None


def forget():
    """Drop the state: the next request begins a new generation. Safe without a database."""
    try:
        cache().delete(STATE_KEY)
    except Exception:
        log.exception("The page cache could not drop its state")


def server_started():
    """An app server process starts (newsroom/wsgi.py: each gunicorn worker, and each restart of one under
    --max-requests): a new release may render pages differently, so cached pages start afresh."""
    forget()


def _committed():
    renew()
    content_committed.send(sender=State)


def content_changed(**kwargs):
    """Public content changed: begin a new generation now, and again once the transaction commits.

    With the page cache off here (a command run with DEBUG=1, say) the shared state is still dropped once
    the change commits: app servers using the same cache serve pages, and must not serve the old ones.
    """
    if not enabled():
        transaction.on_commit(forget, robust=True)  # at once outside a transaction
        return
    if transaction.get_connection().in_atomic_block:
        renew()  # pages rendered from now on by this process's own requests (and by tests) see the change
        transaction.on_commit(_committed, robust=True)
    else:
        _committed()  # already committed


def _relation_changed(action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        content_changed()


def begin_with_nothing_scheduled():
    """Begin a generation without asking the database: for an empty one (a test's, as each test starts)."""
    now = timezone.now()
    _store(State(secrets.token_hex(8), None, now, now))


def _setting_changed(**kwargs):
    # Tests change settings that pages depend on (page sizes, the comment policy): a new generation,
    # keeping what is known of the schedule (the recheck catches a changed closing time).
    try:
        state = cache().get(STATE_KEY)
    except Exception:  # the cache is away (a test's Redis stopped): nothing to renew
        return
    if isinstance(state, State):
        _store(State(secrets.token_hex(8), state.changes_at, state.checked_at, timezone.now()))


def connect_signals():
    for label in PUBLIC_MODELS:
        model = apps.get_model(label)
        post_save.connect(content_changed, sender=model, dispatch_uid=f"pagecache-save-{label}")
        post_delete.connect(content_changed, sender=model, dispatch_uid=f"pagecache-delete-{label}")
    for label, field in PUBLIC_RELATIONS:
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(_relation_changed, sender=through, dispatch_uid=f"pagecache-m2m-{label}-{field}")
    setting_changed.connect(_setting_changed, dispatch_uid="pagecache-settings")
