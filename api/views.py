"""The read-only JSON API: published stories (with comment counts), sections and sources.

Public and anonymous: no session or CSRF, nothing but GET. Every list is paginated.
"""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from articles.models import Article, Section, Source
from comments.selectors import with_comment_counts

from .filters import ArticleFilter
from .serializers import ArticleSerializer, SectionSerializer, SourceSerializer


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class PublicReadOnly(viewsets.ReadOnlyModelViewSet):
    authentication_classes = []
    permission_classes = [AllowAny]
    pagination_class = Pagination


class ArticleViewSet(PublicReadOnly):
    """Published stories, newest first."""

    serializer_class = ArticleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = ArticleFilter

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("section", "source")
            .prefetch_related("authors", "tags")
            .order_by("-published_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        page = with_comment_counts(self.paginate_queryset(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        article = with_comment_counts([self.get_object()])[0]
        return Response(self.get_serializer(article).data)


class SectionViewSet(PublicReadOnly):
    queryset = Section.objects.all()
    serializer_class = SectionSerializer
    lookup_field = "slug"


class SourceViewSet(PublicReadOnly):
    queryset = Source.objects.all()
    serializer_class = SourceSerializer
    lookup_field = "slug"
