"""The moderation queue's filters: by status (awaiting by default), editor's picks, and by story."""

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, OuterRef, Subquery
from django.db.models.functions import Cast

from articles.models import Article

from ..models import ArticleComment


class StatusFilter(admin.SimpleListFilter):
    """Awaiting by default (the queue), unless searching or looking at editor's picks; "All" stays one click away."""

    title = "status"
    parameter_name = "status"

    def __init__(self, request, params, model, model_admin):
        looking_further = request.GET.get("q") or request.GET.get(FeaturedFilter.parameter_name)
        self.default = "all" if looking_further else "awaiting"
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [
            ("awaiting", "Awaiting moderation"),
            ("approved", "Published"),
            ("removed", "Removed"),
            ("spam", "Spam"),
            ("flagged", "Flagged, not yet reviewed"),
            ("all", "All"),
        ]

    def has_output(self):
        return True

    def choices(self, changelist):
        # Like SimpleListFilter's, except that no parameter means the default, not "All".
        current = self.value() or self.default
        counts = self.get_facet_queryset(changelist) if changelist.add_facets else None
        for i, (lookup, title) in enumerate(self.lookup_choices):
            yield {
                "selected": current == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": f"{title} ({counts[f'{i}__c']})" if counts else title,
            }

    def queryset(self, request, queryset):
        value = self.value() or self.default
        if value == "awaiting":
            return queryset.awaiting()
        if value == "approved":
            return queryset.visible()
        if value == "removed":
            return queryset.filter(is_removed=True, is_spam=False)
        if value == "spam":
            return queryset.filter(is_spam=True)
        if value == "flagged":
            return queryset.filter(flag_count__gt=0, flags_reviewed=False, is_removed=False)
        return queryset


class FeaturedFilter(admin.SimpleListFilter):
    """Editor's picks (featured comments), or the rest."""

    title = "editor's picks"
    parameter_name = "featured"

    def lookups(self, request, model_admin):
        return [("yes", "Featured"), ("no", "Not featured")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(featured_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(featured_at__isnull=True)
        return queryset


class ArticleFilter(admin.SimpleListFilter):
    """The 30 stories with the most recent comments (and the one chosen, if older)."""

    title = "story"
    parameter_name = "article"
    limit = 30

    def lookups(self, request, model_admin):
        latest = (
            ArticleComment.objects.filter(
                content_type=ContentType.objects.get_for_model(Article),
                object_pk=Cast(OuterRef("pk"), CharField()),
            )
            .order_by("-submit_date")
            .values("submit_date")[:1]
        )
        articles = list(
            Article.objects.annotate(last_comment=Subquery(latest))
            .filter(last_comment__isnull=False)
            .order_by("-last_comment")
            .values_list("pk", "headline")[: self.limit]
        )
        chosen = self.value()
        if chosen and chosen.isdigit() and all(str(pk) != chosen for pk, _ in articles):
            articles += list(Article.objects.filter(pk=chosen).values_list("pk", "headline"))
        return [(str(pk), headline) for pk, headline in articles]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(content_type=ContentType.objects.get_for_model(Article), object_pk=str(self.value()))
        return queryset
