"""The admin's side of importing: "Fetch new stories now" on sources, and changes made at the source
to stories we imported, shown on the story (with the diff) and findable with the "changed at source" filter."""

import logging

from django import forms
from django.contrib import admin, messages
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.html import format_html

from ..models import UpstreamChange
from .importing import FAILED, FLAGGED, Budget, FeedError, source_import_feed
from .upstream import upstream_change_mark_reviewed

logger = logging.getLogger(__name__)

MAX_LINES_IN_MESSAGE = 5


class FeedImportActions:
    """Mixed into SourceAdmin: runs the same import as `manage.py import_feed` for the selected sources."""

    @admin.action(description="Fetch new stories now", permissions=["import"])
    def fetch_new_stories(self, request, queryset):
        # Inside the editor's request: one budget for all the sources, so the page comes back in time.
        budget = Budget.for_the_admin()
        for source in queryset.select_related("default_section"):
            if budget.spent:
                self.message_user(
                    request,
                    f"{source.name}: not fetched, there was no time left in this request; "
                    "fetch it again, or leave it to the next scheduled import.",
                    messages.WARNING,
                )
                continue
            try:
                report = source_import_feed(source, budget=budget)
            except FeedError as error:
                self.message_user(request, f"{source.name}: {error}", messages.ERROR)
                continue
            except Exception:  # an editor gets a message, never an error page; the log has the traceback
                logger.exception("Fetching %s from the admin failed", source)
                self.message_user(request, f"{source.name}: the import failed unexpectedly.", messages.ERROR)
                continue
            worth_a_look = [o for o in report.outcomes if o.action in (FAILED, FLAGGED)]
            lines = [str(outcome) for outcome in worth_a_look[:MAX_LINES_IN_MESSAGE]] + report.notes
            if report.left:
                lines.append("Fetch it again for the rest")
            text = f"{source.name}: {report.summary}." + "".join(f" {line}." for line in lines)
            level = messages.WARNING if worth_a_look or report.notes or report.left else messages.SUCCESS
            self.message_user(request, text, level)

    def has_import_permission(self, request):
        # Who manages sources and may create stories: editors, not reporters (who may only see sources).
        return request.user.has_perm("articles.change_source") and request.user.has_perm("articles.add_article")

    @admin.display(description="last fetch", ordering="last_fetched_at")
    def last_fetch(self, source):
        if not source.last_fetched_at:
            return "—"
        return f"{timezone.localtime(source.last_fetched_at):%Y-%m-%d %H:%M}: {source.last_fetch_result}"


class ChangedAtSourceFilter(admin.SimpleListFilter):
    title = "changed at source"
    parameter_name = "changed_at_source"

    def lookups(self, request, model_admin):
        return [("yes", "Waiting for an editor"), ("no", "No")]

    def queryset(self, request, queryset):
        waiting = Exists(UpstreamChange.objects.filter(article=OuterRef("pk"), reviewed_at__isnull=True))
        if self.value() == "yes":
            return queryset.filter(waiting)
        if self.value() == "no":
            return queryset.exclude(waiting)
        return queryset


class UpstreamChangeForm(forms.ModelForm):
    mark_reviewed = forms.BooleanField(
        required=False, label="Reviewed", help_text="Tick when you have dealt with this change."
    )
    reviewer = None  # the user, set per request by UpstreamChangeInline.get_formset

    class Meta:
        model = UpstreamChange
        fields = []

    def save(self, commit=True):
        # The form has no fields of its own to write: marking the change is the service's, with its record.
        # The inline formset saves only the forms whose box was ticked.
        if self.cleaned_data.get("mark_reviewed"):
            upstream_change_mark_reviewed(change=self.instance, by=self.reviewer)
        return self.instance


class UpstreamChangeInline(admin.StackedInline):
    """On an imported story: what its source changed after we imported it, for an editor to act on."""

    model = UpstreamChange
    form = UpstreamChangeForm
    extra = 0
    can_delete = False
    fields = ["detected_at", "what_changed", "mark_reviewed", "reviewed_at", "reviewed_by"]
    readonly_fields = ["detected_at", "what_changed", "reviewed_at", "reviewed_by"]
    verbose_name_plural = "changes at the source"

    def get_queryset(self, request):
        # Not the inline's own queryset, which asks for permission without the story and so would be empty:
        # whether this inline appears at all is decided per story, by the permissions below.
        return UpstreamChange.objects.select_related("reviewed_by")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type("UpstreamChangeForm", (formset.form,), {"reviewer": request.user})
        return formset

    def get_fields(self, request, obj=None):
        if self.has_change_permission(request, obj):
            return self.fields
        return [name for name in self.fields if name != "mark_reviewed"]

    # Shown only on a story whose source changed it (so other stories' forms carry no empty formset), to
    # whoever may see the story; whoever may edit it may mark the change reviewed.
    def _has_changes(self, obj):
        if obj is None or obj.pk is None:
            return False
        if not hasattr(obj, "_has_upstream_changes"):
            obj._has_upstream_changes = obj.upstream_changes.exists()
        return obj._has_upstream_changes

    def has_view_permission(self, request, obj=None):
        may_see = request.user.has_perm("articles.view_article") or request.user.has_perm("articles.change_article")
        return may_see and self._has_changes(obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("articles.change_article") and self._has_changes(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="what changed")
    def what_changed(self, change):
        return format_html('<pre style="white-space: pre-wrap; margin: 0">{}</pre>', change.diff)
