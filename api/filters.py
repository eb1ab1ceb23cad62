import datetime

from django.core.exceptions import ValidationError
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField

from articles.models import Article, Section, Source, Tag


class UTCDateTimeField(IsoDateTimeField):
    """An ISO 8601 date or time, turned to UTC: Python accepts offsets up to ±23:59, PostgreSQL only ±15:59."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(datetime.UTC)
        except OverflowError:  # e.g. 0001-01-01T00:00+05:00 is in the year 0 in UTC
            raise ValidationError("Enter a time between the years 1 and 9999.", code="invalid") from None


class UTCDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UTCDateTimeField


class ArticleFilter(filters.FilterSet):
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
    published_after = UTCDateTimeFilter(
        field_name="published_at", lookup_expr="gte", help_text="ISO 8601 date or time: published at or after it."
    )
    published_before = UTCDateTimeFilter(
        field_name="published_at", lookup_expr="lt", help_text="ISO 8601 date or time: published before it."
    )

    class Meta:
        model = Article
        fields = ["section", "source", "tag", "published_after", "published_before"]
