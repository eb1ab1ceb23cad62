"""The mail outbox in the admin: what the mail server has not taken yet (comments/outbox.py sends it, through the
background jobs: comments/tasks.py)."""

from django.contrib import admin

from ..models import OutgoingMail


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox: mail the server has not taken yet, with its last error. Read-only; its job retries it."""

    list_display = ["subject", "kind", "created_at", "attempts", "next_attempt_at", "last_error"]
    list_filter = ["kind"]
    fields = ["kind", "subject", "recipients", "created_at", "attempts", "next_attempt_at", "last_error", "body"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
