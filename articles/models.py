import datetime
import secrets

from django import forms
from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

from .html import BODY_EXTENSIONS, sanitize_html
from .images import ImageUploadField, UprightImageFieldFile, validate_image
from .search import SearchDocument

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


class UprightImageField(models.ImageField):
    """An image field that stores the width and height of the picture as shown (EXIF orientation applied)."""

    attr_class = UprightImageFieldFile

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": ImageUploadField, **kwargs})


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


# Related stories are looked for this long before and after a story's publication.
RELATED_WINDOW = datetime.timedelta(days=14)


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: live stories, and scheduled ones whose time has come, until any
        scheduled unpublish time passes (so both take effect on time without a cron job)."""
        now = timezone.now()
        return self.filter(status__in=Article.LIVE_STATUSES, published_at__lte=now).filter(
            models.Q(unpublish_at__isnull=True) | models.Q(unpublish_at__gt=now)
        )

    def for_listing(self):
        """Everything a list page shows for each story, in a fixed number of queries."""
        return self.select_related("section", "source").prefetch_related("authors")

    def indexable(self):
        """Stories whose copy here search engines should index: our own, and those of sources that
        licensed us full rights. The pages of the others say noindex or point to the original."""
        return self.filter(models.Q(source__isnull=True) | models.Q(source__seo_policy=Source.SEOPolicy.OWN_CANONICAL))

    def related_to(self, article, *, limit=4):
        """Other stories sharing the most tags with `article`, then those of its section, newest first,
        from the weeks around it (RELATED_WINDOW either side), so the query reads as many stories for
        a newsroom with 100,000 as for one with 1,000.

        One query when the story's tags were prefetched (as on its page)."""
        tag_ids = [tag.pk for tag in article.tags.all()]
        same_section = models.Case(models.When(section_id=article.section_id, then=1), default=0)
        around = article.published_at or timezone.now()
        window = {"published_at__gte": around - RELATED_WINDOW, "published_at__lte": around + RELATED_WINDOW}
        related = self.exclude(pk=article.pk).filter(**window)
        if not tag_ids:
            return related.filter(section_id=article.section_id).order_by("-published_at", "-pk")[:limit]
        tagged = Article.tags.through.objects.filter(tag_id__in=tag_ids)
        shared_tags = (
            tagged.filter(article_id=models.OuterRef("pk"))
            .order_by()
            .values("article_id")
            .annotate(n=models.Count("*"))
            .values("n")
        )
        return (
            related.filter(models.Q(section_id=article.section_id) | models.Q(pk__in=tagged.values("article_id")))
            .annotate(shared_tags=Coalesce(models.Subquery(shared_tags), 0), same_section=same_section)
            .order_by("-shared_tags", "-same_section", "-published_at", "-pk")[:limit]
        )


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The stored search document is as long as the story: only the database's search reads it.
        return super().get_queryset().defer("search_document")


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
    lead_image = UprightImageField(
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
    # The syndication record of an imported story (articles/importing.py), never edited by hand.
    source_guid = models.CharField("GUID at the source", max_length=1024, blank=True, editable=False)
    source_url_normalized = models.CharField(
        "source link, normalized", max_length=2048, blank=True, editable=False
    )  # scheme, www., trailing slash and tracking parameters ignored
    source_fingerprint = models.CharField(max_length=64, blank=True, editable=False)  # headline + lead, hashed
    source_published_at = models.DateTimeField("published at the source", null=True, blank=True, editable=False)
    source_updated_at = models.DateTimeField("updated at the source", null=True, blank=True, editable=False)
    source_licence = models.CharField("licence and usage note", max_length=500, blank=True, editable=False)
    source_entry = models.JSONField(default=dict, blank=True, editable=False)  # the entry as last imported
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="For a scheduled story: when it goes live."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_enabled = models.BooleanField(default=True)
    unpublish_at = models.DateTimeField(
        "comes down at", null=True, blank=True, help_text="For a live story: when it stops being public."
    )
    # Kept by the database from the headline, dek and body, for search (articles/search.py; PostgreSQL).
    search_document = models.GeneratedField(
        expression=SearchDocument(), output_field=SearchVectorField(null=True), db_persist=True
    )
    # Optimistic locking: every save from the change form must start from the current edit number.
    lock_version = models.PositiveIntegerField("edit number", default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )

    objects = ArticleManager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            # The public pages' queries (tests/test_public_query_indexes.py checks them on PostgreSQL):
            # a section's and a source's latest stories, and the next scheduled unpublish (pagecache.freshness).
            models.Index(fields=["section", "-published_at", "-id"], name="article_section_latest_idx"),
            models.Index(fields=["source", "-published_at", "-id"], name="article_source_latest_idx"),
            models.Index(
                fields=["unpublish_at"], name="article_unpublish_at_idx", condition=models.Q(unpublish_at__isnull=False)
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish stories"),
            ("edit_any_article", "Can edit anyone's stories"),
        ]
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
            # An entry is imported once, however many runs race for it (articles/importing.py).
            models.UniqueConstraint(
                fields=["source", "source_guid"], condition=~models.Q(source_guid=""), name="import_unique_guid"
            ),
            models.UniqueConstraint(
                fields=["source_url_normalized"],
                condition=~models.Q(source_url_normalized=""),
                name="import_unique_link",
            ),
            models.UniqueConstraint(
                fields=["source", "source_fingerprint"],
                condition=~models.Q(source_fingerprint=""),
                name="import_unique_fingerprint",
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
        self.unpublish_at = None

    @property
    def is_public(self):
        """The same rule as `ArticleQuerySet.published()`, for one story in memory."""
        now = timezone.now()
        return (
            self.status in self.LIVE_STATUSES
            and self.published_at is not None
            and self.published_at <= now
            and (self.unpublish_at is None or self.unpublish_at > now)
        )

    @property
    def is_taken_down(self):
        """Was live, and its scheduled unpublish time has passed."""
        taken_down = self.unpublish_at is not None and self.unpublish_at <= timezone.now()
        return self.status in self.LIVE_STATUSES and taken_down

    def publishing_problems(self, when):
        """What stops this story going live at `when`: {field name: what to do}; empty when it may."""
        problems = {}
        if not self.headline.strip():
            problems["headline"] = "Write a headline before publishing."
        if not strip_tags(self.body or "").strip():
            problems["body"] = "Write the story's text before publishing: the body is empty."
        if not self.section_id:
            problems["section"] = "Choose a section before publishing."
        if self.source_id and not self.source_url:
            problems["source_url"] = "A story from a source needs the source link (the original story's URL)."
        if self.lead_image and not self.lead_image_alt.strip():
            problems["lead_image_alt"] = "Describe the lead image in its alt text before publishing."
        # Addresses carry the day: two stories with one slug on one day would share a URL.
        day = timezone.localtime(when).date()
        start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        same_address = Article.objects.filter(
            slug=self.slug, published_at__gte=start, published_at__lt=start + datetime.timedelta(days=1)
        ).exclude(pk=self.pk)
        if self.slug and same_address.exists():
            problems["slug"] = (
                f"Another story published on {day:%d %B %Y} already uses the slug “{self.slug}”: change it."
            )
        return problems

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


class StatusChange(models.Model):
    """One step of a story's workflow: who did what, when, and the time it set."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled to go live"
        UNPUBLISH_SCHEDULED = "unpublish_scheduled", "Scheduled to come down"
        UNPUBLISH_CANCELLED = "unpublish_cancelled", "Scheduled unpublish cancelled"
        UNPUBLISHED = "unpublished", "Unpublished"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=20, choices=Action)
    from_status = models.CharField(max_length=12, choices=Article.Status)
    to_status = models.CharField(max_length=12, choices=Article.Status)
    effective_at = models.DateTimeField(null=True, blank=True, help_text="The time it set: going live or coming down.")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_action_display()} at {self.created_at:%Y-%m-%d %H:%M}"


class Correction(models.Model):
    """An entry of a story's public corrections log. Entries are never deleted; changing one is logged."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", "Correction"
        CLARIFICATION = "clarification", "Clarification"
        UPDATE = "update", "Update"
        RETRACTION = "retraction", "Retraction"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField("type", max_length=15, choices=Kind, default=Kind.CORRECTION)
    note = models.TextField(help_text="What was wrong and what is right now, as readers will see it.")
    created_at = models.DateTimeField("date", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name="editor"
    )
    amended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.created_at:%d %B %Y}"


class CorrectionChange(models.Model):
    """What a corrections-log entry said before an editor changed it, and who changed it when."""

    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="changes")
    old_kind = models.CharField(max_length=15, choices=Correction.Kind)
    old_note = models.TextField()
    new_kind = models.CharField(max_length=15, choices=Correction.Kind)
    new_note = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["changed_at", "pk"]

    def __str__(self):
        return f"Change of {self.changed_at:%Y-%m-%d %H:%M}"


def new_preview_key():
    return secrets.token_urlsafe(24)


class PreviewLink(models.Model):
    """A shareable address for reading one story before it is public, without an account, until it
    expires or an editor revokes it. The address carries the row's random key, signed with SECRET_KEY."""

    SALT = "articles.PreviewLink"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="preview_links")
    key = models.CharField(max_length=40, unique=True, default=new_preview_key, editable=False)
    shared_with = models.CharField(max_length=200, blank=True, help_text="Who it is for: for the record only.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "preview link"

    def __str__(self):
        return f"Preview of “{self.article}”"

    def get_absolute_url(self):
        return reverse("articles:shared_preview", args=[self.token])

    @property
    def token(self):
        # No timestamp in it: one link, one address (expiry is the row's, so an editor can revoke it).
        return signing.Signer(salt=self.SALT).sign(self.key)

    @classmethod
    def key_from_token(cls, token):
        """The key a token carries, or None when its signature is not ours."""
        try:
            return signing.Signer(salt=cls.SALT).unsign(token)
        except signing.BadSignature:
            return None

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return not self.is_revoked and not self.is_expired


class EditorPresence(models.Model):
    """Someone opened a story's change form: who, and when last, so that others editing it are warned."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="one_presence_per_editor")]

    def __str__(self):
        return f"{self.user} on “{self.article}”"


class UpstreamChange(models.Model):
    """A change the source made to a story after we imported it, kept for an editor instead of overwriting."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="upstream_changes")
    detected_at = models.DateTimeField(default=timezone.now)
    previous = models.JSONField(help_text="The entry as we imported it.")
    current = models.JSONField(help_text="The entry as the source has it now.")
    diff = models.TextField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-detected_at", "-pk"]
        verbose_name = "change at the source"
        constraints = [
            models.UniqueConstraint(
                fields=["article"], condition=models.Q(reviewed_at__isnull=True), name="one_open_upstream_change"
            )
        ]

    def __str__(self):
        return f"Change at the source of “{self.article}”"
