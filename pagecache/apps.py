from django.apps import AppConfig


class PageCacheConfig(AppConfig):
    name = "pagecache"
    verbose_name = "Page cache"

    def ready(self):
        from comments.signals import comments_erased

        from . import freshness

        freshness.connect_signals()
        # Erasing a commenter's words writes with update(), which sends no post_save.
        comments_erased.connect(freshness.content_changed, dispatch_uid="pagecache-comments-erased")
