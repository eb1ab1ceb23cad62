"""Where stories come from and how they are filed: sources, sections, authors, tags."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import get_script_prefix, get_urlconf, reverse

from .fields import WebURLField, web_url


class Source(models.Model):
    """An outlet whose stories we syndicate, credited by name and linked back to."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = WebURLField("homepage URL")
    feed_url = WebURLField("feed URL", blank=True, help_text="RSS or Atom feed to import stories from.")
    notes = models.TextField(blank=True, help_text="Licence terms, contacts: for editors only.")
    # Importing (articles/importing.py): where stories go, what readers are told about the terms, and
    # the feed's HTTP validators so an unchanged feed is not downloaded again.
    licence = models.CharField(
        "licence and usage note",
        max_length=500,
        blank=True,
        help_text="Public: the terms we republish under, copied onto every story imported from this source.",
    )
    default_section = models.ForeignKey(
        "Section",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where imported stories go unless the import names another section.",
    )
    feed_http_cache = models.JSONField(default=dict, blank=True, editable=False)
    last_fetched_at = models.DateTimeField("last fetched", null=True, blank=True, editable=False)
    last_fetch_result = models.CharField("last fetch", max_length=500, blank=True, editable=False)

    class SEOPolicy(models.TextChoices):
        # Search engines now advise syndication partners to keep their copies out of the index
        # (a cross-site canonical is only a hint, often ignored when the pages differ), so that is the default.
        NOINDEX = "noindex", "Keep our copy out of search engines (noindex)"
        CANONICAL_TO_ORIGINAL = "canonical_to_original", "Point search engines to the original (canonical link)"
        OWN_CANONICAL = "own_canonical", "Our copy is canonical (licensed with full rights)"

    seo_policy = models.CharField(
        "search engines",
        max_length=24,
        choices=SEOPolicy,
        default=SEOPolicy.NOINDEX,
        help_text="How our copies of this outlet's stories present themselves to search engines; "
        "only stories whose copy is ours to index go into the sitemaps.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                name="source_urls_are_web",
                condition=(models.Q(homepage__istartswith="http://") | models.Q(homepage__istartswith="https://"))
                & (
                    models.Q(feed_url="")
                    | models.Q(feed_url__istartswith="http://")
                    | models.Q(feed_url__istartswith="https://")
                ),
                violation_error_message=web_url.message,
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:source", args=[self.slug])


# Section pages live at /<slug>/, so a section may not take a path the site already uses.
RESERVED_SECTION_SLUGS = {
    "admin",
    "api",
    "comments",
    "feeds",
    "media",
    "preview",
    "privacy",
    "search",
    "source",
    "static",
    "tag",
}


def validate_section_slug(value):
    if value in RESERVED_SECTION_SLUGS:
        raise ValidationError(f"“{value}” is used by another part of the site; choose another slug.")


class Section(models.Model):
    """A part of the paper (News, Business, ...) that every story belongs to."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, validators=[validate_section_slug])
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in the navigation, lowest first.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        # Reversed once per section, URLconf and script prefix: every page's navigation lists every section.
        key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), self.slug)
        url = _section_addresses.get(key)
        if url is None:
            url = _section_addresses[key] = reverse("articles:section", args=[self.slug])
        return url


_section_addresses = {}  # (URLconf, script prefix, slug) -> the section page's path


class Author(models.Model):
    """A name that appears in bylines; optionally the staff account of that person."""

    name = models.CharField("public name", max_length=150)
    slug = models.SlugField(max_length=150, unique=True)
    bio = models.TextField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="author"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Tag(models.Model):
    """A topic label that links stories across sections."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
