"""Signals comments send for what Django's own model signals do not see."""

from django.dispatch import Signal

# A commenter's comments were erased in bulk with update(), which sends no post_save: the pages that showed
# their words are stale (pagecache listens). Sent with sender=ArticleComment and pks, the erased comments' ids.
comments_erased = Signal()
