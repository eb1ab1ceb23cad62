"""How a story presents itself to search engines and social sites: canonical link, robots, share cards.

Every absolute address we publish (canonical links, feeds, sitemaps, structured data, share cards)
is built on SITE_URL, never on the request's Host header: one canonical address, whatever name the
site was reached by.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Max
from django.db.models.functions import Greatest
from django.utils.text import Truncator

from ..html import plain_text
from ..models import Source


def absolute_url(url):
    """`url` (a path such as "/news/…", or already absolute) as a full address on SITE_URL."""
    if not url or urlsplit(url).scheme:
        return url
    base = urlsplit(settings.SITE_URL)
    return f"{base.scheme}://{base.netloc}{url}"


@dataclass(frozen=True)
class SearchPresence:
    """What a story page tells crawlers: a canonical address ("" for none) and a robots directive ("" for none)."""

    canonical: str
    robots: str


def search_presence(article):
    """The canonical link and robots directive of a story's page (and of every page of its comments)."""
    policy = article.seo_policy
    if policy == Source.SEOPolicy.NOINDEX:
        # No canonical alongside noindex: search engines read the pair as contradictory signals.
        return SearchPresence(canonical="", robots="noindex")
    if policy == Source.SEOPolicy.CANONICAL_TO_ORIGINAL:
        return SearchPresence(canonical=article.source_url, robots="")
    return SearchPresence(canonical=absolute_url(article.get_absolute_url()), robots="")


def description(article, words=40):
    """A story's summary for meta descriptions, share cards, feeds and structured data: its dek, else its opening."""
    return article.dek or Truncator(plain_text(article.body)).words(words)


# When a story last changed: the later of its publication and its last save (a story imported or
# back-dated is saved after its publication time).
MODIFIED_FROM = ("published_at", "updated_at")


def modified_at(article):
    """When the story last changed (MODIFIED_FROM)."""
    return max(getattr(article, name) for name in MODIFIED_FROM)


def latest_modified_at(stories):
    """When the last of `stories` last changed (MODIFIED_FROM), in one query."""
    return stories.aggregate(latest=Max(Greatest(*MODIFIED_FROM)))["latest"]
