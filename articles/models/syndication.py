"""What syndication keeps beyond the story's own record: changes made at the source."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from .article import Article


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
