from django.urls import path, register_converter
from django.views.decorators.cache import cache_control

from . import views
from .desk import views as desk_views
from .distribution import feeds


class FourDigitYear:
    regex = "[0-9]{4}"
    to_python = int

    def to_url(self, value):
        return f"{int(value):04d}"


class TwoDigits:
    regex = "[0-9]{2}"
    to_python = int

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(FourDigitYear, "yyyy")
register_converter(TwoDigits, "dd")

# Feeds are the same for every reader: caches and proxies may keep them for a few minutes.
public_feed = cache_control(public=True, max_age=300)


def feed_paths(prefix, feed_class, name):
    """An RSS 2.0 and an Atom address for one feed: <prefix>rss/ and <prefix>atom/."""
    return [
        path(f"{prefix}rss/", public_feed(feed_class()), name=f"{name}_rss"),
        path(f"{prefix}atom/", public_feed(feeds.atom(feed_class)()), name=f"{name}_atom"),
    ]


app_name = "articles"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("preview/<int:pk>/", views.ArticlePreviewView.as_view(), name="preview"),
    path("preview/shared/<str:token>/", desk_views.SharedPreviewView.as_view(), name="shared_preview"),
    path("source/<slug:slug>/", views.SourceView.as_view(), name="source"),
    path("tag/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("search/", views.SearchView.as_view(), name="search"),
    *feed_paths("feeds/", feeds.ArticleFeed, "feed"),
    *feed_paths("feeds/section/<slug:slug>/", feeds.SectionFeed, "section_feed"),
    *feed_paths("feeds/source/<slug:slug>/", feeds.SourceFeed, "source_feed"),
    *feed_paths("feeds/tag/<slug:slug>/", feeds.TagFeed, "tag_feed"),
    path("<slug:slug>/", views.SectionView.as_view(), name="section"),
    path(
        "<slug:section>/<yyyy:year>/<dd:month>/<dd:day>/<slug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
]
