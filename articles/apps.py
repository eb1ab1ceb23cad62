from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Newsroom"  # the app of stories, sources, sections, authors and tags: "Home › Newsroom › Stories"

    def ready(self):
        import reversion

        from .models import Article

        # Every save of a story made inside reversion.create_revision() (the admin, the desk's services) keeps a
        # revision; the workflow fields are stored too but never restored (articles.desk.revisions.article_restore).
        if not reversion.is_registered(Article):
            reversion.register(Article, exclude=["search_document"])  # the database makes it from the rest

        from .distribution import redirects, renditions  # noqa: F401  (renditions: registered on import)

        redirects.connect()  # a story that moves keeps its old addresses
        from .sites import sync_site

        post_migrate.connect(sync_site, sender=self)
