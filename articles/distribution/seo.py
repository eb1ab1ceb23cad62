"""How a story presents itself to search engines and social sites: canonical link, robots, share cards.

Every absolute address we publish (canonical links, feeds, sitemaps, structured data, share cards)
is built on SITE_URL, never on the request's Host header: one canonical address, whatever name the
site was reached by.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.text import Truncator

from ..html import plain_text
from ..models import Source


def absolute_url(url):
    """`url` (a path such as "/news/…", or already absolute) as a full address on SITE_URL."""
    if not url or urlsplit(url).scheme:
        return url
    base = urlsplit(settings.SITE_URL)
    return f"{base.scheme}://{base.netloc}{url}"


def seo_policy(article):
    """The search-engine policy of the story's page: its source's, or our own canonical for our own stories."""
    return article.source.seo_policy if article.source_id else Source.SEOPolicy.OWN_CANONICAL


@dataclass(frozen=True)
class SearchPresence:
    """What a story page tells crawlers: a canonical address ("" for none) and a robots directive ("" for none)."""

    canonical: str
    robots: str


def search_presence(article):
    """The canonical link and robots directive of a story's page (and of every page of its comments)."""
    policy = seo_policy(article)
    if policy == Source.SEOPolicy.NOINDEX:
        # No canonical alongside noindex: search engines read the pair as contradictory signals.
        return SearchPresence(canonical="", robots="noindex")
    if policy == Source.SEOPolicy.CANONICAL_TO_ORIGINAL:
        return SearchPresence(canonical=article.source_url, robots="")
    return SearchPresence(canonical=absolute_url(article.get_absolute_url()), robots="")


def description(article, words=40):
    """A story's summary for meta descriptions, share cards, feeds and structured data: its dek, else its opening."""
    return article.dek or Truncator(plain_text(article.body)).words(words)


def modified_at(article):
    """When the story last changed: the later of its publication and its last save (a story imported
    or back-dated is saved after its publication time)."""
    return max(article.published_at, article.updated_at)
