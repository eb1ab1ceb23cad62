"""The addresses a story answered at before it moved (its date, slug or section changed after it went
public): each answers with a 301 to where the story is now (articles.distribution.redirects)."""

from django.db import models

from .article import Article


class ArticleRedirect(models.Model):
    """An old address of a story. It names the story, not the new address, so a story that moves again
    needs no chain: every old address sends readers straight to the current one."""

    old_path = models.CharField(max_length=500, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="old_addresses")
    moved_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self):
        return f"{self.old_path} → {self.article}"
