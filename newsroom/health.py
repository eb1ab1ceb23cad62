"""What a load balancer asks an app server: /healthz and /readyz, plain "ok" or "unavailable", never cached.

- /healthz: the process is up and answering. No database, cache or storage is touched: restart the process
  when this fails, never because a part it uses is away.
- /readyz: this server can serve readers: the database answers a query, the caches ("default" and the
  page cache, "pages") take a key and give it back, the media storage answers (a look-up, nothing written),
  and, when a task queue is configured (settings.TASKS with django-tasks-db), the queue's table answers.
  200 "ok" when all do, 503 "unavailable" when any does not; which one and why goes to the log only.

`HealthCheckMiddleware`, near the top of MIDDLEWARE, answers both before anything else runs: the host check
(probes come by the server's own address, not a name in ALLOWED_HOSTS), the https redirect (probes use
plain http behind the proxy), sessions, and the page cache's look-up. The same views are in newsroom/urls.py.
"""

import logging

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import storages
from django.db import connections, router
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

PROBE = "readyz-probe"  # a cache key written and read back, a file name looked up (never written)
CACHES_CHECKED = ("default", "pages")


def _plain(text, status=200):
    response = HttpResponse(f"{text}\n", content_type="text/plain; charset=utf-8", status=status)
    add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
    return response


def check_database():
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_cache(alias):
    cache = caches[alias]
    cache.set(PROBE, "ok", 30)
    cache.get(PROBE)


def check_storage():
    storages["default"].exists(PROBE)


def check_queue(backend):
    """The database queue's table answers (django-tasks-db); a queue of another kind has nothing to reach here."""
    if not backend.startswith("django_tasks_db."):
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.using(router.db_for_write(DBTaskResult)).exists()


def checks():
    """(name, check) for each part this server needs."""
    found = [("database", check_database)]
    found += [(f"cache {alias!r}", lambda alias=alias: check_cache(alias)) for alias in CACHES_CHECKED]
    found.append(("storage", check_storage))
    for alias, options in (getattr(settings, "TASKS", None) or {}).items():
        backend = options.get("BACKEND", "")
        found.append((f"task queue {alias!r}", lambda backend=backend: check_queue(backend)))
    return found


def unavailable():
    """The names of the parts that failed their check, each logged with its error."""
    failed = []
    for name, check in checks():
        try:
            check()
        except Exception as error:
            failed.append(name)
            logger.error("readyz: %s is unavailable: %s: %s", name, type(error).__name__, error)
    return failed


@require_safe
def healthz(request):
    return _plain("ok")


@require_safe
def readyz(request):
    if unavailable():
        return _plain("unavailable", status=503)
    return _plain("ok")


PATHS = {"/healthz": healthz, "/readyz": readyz}


class HealthCheckMiddleware:
    """Answers GET and HEAD of /healthz and /readyz before the rest of the middleware runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        view = PATHS.get(request.path_info)
        if view is not None and request.method in ("GET", "HEAD"):
            return view(request)
        return self.get_response(request)
