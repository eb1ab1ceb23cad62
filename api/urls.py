from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(use_regex_path=False)
router.include_format_suffixes = False
router.register("stories", views.ArticleViewSet, basename="story")
router.register("sections", views.SectionViewSet, basename="section")
router.register("sources", views.SourceViewSet, basename="source")

app_name = "api"
urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="schema"),
    *router.urls,
]
