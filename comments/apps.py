from django.apps import AppConfig
from django.core.signals import setting_changed


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = "Reader comments"

    def ready(self):
        from django.db.models.signals import pre_save
        from django_comments.signals import comment_was_posted, comment_will_be_posted
        from django_comments_xtd import views as xtd_views
        from django_comments_xtd.models import TmpXtdComment, publish_or_unpublish_on_pre_save

        from . import moderation  # noqa: F401  (registers the moderator on import)
        from .models import ArticleComment

        # xtd defects we do not inherit (see the comments issue):
        # - approving or re-saving a parent rewrites its replies' is_public and drifts nested_count;
        pre_save.disconnect(publish_or_unpublish_on_pre_save, sender=ArticleComment._meta.label)
        # - its post flow pickles email, name and IP into a never-expiring confirmation URL
        #   and mails every follower of the story; posting.py replaces both.
        comment_was_posted.disconnect(xtd_views.on_comment_was_posted, sender=TmpXtdComment)
        comment_will_be_posted.disconnect(xtd_views.on_comment_will_be_posted, sender=TmpXtdComment)
        # - it reads its settings once, at first use: forget them when a setting changes (tests).
        setting_changed.connect(_forget_xtd_settings)


def _forget_xtd_settings(setting, **kwargs):
    from django.utils.functional import empty
    from django_comments_xtd.conf import settings as xtd_settings

    if setting.startswith("COMMENTS_XTD_"):
        xtd_settings._wrapped = empty
