from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from .models import Article, Author, Section, Source, Tag


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "homepage", "feed_url"]
    search_fields = ["name", "homepage"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "user"]
    list_select_related = ["user"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["headline", "status", "section", "source", "published_at", "thumbnail"]
    list_filter = ["status", "section", "source", "published_at"]
    list_select_related = ["section", "source"]
    search_fields = ["headline", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["source", "authors", "tags", "section"]
    readonly_fields = ["thumbnail", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "authors", "section", "tags", "body"]}),
        (
            "Lead image",
            {"fields": ["lead_image", "thumbnail", "lead_image_alt", "lead_image_caption", "lead_image_credit"]},
        ),
        ("Syndication", {"fields": ["source", "source_url"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_enabled", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Image")
    def thumbnail(self, article):
        if not article.lead_image:
            return "—"
        return format_html(
            '<img src="{}" alt="{}" style="max-width:120px;max-height:80px;object-fit:cover">',
            article.lead_image.url,
            article.lead_image_alt,
        )

    def view_on_site(self, article):
        # Unpublished stories open in the staff preview instead of a 404.
        return article.get_absolute_url() if article.is_public else reverse("articles:preview", args=[article.pk])
