"""The story and the one query of what the public may see."""

import datetime
import functools

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import strip_tags

from ..images import validate_image
from ..search import SearchDocument
from .catalogue import Author, Section, Source, Tag
from .fields import SanitizedHTMLField, UprightImageField, WebURLField, web_url

# Related stories are looked for this long before and after a story's publication.
RELATED_WINDOW = datetime.timedelta(days=14)

# A story of our own follows this search-engine policy; one from a source follows the source's.
OWN_STORIES_SEO_POLICY = Source.SEOPolicy.OWN_CANONICAL

# What stops a story going live, in the words the desk shows: Article.publishing_problems() owns them,
# and clean() and the check constraints say the same where they check the same thing.
PUBLISHING_PROBLEMS = {
    "headline": "Write a headline before publishing.",
    "body": "Write the story's text before publishing: the body is empty.",
    "section": "Choose a section before publishing.",
    "source_url": "A story from a source needs the source link (the original story's URL).",
    "lead_image_alt": "Describe the lead image in its alt text before publishing.",
}
# clean() asks for the alt text on every save, not only before publishing, so it words that need
# without "before publishing".
ALT_TEXT_NEEDED = "Describe the image for readers who cannot see it."


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """What the public may see: live stories, and scheduled ones whose time has come, until any
        scheduled unpublish time passes (so both take effect on time without a cron job)."""
        now = timezone.now()
        return self.filter(status__in=Article.LIVE_STATUSES, published_at__lte=now).filter(
            models.Q(unpublish_at__isnull=True) | models.Q(unpublish_at__gt=now)
        )

    def next_change_after(self, moment, *, publication_plus=None):
        """The first moment after `moment` at which what the public sees changes by itself, or None: a
        scheduled story goes live, a live story's unpublish time comes, its comments close at the time the
        desk set (comments_close_at), or, given `publication_plus` (a timedelta), that long after a live
        story's publication passes (comments.policy: when its comments close by age). One query; each
        moment is the first row of an index (migrations/0009_public_query_indexes.py and
        0014_comments_close_at_index.py).
        """
        live = self.filter(status__in=Article.LIVE_STATUSES).order_by()

        def first(field, later_than):
            return models.Subquery(live.filter(**{f"{field}__gt": later_than}).order_by(field).values(field)[:1])

        moments = {
            "going_live": first("published_at", moment),
            "coming_down": first("unpublish_at", moment),
            "comments_closing": first("comments_close_at", moment),
        }
        if publication_plus is not None:
            moments["last_published"] = first("published_at", moment - publication_plus)
        # Scalar subqueries in one statement; the outer row only carries them.
        row = next(iter(self.order_by().annotate(**moments).values(*moments)[:1]), None)
        if row is None:
            return None
        candidates = [row["going_live"], row["coming_down"], row["comments_closing"]]
        if publication_plus is not None and row["last_published"] is not None:
            candidates.append(row["last_published"] + publication_plus)
        return min((candidate for candidate in candidates if candidate is not None), default=None)

    def changing_between(self, after, until, *, publication_plus=None):
        """Live stories whose public side changed by itself in (after, until]: the moments of
        `next_change_after`, which this must match (went live, came down, comments closed at their set
        time, `publication_plus` passed)."""

        def window(field, shift=datetime.timedelta(0)):
            return models.Q(**{f"{field}__gt": after - shift, f"{field}__lte": until - shift})

        moments = window("published_at") | window("unpublish_at") | window("comments_close_at")
        if publication_plus is not None:
            moments |= window("published_at", publication_plus)
        return self.filter(moments, status__in=Article.LIVE_STATUSES)

    def for_listing(self):
        """Everything a list page shows for each story, in a fixed number of queries."""
        return self.select_related("section", "source").prefetch_related("authors")

    def with_seo_policy(self, policy):
        """Stories whose pages follow the search-engine `policy`: the rule of `Article.seo_policy`, in SQL."""
        theirs = models.Q(source__seo_policy=policy)
        return self.filter(models.Q(source__isnull=True) | theirs if policy == OWN_STORIES_SEO_POLICY else theirs)

    def indexable(self):
        """Stories whose copy here search engines should index: our own, and those of sources that
        licensed us full rights. The pages of the others say noindex or point to the original."""
        return self.with_seo_policy(Source.SEOPolicy.OWN_CANONICAL)

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
        # "In its section" as a set of ids from the (section, published_at) index, like the tagged ones: both
        # are then tested on the id alone, without reading each candidate row (a story's whole body) for its
        # section; the same stories (the window is the outer one), 2.1 -> 0.6 ms of SQLite's time.
        in_section = Article.objects.filter(section_id=article.section_id, **window).values("pk")
        return (
            related.filter(models.Q(pk__in=in_section) | models.Q(pk__in=tagged.values("article_id")))
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

    class CommentMode(models.TextChoices):
        DISCUSSION = "discussion", "Discussion"
        QUESTIONS = "questions", "Questions and answers"

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
    # This story's own comment rules, read by comments.policy on top of the site's COMMENTS_POLICY.
    comments_mode = models.CharField(
        "comment mode",
        max_length=12,
        choices=CommentMode,
        default=CommentMode.DISCUSSION,
        help_text="Questions and answers: readers ask, the story's experts answer at once, under each question.",
    )
    comments_hold_all = models.BooleanField("hold every comment for review", default=False)
    comments_hold_links = models.BooleanField("hold comments with links", default=False)
    comments_hold_newcomers = models.BooleanField(
        "hold comments from new commenters",
        default=False,
        help_text="A comment from an address with no published comment yet waits for a moderator.",
    )
    comments_notice = models.CharField(
        "message above the comment form",
        max_length=300,
        blank=True,
        help_text="For example: “We are holding all comments on this story.”",
    )
    comments_close_at = models.DateTimeField(
        "comments close at", null=True, blank=True, help_text="Empty: when the site's rule closes them."
    )
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="expert_on",
        help_text="Signed-in users whose comments on this story show “Expert” (and answer questions at once).",
    )
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
        # "Stories" everywhere editors look (the admin's menus, titles, messages), as on the site and in the README.
        verbose_name = "story"
        verbose_name_plural = "stories"
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_public_idx"),
            # The public pages' queries (tests/test_public_query_indexes.py checks them on PostgreSQL):
            # a section's and a source's latest stories, and the next scheduled unpublish (pagecache.freshness).
            models.Index(fields=["section", "-published_at", "-id"], name="article_section_latest_idx"),
            models.Index(fields=["source", "-published_at", "-id"], name="article_source_latest_idx"),
            models.Index(
                fields=["unpublish_at"], name="article_unpublish_at_idx", condition=models.Q(unpublish_at__isnull=False)
            ),
            # The next moment a story's comments close at the time the desk set (pagecache.freshness).
            models.Index(
                fields=["comments_close_at"],
                name="article_comments_close_at_idx",
                condition=models.Q(comments_close_at__isnull=False),
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
                violation_error_message=PUBLISHING_PROBLEMS["source_url"],
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
        return self.address(self.section.slug, self.published_at or self.created_at or timezone.now(), self.slug)

    @staticmethod
    def address(section_slug, when, slug):
        """The path of a story page: its section, its day in the newsroom's time zone, its slug."""
        date = timezone.localtime(when)
        urlconf = get_urlconf() or settings.ROOT_URLCONF
        return _story_address(urlconf, get_script_prefix(), section_slug, date.year, date.month, date.day, slug)

    def clean(self):
        errors = {}
        if self.source_id and not self.source_url:
            errors["source_url"] = PUBLISHING_PROBLEMS["source_url"]
        if self.status in self.LIVE_STATUSES and not self.published_at:
            errors["published_at"] = "Set the publication time for a scheduled or published story."
        if self.lead_image and not self.lead_image_alt:
            errors["lead_image_alt"] = ALT_TEXT_NEEDED
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
    def seo_policy(self):
        """The search-engine policy of the story's page (`ArticleQuerySet.with_seo_policy` in SQL)."""
        return self.source.seo_policy if self.source_id else OWN_STORIES_SEO_POLICY

    @property
    def is_scheduled(self):
        """Set to go live at a time still ahead: it appears then by itself (`ArticleQuerySet.published()`)."""
        return (
            self.status in self.LIVE_STATUSES and self.published_at is not None and self.published_at > timezone.now()
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
            problems["headline"] = PUBLISHING_PROBLEMS["headline"]
        if not strip_tags(self.body or "").strip():
            problems["body"] = PUBLISHING_PROBLEMS["body"]
        if not self.section_id:
            problems["section"] = PUBLISHING_PROBLEMS["section"]
        if self.source_id and not self.source_url:
            problems["source_url"] = PUBLISHING_PROBLEMS["source_url"]
        if self.lead_image and not self.lead_image_alt.strip():
            problems["lead_image_alt"] = PUBLISHING_PROBLEMS["lead_image_alt"]
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


@functools.lru_cache(maxsize=4096)
def _story_address(urlconf, script_prefix, section_slug, year, month, day, slug):
    """Article.address, reversed once per story while it is among the most recent 4096 (a story page names nine)."""
    kwargs = {"section": section_slug, "year": year, "month": f"{month:02d}", "day": f"{day:02d}", "slug": slug}
    return reverse("articles:detail", kwargs=kwargs)
