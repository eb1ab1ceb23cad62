"""What the API says about stories, sections and sources: what the public pages show, nothing of readers'."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from articles.distribution.renditions import share_image
from articles.distribution.seo import absolute_url, modified_at
from articles.models import Article, Section, Source, Tag


class SectionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The section's page.")

    class Meta:
        model = Section
        fields = ["slug", "name", "description", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, section):
        return absolute_url(section.get_absolute_url())


class SourceSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="Our page of this outlet's stories.")

    class Meta:
        model = Source
        fields = ["slug", "name", "homepage", "url"]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, source):
        return absolute_url(source.get_absolute_url())


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["slug", "name"]


class ImageSerializer(serializers.Serializer):
    url = serializers.URLField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    alt = serializers.CharField()


# The schema keeps the interface's word, as the path /api/stories/ does: components `Story`, `PaginatedStoryList`.
@extend_schema_serializer(component_name="Story")
class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The story's page.")
    section = SectionSerializer()
    source = SourceSerializer(allow_null=True, help_text="The outlet a syndicated story comes from.")
    source_url = serializers.CharField(help_text="The original story this one is based on; empty for our own.")
    authors = serializers.SerializerMethodField(help_text="The byline's names.")
    tags = TagSerializer(many=True)
    body = serializers.CharField(help_text="The story as sanitized HTML.")
    modified_at = serializers.SerializerMethodField(help_text="When the story last changed.")
    lead_image = serializers.SerializerMethodField(help_text="A JPEG of the lead image, up to 1200 pixels wide.")
    comment_count = serializers.IntegerField(help_text="Published reader comments.")

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "headline",
            "dek",
            "body",
            "section",
            "tags",
            "authors",
            "source",
            "source_url",
            "published_at",
            "modified_at",
            "lead_image",
            "comment_count",
        ]

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, article):
        return absolute_url(article.get_absolute_url())

    def get_authors(self, article) -> list[str]:
        return [author.name for author in article.authors.all()]

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_modified_at(self, article):
        return serializers.DateTimeField().to_representation(modified_at(article))

    @extend_schema_field(ImageSerializer(allow_null=True))
    def get_lead_image(self, article):
        image = share_image(article)
        if image is None:
            return None
        return {
            "url": absolute_url(image.url),
            "width": image.width,
            "height": image.height,
            "alt": article.lead_image_alt,
        }
