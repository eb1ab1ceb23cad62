"""The edge: a caching proxy or CDN in front of the app servers, told what each page shows and what changed.

Public responses name their keys (keys.py) in `Surrogate-Key` (Fastly, Varnish's xkey through our VCL)
and `Cache-Tag` (Cloudflare), and may be kept there for `s-maxage`: EDGE_MAX_AGE, or less when a
scheduled change (a story going live, coming down, closing its comments) comes sooner. When keys end,
the purge backend (EDGE_PURGE) tells the proxies:

- "" (the default): nothing to tell; s-maxage is then only EDGE_MAX_AGE, so keep it short.
- "varnish": a PURGE request with the keys in `xkey-purge` to each of EDGE_PURGE_URLS (pagecache/varnish/
  newsroom.vcl answers it with vmod-xkey). A proxy that cannot be reached is logged, and its pages age out.
"""

import logging
import math
import urllib.request

from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

PURGE_TIMEOUT = 2  # seconds per proxy: a save waits for this at most, after its commit


def label(response, page_keys):
    value = " ".join(sorted(page_keys))
    response["Surrogate-Key"] = value
    response["Cache-Tag"] = value.replace(" ", ",")


def shared_max_age(state):
    """How long a proxy may keep a public page: EDGE_MAX_AGE, or until the next scheduled change."""
    seconds = settings.EDGE_MAX_AGE
    if state is not None and state.changes_at is not None:
        seconds = min(seconds, max(0, math.floor((state.changes_at - timezone.now()).total_seconds())))
    return seconds


def purge(ended):
    if settings.EDGE_PURGE == "varnish" and ended:
        for url in settings.EDGE_PURGE_URLS:
            _purge_varnish(url, ended)


def _purge_varnish(url, ended):
    request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": " ".join(sorted(ended))})
    try:
        with urllib.request.urlopen(request, timeout=PURGE_TIMEOUT) as response:
            response.read()
    except Exception:  # OSError, HTTPError, a timeout: the page still ages out after s-maxage
        log.exception("Could not purge %s at %s", " ".join(sorted(ended)), url)
