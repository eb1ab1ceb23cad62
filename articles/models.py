from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django_prose_editor.fields import ProseEditorField

from .html import BODY_EXTENSIONS, sanitize_html
from .images import validate_image

# Only links a reader's browser can safely follow: no javascript:, ftp: or data:.
web_url = URLValidator(schemes=["http", "https"], message="Enter a web address starting with http:// or https://.")


class WebURLFormField(forms.URLField):
    default_validators = [web_url]
    default_error_messages = {"invalid": web_url.message}

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)


class WebURLField(models.URLField):
    """A URL of up to 2048 characters that must be http or https (real source URLs are long)."""

    default_validators = [web_url]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2048)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        # The form must check the same rule with the same message: a ModelForm replaces a model
        # validator's message with its field's own for the same code ("invalid").
        return super().formfield(**{"form_class": WebURLFormField, **kwargs})


class SanitizedHTMLField(ProseEditorField):
    """Story HTML, cleaned by the one allowlist whenever it is validated or saved, whatever the path."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("extensions", BODY_EXTENSIONS)
        kwargs.setdefault("sanitize", sanitize_html)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value


class Source(models.Model):
    """An outlet whose stories we syndicate, credited by name and linked back to."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    homepage = WebURLField("homepage URL")
    feed_url = WebURLField("feed URL", blank=True, help_text="RSS or Atom feed to import stories from.")
    notes = models.TextField(blank=True, help_text="Licence terms, contacts: for editors only.")

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
RESERVED_SECTION_SLUGS = {"admin", "api", "comments", "feeds", "media", "preview", "search", "source", "static", "tag"}


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
        return reverse("articles:section", args=[self.slug])


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


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: live stories, and scheduled ones whose time has come."""
        return self.filter(status__in=Article.LIVE_STATUSES, published_at__lte=timezone.now())

    def for_listing(self):
        """Everything a list page shows for each story, in a fixed number of queries."""
        return self.select_related("section", "source").prefetch_related("authors")


class Article(models.Model):
    """A story as readers see it, with its syndication record when it comes from another outlet."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        IN_REVIEW = "in_review", "In review"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"
        UNPUBLISHED = "unpublished", "Unpublished"

    # A scheduled story is live once its time passes: no cron job flips it.
    LIVE_STATUSES = [Status.SCHEDULED, Status.PUBLISHED]

    headline = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique_for_date="published_at", help_text="The end of the story's address.")
    dek = models.CharField("dek (standfirst)", max_length=300, blank=True)
    body = SanitizedHTMLField(blank=True)
    lead_image = models.ImageField(
        upload_to="lead-images/%Y/%m/",
        blank=True,
        validators=[validate_image],
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    # Stored so pages can reserve the image's space without opening the file.
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_alt = models.CharField("alt text", max_length=250, blank=True)
    lead_image_caption = models.CharField("caption", max_length=300, blank=True)
    lead_image_credit = models.CharField("credit", max_length=150, blank=True)
    authors = models.ManyToManyField(Author, blank=True, related_name="articles", verbose_name="byline")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    tags = models.ManyToManyField(Tag, blank=True, related_name="articles")
    source = models.ForeignKey(Source, on_delete=models.PROTECT, null=True, blank=True, related_name="articles")
    source_url = WebURLField("source link", blank=True, help_text="The original story this one is based on.")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="For a scheduled story: when it goes live."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_enabled = models.BooleanField(default=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="article_public_idx")]
        constraints = [
            models.CheckConstraint(
                name="live_article_has_date",
                condition=~models.Q(status__in=["scheduled", "published"]) | models.Q(published_at__isnull=False),
            ),
            # Form validation already insists on http(s); this also covers imports and scripts.
            models.CheckConstraint(
                name="article_source_url_is_web",
                condition=models.Q(source_url="")
                | models.Q(source_url__istartswith="http://")
                | models.Q(source_url__istartswith="https://"),
                violation_error_message=web_url.message,
            ),
            models.CheckConstraint(
                name="sourced_article_has_link",
                condition=models.Q(source__isnull=True) | ~models.Q(source_url=""),
                violation_error_message="A story from a source needs the source link (the original story's URL).",
            ),
        ]

    def __str__(self):
        return self.headline

    def get_absolute_url(self):
        date = timezone.localtime(self.published_at or self.created_at or timezone.now())
        return reverse(
            "articles:detail",
            kwargs={
                "section": self.section.slug,
                "year": date.year,
                "month": f"{date.month:02d}",
                "day": f"{date.day:02d}",
                "slug": self.slug,
            },
        )

    def clean(self):
        errors = {}
        if self.source_id and not self.source_url:
            errors["source_url"] = "A story from a source needs the source link (the original story's URL)."
        if self.status in self.LIVE_STATUSES and not self.published_at:
            errors["published_at"] = "Set the publication time for a scheduled or published story."
        if self.lead_image and not self.lead_image_alt:
            errors["lead_image_alt"] = "Describe the image for readers who cannot see it."
        if errors:
            raise ValidationError(errors)

    def publish(self, *, when=None):
        """Mark the story live now (or at `when`, which schedules it); the caller saves."""
        now = timezone.now()
        self.published_at = when or self.published_at or now
        self.status = self.Status.SCHEDULED if self.published_at > now else self.Status.PUBLISHED

    def unpublish(self):
        self.status = self.Status.UNPUBLISHED

    @property
    def is_public(self):
        return (
            self.status in self.LIVE_STATUSES and self.published_at is not None and self.published_at <= timezone.now()
        )

    @property
    def was_updated(self):
        """Edited after it went live (a minute's grace for the publishing save itself).

        Measured from creation when that came later: a story saved with an earlier
        publication time (syndicated, imported, back-dated) has not been edited yet.
        """
        if not self.published_at or not self.updated_at:
            return False
        baseline = max(self.published_at, self.created_at or self.published_at)
        return (self.updated_at - baseline).total_seconds() > 60

    @cached_property
    def byline(self):
        names = [author.name for author in self.authors.all()]
        if len(names) > 1:
            return f"{', '.join(names[:-1])} and {names[-1]}"
        return names[0] if names else ""
