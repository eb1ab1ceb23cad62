"""How stories travel, in templates: head tags for search engines and share cards, structured data,
responsive lead images and related stories."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from ..distribution import renditions, seo, structured_data
from ..models import Article

register = template.Library()

# Inside <script>, only these could end the element or start markup; JSON keeps its meaning with them escaped.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

RELATED_ARTICLES = 4


@register.filter
def json_ld(data):
    """A dict as a <script type="application/ld+json"> block that no value can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.filter
def absolute(url):
    """A path as a full address on SITE_URL."""
    return seo.absolute_url(url)


@register.simple_tag
def home_structured_data():
    return json_ld(structured_data.home_page())


@register.inclusion_tag("includes/article_head.html")
def article_head(article):
    """The story's <head> tags: description, canonical link and robots (its source's SEO policy),
    OpenGraph and Twitter cards, NewsArticle and BreadcrumbList structured data."""
    image = renditions.share_image(article)
    return {
        "site_name": settings.SITE_NAME,
        "article": article,
        "presence": seo.search_presence(article),
        "description": seo.description(article),
        "url": seo.absolute_url(article.get_absolute_url()),
        "image": image,
        "image_url": seo.absolute_url(image.url) if image else "",
        "modified_at": seo.modified_at(article),
        "structured_data": [structured_data.news_article(article), structured_data.breadcrumbs(article)],
    }


@register.inclusion_tag("includes/picture.html")
def lead_picture(article):
    """The lead image above the fold: loaded at once, never lazily."""
    return {"picture": renditions.lead_picture(article), "alt": article.lead_image_alt, "lazy": False}


@register.inclusion_tag("includes/picture.html")
def card_picture(article, lazy=True):
    """A list page's thumbnail (decorative: the headline beside it says the same), lazy below the fold."""
    return {"picture": renditions.card_picture(article), "alt": "", "lazy": lazy, "class": "card-image"}


@register.inclusion_tag("includes/related_articles.html")
def related_articles(article):
    """Published stories on the same topics (in one query)."""
    stories = (
        Article.objects.published()
        .select_related("section")
        # What includes/related_articles.html shows, and no more: a story's body is most of its row, and its
        # 40 columns cost more to compile than to read.
        .only("headline", "slug", "published_at", "section__name", "section__slug")
        .related_to(article, limit=RELATED_ARTICLES)
    )
    return {"stories": stories}
