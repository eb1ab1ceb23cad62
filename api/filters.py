from django_filters import rest_framework as filters

from articles.models import Article, Section, Source, Tag


class StoryFilter(filters.FilterSet):
    """Narrow the stories; an unknown slug or a malformed time is a 400 that names the parameter."""

    section = filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Section.objects.all(), help_text="A section's slug."
    )
    source = filters.ModelChoiceFilter(
        to_field_name="slug", queryset=Source.objects.all(), help_text="A source's slug."
    )
    tag = filters.ModelChoiceFilter(
        field_name="tags", to_field_name="slug", queryset=Tag.objects.all(), help_text="A tag's slug."
    )
    published_after = filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601 date or time: published at or after it."
    )
    published_before = filters.IsoDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601 date or time: published before it."
    )

    class Meta:
        model = Article
        fields = ["section", "source", "tag", "published_after", "published_before"]
