"""schema.org structured data (JSON-LD) for story pages and the home page, built as plain dicts.

The one place that decides what search engines are told about a story, its corrections included:
every entry of the story's corrections log becomes a `correction`. Templates render these dicts
with the `json_ld` filter (articles/templatetags/distribution.py), never by string templating.
"""

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse

from .renditions import share_image
from .seo import absolute_url, description, modified_at

CONTEXT = "https://schema.org"


def _home():
    return absolute_url(reverse("articles:home"))


def _pixels(number):
    # schema.org's width and height take a Distance or QuantitativeValue, not a bare number; E37 is "pixel".
    return {"@type": "QuantitativeValue", "value": number, "unitCode": "E37"}


def organization():
    """The publisher: the site itself, with its logo."""
    return {
        "@type": "NewsMediaOrganization",
        "@id": f"{_home()}#organization",
        "name": settings.SITE_NAME,
        "url": _home(),
        "logo": {"@type": "ImageObject", "url": absolute_url(static(settings.SITE_LOGO))},
    }


def home_page():
    """The home page's graph: the organization and the web site, with the site search as its SearchAction."""
    search = absolute_url(reverse("articles:search"))
    website = {
        "@type": "WebSite",
        "@id": f"{_home()}#website",
        "name": settings.SITE_NAME,
        "url": _home(),
        "inLanguage": settings.LANGUAGE_CODE,
        "publisher": {"@id": f"{_home()}#organization"},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }
    return {"@context": CONTEXT, "@graph": [organization(), website]}


def _authors(article):
    names = [author.name for author in article.authors.all()]
    if names:
        return [{"@type": "Person", "name": name} for name in names]
    if article.source_id:  # an uncredited wire story: the outlet wrote it
        return [{"@type": "Organization", "name": article.source.name, "url": article.source.homepage}]
    return [{"@type": "Organization", "name": settings.SITE_NAME, "url": _home()}]


def news_article(article):
    """A story as a schema.org NewsArticle (with what Google's article and news guidelines ask for)."""
    page = absolute_url(article.get_absolute_url())
    data = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "headline": article.headline,
        "description": description(article),
        "url": page,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page},
        "datePublished": article.published_at.isoformat(),
        "dateModified": modified_at(article).isoformat(),
        "author": _authors(article),
        "publisher": organization(),
        "articleSection": article.section.name,
        "inLanguage": settings.LANGUAGE_CODE,
        "isAccessibleForFree": True,
    }
    keywords = [tag.name for tag in article.tags.all()]
    if keywords:
        data["keywords"] = keywords
    image = share_image(article)
    if image:
        data["image"] = [
            {
                "@type": "ImageObject",
                "url": absolute_url(image.url),
                "width": _pixels(image.width),
                "height": _pixels(image.height),
            }
        ]
    if article.source_url:
        data["isBasedOn"] = article.source_url
    corrections = [
        {
            "@type": "CorrectionComment",
            "name": correction.get_kind_display(),
            "text": correction.note,
            "datePublished": correction.created_at.isoformat(),
        }
        for correction in article.corrections.all()
    ]
    if corrections:
        data["correction"] = corrections
    return data


def breadcrumbs(article):
    """Home › section › story."""
    trail = [
        ("Home", _home()),
        (article.section.name, absolute_url(article.section.get_absolute_url())),
        (article.headline, absolute_url(article.get_absolute_url())),
    ]
    return {
        "@context": CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(trail, start=1)
        ],
    }
