"""Hooks our policy into django-comments-xtd's moderator registry."""

from django_comments_xtd.moderation import XtdCommentModerator, moderator

from articles.models import Article

from . import policy


class ArticleCommentModerator(XtdCommentModerator):
    """xtd asks this before a comment is saved; the answer comes from `policy.judge`.

    The verdict is kept on the comment so the view can tell the reader why a
    comment was refused, and the queue can tell moderators why it was held.
    """

    email_notification = False  # our notifications go out after commit: see notifications.py, outbox.py

    def verdict(self, comment, content_object, request):
        if getattr(comment, "verdict", None) is None:
            comment.verdict = policy.judge(
                article=content_object,
                text=comment.comment,
                email=comment.user_email,
                user=getattr(comment, "user", None),
                ip_address=getattr(comment, "ip_address", None),
                reply_to=getattr(comment, "parent_id", None) or None,  # the form's reply_to (0: a new thread)
            )
        return comment.verdict

    def allow(self, comment, content_object, request):
        return not self.verdict(comment, content_object, request).rejected

    def moderate(self, comment, content_object, request):
        return self.verdict(comment, content_object, request).held


moderator.register(Article, ArticleCommentModerator)
