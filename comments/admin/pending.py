"""Unconfirmed comments: what waits for its author's confirmation click."""

from django.contrib import admin

from ..models import PendingComment
from .access import can_moderate


@admin.register(PendingComment)
class PendingCommentAdmin(admin.ModelAdmin):
    """Comments waiting for their author's confirmation click: read-only, for answering "I never got the email"."""

    list_display = ["user_name", "article", "created_at", "confirmed_at"]
    list_select_related = ["article"]
    list_filter = ["confirmed_at"]
    search_fields = ["user_name"]
    ordering = ["-created_at"]

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if can_moderate(request):
            fields.insert(1, "user_email")
        return fields

    def get_search_fields(self, request):
        return [*super().get_search_fields(request), *(["user_email"] if can_moderate(request) else [])]

    def get_fields(self, request, obj=None):
        fields = ["article", "parent", "user_name", "user_url", "comment", "followup", "created_at", "confirmed_at"]
        if can_moderate(request):
            fields[3:3] = ["user_email", "ip_address"]
        return fields

    def has_view_permission(self, request, obj=None):
        return can_moderate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
