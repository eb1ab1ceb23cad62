"""Notices of illegal content (Digital Services Act, article 16), with their status history.

A moderator moves a notice on (under review, content removed, no action) with a note, through
services.illegal_content_report_move: each step is recorded and mailed to the reporter; "content removed" also
removes the comment as illegal content. The reporter's name and address are shown to moderators only.
"""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html

from .. import services
from ..models import IllegalContentReport, IllegalContentReportChange
from .access import can_moderate

Status = IllegalContentReport.Status


class ChangeInline(admin.TabularInline):
    """The notice's steps: who set which status, when and why; never edited."""

    model = IllegalContentReportChange
    fields = ["created_at", "status", "actor", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "step"
    verbose_name_plural = "Status history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_view_permission(self, request, obj=None):
        return can_moderate(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportStepForm(forms.ModelForm):
    next_status = forms.ChoiceField(
        label="Move it to",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the report's next status.",
            "invalid_choice": "Choose a status from the list.",
        },
    )
    note = forms.CharField(
        label="Note for the reporter",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mailed to the reporter with the new status. Required to remove the content or take no action.",
    )

    class Meta:
        model = IllegalContentReport
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = {
            Status.REVIEWING: "Under review",
            Status.REMOVED: "Content removed: remove the comment as illegal content",
            Status.NO_ACTION: "No action: the comment stays",
        }
        self.fields["next_status"].choices = [(s, labels[s]) for s in services.NEXT_STATUSES[self.instance.status]]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("next_status") in (Status.REMOVED, Status.NO_ACTION) and not (cleaned.get("note") or "").strip():
            self.add_error("note", "Say why: the reporter is told the outcome and its reason.")
        return cleaned


@admin.register(IllegalContentReport)
class IllegalContentReportAdmin(admin.ModelAdmin):
    form = ReportStepForm
    inlines = [ChangeInline]
    list_display = ["pk", "created_at", "location", "comment_link", "status"]
    list_display_links = ["pk", "created_at"]
    list_filter = ["status"]
    list_select_related = ["comment"]
    search_fields = ["location", "explanation", "law"]
    ordering = ["-created_at"]
    list_per_page = 50
    readonly_fields = [
        "location",
        "comment_link",
        "comment_text",
        "law",
        "explanation_text",
        "reporter_name",
        "reporter_email",
        "good_faith",
        "created_at",
        "status",
    ]

    def has_module_permission(self, request):
        return can_moderate(request)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request)

    def has_add_permission(self, request):
        return False  # notices come from readers' form

    def has_delete_permission(self, request, obj=None):
        return False  # part of the record

    def has_change_permission(self, request, obj=None):
        # Content removed and no action end a notice: its page is then read-only.
        return can_moderate(request) and (obj is None or bool(services.NEXT_STATUSES[obj.status]))

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("What and where", {"fields": ["location", "comment_link", "comment_text"]}),
            ("Why", {"fields": ["law", "explanation_text"]}),
            ("Who reports it (never shown on the site)", {"fields": ["reporter_name", "reporter_email", "good_faith"]}),
            ("Status", {"fields": ["created_at", "status"]}),
        ]
        if obj is not None and self.has_change_permission(request, obj):
            fieldsets.append(("Next step", {"fields": ["next_status", "note"]}))
        return fieldsets

    @admin.display(description="Comment")
    def comment_link(self, report):
        if report.comment_id is None:
            return "—"
        url = reverse("admin:comments_articlecomment_change", args=[report.comment_id])
        return format_html('<a href="{}">Comment {} ({})</a>', url, report.comment_id, report.comment.state)

    @admin.display(description="Its text")
    def comment_text(self, report):
        return linebreaksbr(report.comment.comment, autoescape=True) if report.comment_id else "—"

    @admin.display(description="Why it is illegal")
    def explanation_text(self, report):
        return linebreaksbr(report.explanation, autoescape=True)

    def save_model(self, request, obj, form, change):
        try:
            services.illegal_content_report_move(
                report=obj, by=request.user, status=form.cleaned_data["next_status"], note=form.cleaned_data["note"]
            )
        except ValueError as error:
            request._report_refused = str(error)

    def log_change(self, request, obj, message):
        if not getattr(request, "_report_refused", None):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        refused = getattr(request, "_report_refused", None)
        if refused:
            self.message_user(request, refused, messages.ERROR)
        else:
            obj.refresh_from_db()
            self.message_user(request, f"Report {obj.pk}: {obj.get_status_display().lower()}.", messages.SUCCESS)
        return self.response_post_save_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        # A step sent with a missing or forged field is answered as the bad request it is, with its messages.
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        invalid = context["adminform"].form.errors or any(not formset.is_valid() for formset in formsets)
        if request.method == "POST" and invalid:
            response.status_code = 400
        return response
