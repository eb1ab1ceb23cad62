"""Is a comment being posted from another site?

The "Leave a Reply" form carries no per-visitor token, so that a story page is the same bytes for every
reader and a proxy or CDN can keep it (pagecache/). What a token would prove, browsers now say
themselves: `Sec-Fetch-Site` (every current browser) names where the post came from, and `Origin` (sent
with every cross-origin POST, and by older browsers that lack Sec-Fetch-Site) names the page that sent it.
A post that says it came from elsewhere is refused; one from a client that sends neither (curl, a
screen reader's own HTTP stack) is not a browser being tricked into posting, and goes on to the form's
own checks (its signed timestamp and the moderator).
"""

from urllib.parse import urlsplit

from django.conf import settings

# Sec-Fetch-Site values of a post this site's own page made, or the reader typed or bookmarked.
OWN = frozenset(["same-origin", "none"])

CROSS_SITE = (
    "This comment was sent from another website, so it was not posted. "
    "To comment, open the story on this site and use its form."
)


def _origin(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_cross_site(request):
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site.lower() not in OWN
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    if origin == "null":  # an opaque origin: a sandboxed frame, a data: page, a file
        return True
    trusted = {_origin(request.build_absolute_uri("/")), *(_origin(url) for url in settings.CSRF_TRUSTED_ORIGINS)}
    return origin.lower() not in trusted
