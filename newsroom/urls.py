from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control

from articles.distribution.sitemaps import SITEMAPS, NewsSitemap
from articles.views import RobotsView
from newsroom import health

admin.site.site_header = f"{settings.SITE_NAME} desk"
admin.site.site_title = settings.SITE_NAME
# The app list lives on the home page; beside the story list and its filters a second menu left the list 630 px
# of a 1280 px window, and cut off its columns.
admin.site.enable_nav_sidebar = False

# A body too large to read gets a 413 page; a database that cannot be reached, a 503 (newsroom/errors.py).
handler400 = "newsroom.errors.bad_request"
handler500 = "newsroom.errors.server_error"

urlpatterns = [
    # For the load balancer (also answered by health.HealthCheckMiddleware before the rest of the middleware).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("comments/", include("comments.urls")),
    path("privacy/", include("comments.privacy_urls")),
    path("api/", include("api.urls")),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap_section"},
        name="sitemap",
    ),
    path(
        "sitemap-news.xml",
        cache_control(public=True, max_age=300)(sitemap_views.sitemap),
        {"sitemaps": {"news": NewsSitemap}, "template_name": "sitemaps/news.xml"},
        name="sitemap_news",
    ),
    path(
        "sitemap-<section>.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS, "template_name": "sitemaps/sitemap.xml"},
        name="sitemap_section",
    ),
    path("", include("articles.urls")),
]

if settings.SERVE_MEDIA:
    from django.urls import re_path
    from django.views.static import serve

    urlpatterns += [
        re_path(rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
