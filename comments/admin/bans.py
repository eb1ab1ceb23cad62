"""Bans: email addresses and domains that may not comment."""

from django.contrib import admin

from ..models import Ban
from .access import can_moderate


@admin.register(Ban)
class BanAdmin(admin.ModelAdmin):
    """Moderators manage bans; so does anyone given the model's own permissions."""

    list_display = ["value", "reason", "created_by", "created_at"]
    list_select_related = ["created_by"]
    search_fields = ["value", "reason"]
    fields = ["value", "reason", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    def has_view_permission(self, request, obj=None):
        return can_moderate(request) or super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return can_moderate(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return can_moderate(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return can_moderate(request) or super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
