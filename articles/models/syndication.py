"""What syndication keeps beyond the story's own record: changes made at the source, and imports asked for in the
admin with their progress."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .article import Article
from .catalogue import Source


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


class FeedImportRun(models.Model):
    """One import of a source's feed asked for in the admin ("Fetch new stories now"): queued for a worker, then its
    progress while it runs and what it did, shown on the source's page."""

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    FINISHED = (State.DONE, State.FAILED)

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="import_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    entries_total = models.PositiveIntegerField(null=True, blank=True, help_text="Known once the feed is read.")
    entries_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    flagged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    outcomes = models.JSONField(
        default=list, blank=True, help_text='Entries worth a look: [{"action", "headline", "article_id", "reason"}].'
    )
    message = models.CharField(max_length=500, blank=True, help_text="The summary, or why the import failed.")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "feed import"
        indexes = [models.Index(fields=["source", "-requested_at"], name="feed_import_run_source_idx")]

    def __str__(self):
        return f"Import of {self.source} asked at {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self):
        return self.state in self.FINISHED
