import datetime

from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView

from . import search
from .distribution.seo import absolute_url
from .models import Article, Section, Source, Tag


class LatestArticlesPaginator(Paginator):
    """Pages through at most MAX_PAGES pages of stories. Counting every story of a large archive costs more
    than the rest of the page (90 ms of PostgreSQL's time for 100,000 stories, and growing with them);
    counting the newest MAX_PAGES pages' worth costs the same whatever the archive's size. Older stories
    are reached through sections, tags, search and the sitemaps."""

    MAX_PAGES = 100

    @cached_property
    def count(self):
        return self.object_list[: self.MAX_PAGES * self.per_page].count()


class ArticleListView(ListView):
    """The latest published stories, newest first; subclasses narrow the list."""

    template_name = "articles/article_list.html"
    paginator_class = LatestArticlesPaginator

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE  # read per request, not frozen at import

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(ArticleListView):
    extra_context = {"home": True}  # the Organization and WebSite structured data


class SectionView(ArticleListView):
    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=self.section.name,
            intro=self.section.description,
            section=self.section,
            current_section_slug=self.section.slug,
            **kwargs,
        )


class SourceView(ArticleListView):
    def get_queryset(self):
        self.source = get_object_or_404(Source, slug=self.kwargs["slug"])
        return super().get_queryset().filter(source=self.source)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Stories from {self.source.name}", source=self.source, **kwargs)


class TagView(ArticleListView):
    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=f"Tagged “{self.tag.name}”", tag=self.tag, **kwargs)


class ArticleDetailView(DetailView):
    """A published story at its dated address; other sections' addresses redirect to the real one."""

    def get_queryset(self):
        return (
            Article.objects.published()
            .select_related("section", "source")
            .prefetch_related("authors", "tags", "corrections")
        )

    def get_object(self, queryset=None):
        kwargs = self.kwargs
        try:
            day = datetime.date(int(kwargs["year"]), int(kwargs["month"]), int(kwargs["day"]))
            start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
            end = start + datetime.timedelta(days=1)
        except (ValueError, OverflowError):  # month 13, 30 February, the last day of year 9999
            raise Http404("No such date.") from None
        return get_object_or_404(
            self.get_queryset(),
            slug=kwargs["slug"],
            published_at__gte=start,
            published_at__lt=end,
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.section.slug != kwargs["section"]:
            return redirect(self.object, permanent=True)
        context = self.get_context_data(object=self.object, current_section_slug=self.object.section.slug)
        return self.render_to_response(context)


@method_decorator(never_cache, name="dispatch")
class ArticlePreviewView(PermissionRequiredMixin, DetailView):
    """Staff read any story, in any state, on the real page template."""

    permission_required = "articles.view_article"
    login_url = reverse_lazy("admin:login")  # staff sign in there; the site has no other login page
    template_name = "articles/article_detail.html"
    queryset = Article.objects.select_related("section", "source").prefetch_related("authors", "tags")

    def get_context_data(self, **kwargs):
        return super().get_context_data(preview=True, **kwargs)


class SearchView(ListView):
    """Published stories matching the reader's words, best match first; 400 for a query we refuse."""

    template_name = "articles/search.html"

    def get_paginate_by(self, queryset):
        return settings.SEARCH_RESULTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        self.form = search.SearchForm(request.GET)
        self.query = self.form.cleaned_data["q"] if self.form.is_valid() else ""
        response = super().get(request, *args, **kwargs)
        if not self.form.is_valid():
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.query:
            return Article.objects.none()
        return search.articles_matching(Article.objects.published().select_related("section", "source"), self.query)

    def get_context_data(self, **kwargs):
        # The header's search box shows what the reader typed, even when it was refused.
        typed = self.form.data.get("q", "")
        context = super().get_context_data(form=self.form, query=self.query, search_query=typed, **kwargs)
        context["results"] = list(context["object_list"])
        search.highlight(context["results"], self.query)
        return context


class RobotsView(TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            sitemap_url=absolute_url(reverse("sitemap")),
            news_sitemap_url=absolute_url(reverse("sitemap_news")),
            **kwargs,
        )
