"""Sitemaps for search engines: published stories (those whose copy is ours to index), sections, sources
and tags, under one index; and a Google News sitemap of the last two days' stories.

Addresses use SITE_URL's scheme; their host is the Site's domain, kept on SITE_URL (articles/sites.py).
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from ..models import Article, Section, Source, Tag
from .seo import latest_modified_at, modified_at

NEWS_WINDOW = datetime.timedelta(days=2)  # Google News reads only the last two days' stories
NEWS_LIMIT = 1000  # at most this many URLs in a news sitemap


class SiteSitemap(Sitemap):
    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme


def _articles():
    return Article.objects.published().indexable()


class ArticleSitemap(SiteSitemap):
    """Every published story whose copy here is canonical; noindexed and canonical-to-original copies are left out."""

    limit = 10_000

    def items(self):
        return (
            _articles()
            .select_related("section")
            .only("slug", "published_at", "created_at", "updated_at", "section__slug")
            .order_by("-published_at", "-pk")
        )

    def lastmod(self, article):
        return modified_at(article)

    def get_latest_lastmod(self):
        return latest_modified_at(_articles())


def _latest_article(**filters):
    """The publication time of the newest published story matching `filters` (an OuterRef), as a subquery."""
    stories = Article.objects.published().filter(**filters).order_by("-published_at").values("published_at")
    return Subquery(stories[:1])


class SectionSitemap(SiteSitemap):
    def items(self):
        return Section.objects.annotate(latest=_latest_article(section=OuterRef("pk")))

    def lastmod(self, section):
        return section.latest


class SourceSitemap(SiteSitemap):
    def items(self):
        return Source.objects.annotate(latest=_latest_article(source=OuterRef("pk"))).filter(latest__isnull=False)

    def lastmod(self, source):
        return source.latest


class TagSitemap(SiteSitemap):
    def items(self):
        return Tag.objects.annotate(latest=_latest_article(tags=OuterRef("pk"))).filter(latest__isnull=False)

    def location(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def lastmod(self, tag):
        return tag.latest


class NewsSitemap(ArticleSitemap):
    """Stories of the last two days, each with its news:news entry (templates/sitemaps/news.xml)."""

    limit = NEWS_LIMIT

    def items(self):
        return (
            super()
            .items()
            .filter(published_at__gte=timezone.now() - NEWS_WINDOW)
            .only("slug", "headline", "published_at", "created_at", "updated_at", "section__slug")
        )

    def get_urls(self, page=1, site=None, protocol=None):
        publication = {"name": settings.SITE_NAME, "language": settings.LANGUAGE_CODE.split("-")[0]}
        return [{**url, "publication": publication} for url in super().get_urls(page, site, protocol)]


SITEMAPS = {"stories": ArticleSitemap, "sections": SectionSitemap, "sources": SourceSitemap, "tags": TagSitemap}
