"""RSS 2.0 and Atom feeds of published stories: the whole site, each section, each source, each tag.

Items carry the full sanitized story (content:encoded / atom:content), its summary, byline, section
and tags as categories, and the lead image (media:content). Nothing about readers' comments.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from ..models import Article, Section, Source, Tag
from .renditions import share_image
from .seo import absolute_url, description, modified_at

FEED_LENGTH = 30
MEDIA_NS = "http://search.yahoo.com/mrss/"


def _add_media(handler, item):
    image = item.get("image")
    if image:
        handler.addQuickElement(
            "media:content",
            None,
            {
                "url": image["url"],
                "medium": "image",
                "type": "image/jpeg",
                "width": str(image["width"]),
                "height": str(image["height"]),
            },
        )


class FullRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the whole story in content:encoded and the lead image in media:content."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": "http://purl.org/rss/1.0/modules/content/",
            "xmlns:media": MEDIA_NS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        _add_media(handler, item)


class FullAtomFeed(Atom1Feed):
    """Atom with the whole story as HTML content and the lead image in media:content."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _add_media(handler, item)


class ArticleFeed(Feed):
    """The latest published stories; subclasses narrow them to one section, source or tag."""

    feed_type = FullRssFeed
    url_name = "articles:feed_rss"

    def articles(self, obj):
        return Article.objects.published()

    def heading(self, obj):
        return settings.SITE_NAME

    def page_url(self, obj):
        return reverse("articles:home")

    def url_args(self, obj):
        return []

    # --- the feed ---
    def title(self, obj):
        return self.heading(obj)

    def subtitle(self, obj):
        return f"The latest stories from {settings.SITE_NAME}."

    def description(self, obj):
        return self.subtitle(obj)

    def link(self, obj):
        return absolute_url(self.page_url(obj))

    def feed_url(self, obj):
        return absolute_url(reverse(self.url_name, args=self.url_args(obj)))

    def items(self, obj):
        return (
            self.articles(obj)
            .select_related("section", "source")
            .prefetch_related("authors", "tags")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    # --- each story ---
    def item_title(self, item):
        return item.headline

    def item_description(self, item):
        return description(item)

    def item_link(self, item):
        return absolute_url(item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    def item_author_name(self, item):
        return item.byline or (item.source.name if item.source_id else settings.SITE_NAME)

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return modified_at(item)

    def item_categories(self, item):
        return [item.section.name, *(tag.name for tag in item.tags.all())]

    def item_comments(self, item):
        return f"{self.item_link(item)}#comments"

    def item_extra_kwargs(self, item):
        image = share_image(item)
        return {
            "content_html": item.body,
            "image": image and {"url": absolute_url(image.url), "width": image.width, "height": image.height},
        }


class SectionFeed(ArticleFeed):
    url_name = "articles:section_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Section, slug=slug)

    def articles(self, section):
        return super().articles(section).filter(section=section)

    def heading(self, section):
        return f"{section.name} · {settings.SITE_NAME}"

    def subtitle(self, section):
        return section.description or f"The latest {section.name} stories from {settings.SITE_NAME}."

    def page_url(self, section):
        return section.get_absolute_url()

    def url_args(self, section):
        return [section.slug]


class SourceFeed(ArticleFeed):
    url_name = "articles:source_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Source, slug=slug)

    def articles(self, source):
        return super().articles(source).filter(source=source)

    def heading(self, source):
        return f"Stories from {source.name} · {settings.SITE_NAME}"

    def subtitle(self, source):
        return f"Stories {settings.SITE_NAME} syndicates from {source.name}."

    def page_url(self, source):
        return source.get_absolute_url()

    def url_args(self, source):
        return [source.slug]


class TagFeed(ArticleFeed):
    url_name = "articles:tag_feed_rss"

    def get_object(self, request, slug):
        return get_object_or_404(Tag, slug=slug)

    def articles(self, tag):
        return super().articles(tag).filter(tags=tag)

    def heading(self, tag):
        return f"Tagged “{tag.name}” · {settings.SITE_NAME}"

    def subtitle(self, tag):
        return f"The latest stories about {tag.name} from {settings.SITE_NAME}."

    def page_url(self, tag):
        return reverse("articles:tag", args=[tag.slug])

    def url_args(self, tag):
        return [tag.slug]


def atom(feed_class):
    """The Atom twin of an RSS feed class: same stories, Atom format, its own address."""
    return type(
        f"Atom{feed_class.__name__}",
        (feed_class,),
        {"feed_type": FullAtomFeed, "url_name": feed_class.url_name.replace("_rss", "_atom")},
    )
