"""The editors' desk's records: status changes, corrections, preview links, who is editing."""

import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .article import Article


class StatusChange(models.Model):
    """One step of a story's workflow: who did what, when, and the time it set."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted for review"
        PUBLISHED = "published", "Published"
        SCHEDULED = "scheduled", "Scheduled to go live"
        UNPUBLISH_SCHEDULED = "unpublish_scheduled", "Scheduled to come down"
        UNPUBLISH_CANCELLED = "unpublish_cancelled", "Scheduled unpublish cancelled"
        UNPUBLISHED = "unpublished", "Unpublished"
        SENT_BACK = "sent_back", "Sent back to the reporter"

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="status_changes")
    action = models.CharField(max_length=20, choices=Action)
    from_status = models.CharField(max_length=12, choices=Article.Status)
    to_status = models.CharField(max_length=12, choices=Article.Status)
    effective_at = models.DateTimeField(null=True, blank=True, help_text="The time it set: going live or coming down.")
    note = models.TextField(blank=True, help_text="What the editor asked for, when sending a story back.")
    # None: the system made the change (the feed import publishing a story), or the user has been deleted.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
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
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"Change of {self.created_at:%Y-%m-%d %H:%M}"


def new_preview_key():
    return secrets.token_urlsafe(24)


class PreviewLinkQuerySet(models.QuerySet):
    def active(self):
        """Links that still work: not revoked, not expired (`PreviewLink.is_active` for one link)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


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

    objects = PreviewLinkQuerySet.as_manager()

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
        """Still works: the rule of `PreviewLinkQuerySet.active()`, for one link in memory."""
        return not self.is_revoked and not self.is_expired


class EditorPresence(models.Model):
    """Someone has a story's change form open: who, since when, and when last seen (the form's heartbeat), so that
    others editing it are told."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
    since = models.DateTimeField(default=timezone.now, help_text="When this stay on the story's form began.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="one_presence_per_editor")]

    def __str__(self):
        return f"{self.user} on “{self.article}”"


class StoryAutosave(models.Model):
    """What one editor had typed in a story's change form and not saved yet: the form's autosave keeps it (one per
    editor and story, never anyone else's), and the form offers it back when they open the story again, after a
    crash or a save refused because someone else saved first. Saving the story ends it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="autosaves")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(help_text="The form's fields as the browser would post them (a list for each name).")
    based_on_version = models.PositiveIntegerField(help_text="The story's lock_version the form was opened at.")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="one_autosave_per_editor")]
        verbose_name = "unsaved changes"
        verbose_name_plural = "unsaved changes"

    def __str__(self):
        return f"{self.user}'s unsaved changes to “{self.article}”"
