"""Sources, sections, authors and tags in the admin."""

from django.contrib import admin

from ..models import Author, Section, Source, Tag
from ..syndication.admin import FeedImportActions


@admin.register(Source)
class SourceAdmin(FeedImportActions, admin.ModelAdmin):
    list_display = ["name", "homepage", "feed_url", "last_fetch"]
    actions = ["fetch_new_stories"]
    readonly_fields = ["last_fetched_at", "last_fetch_result"]
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
