"""The admin's side of importing: "Fetch new stories now" on sources (queued for a worker, followed on the source's
page), and changes made at the source to stories we imported, shown on the story (with the diff) and findable with
the "changed at source" filter."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import UpstreamChange
from .runs import feed_import_run_status, source_latest_runs, source_request_import
from .upstream import upstream_change_mark_reviewed

REFRESH_SECONDS = 5  # the import's own page, without JavaScript, while one is under way


class FeedImportActions:
    """Mixed into SourceAdmin: "Fetch new stories now" (the list's action and a button on the source's page) queues
    an import for a worker (runs.py); the source's page shows the latest imports, and follows one while it runs."""

    class Media:
        css = {"all": ["articles/import-progress.css"]}
        js = ["articles/import-progress.js"]

    @admin.action(description="Fetch new stories now", permissions=["import"])
    def fetch_new_stories(self, request, queryset):
        for source in queryset.order_by("name"):
            self._queue_import(request, source)

    def _queue_import(self, request, source):
        run, queued = source_request_import(source=source, by=request.user)
        page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[source.pk])
        where = format_html('<a href="{}#latest-imports">its page</a>', page)
        if run.is_finished:  # no database queue (the job ran at once)
            level = messages.SUCCESS if run.state == run.State.DONE else messages.ERROR
            self.message_user(request, format_html("{}: {} (see {}).", source.name, run.message, where), level)
        elif queued:
            self.message_user(
                request,
                format_html("{}: import queued; {} shows its progress and what it did.", source.name, where),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                format_html(
                    "{}: an import asked at {} is still {}, so no second one was queued; {} shows its progress.",
                    source.name,
                    f"{timezone.localtime(run.requested_at):%H:%M}",
                    "waiting for a worker" if run.state == run.State.QUEUED else "running",
                    where,
                ),
                messages.WARNING,
            )

    def has_import_permission(self, request):
        # Who manages sources and may create stories: editors, not reporters (who may only see sources).
        return request.user.has_perm("articles.change_source") and request.user.has_perm("articles.add_article")

    @admin.display(description="last fetch", ordering="last_fetched_at")
    def last_fetch(self, source):
        if not source.last_fetched_at:
            return "—"
        page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[source.pk])
        return format_html(
            '<a href="{}#latest-imports">{}: {}</a>',
            page,
            f"{timezone.localtime(source.last_fetched_at):%Y-%m-%d %H:%M}",
            source.last_fetch_result,
        )

    # --- the source's page: its latest imports ---

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("<path:object_id>/imports/", self.admin_site.admin_view(self.imports_view), name=f"{name}_imports"),
            path(
                "<path:object_id>/imports/new/",
                self.admin_site.admin_view(self.import_now_view),
                name=f"{name}_import_now",
            ),
            *super().get_urls(),
        ]

    def _imports_context(self, request, source):
        runs = source_latest_runs(source)
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        return {
            "source": source,
            "runs": runs,
            "status": feed_import_run_status(runs[0]) if runs else "",
            "following": any(not run.is_finished and not run.lost for run in runs),
            "imports_url": reverse(f"{name}_imports", args=[source.pk]),
            "import_now_url": reverse(f"{name}_import_now", args=[source.pk]),
            "may_import": self.has_import_permission(request),
            "refresh_seconds": REFRESH_SECONDS,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, unquote(object_id))
        if source is not None and self.has_view_or_change_permission(request, source):
            extra_context = {**(extra_context or {}), **self._imports_context(request, source)}
        return super().change_view(request, object_id, form_url, extra_context)

    def imports_view(self, request, object_id):
        """The source's latest imports: the panel alone (`?fragment`, for the page's script), or a page of its own that
        refreshes itself while one is under way (without JavaScript)."""
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        if not self.has_view_or_change_permission(request, source):
            raise PermissionDenied
        context = self._imports_context(request, source)
        if "fragment" in request.GET:
            return TemplateResponse(request, "admin/articles/source/imports_runs.html", context)
        context.update(
            self.admin_site.each_context(request),
            opts=self.opts,
            title=f"Latest imports of {source.name}",
            change_url=reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[source.pk]),
        )
        return TemplateResponse(request, "admin/articles/source/imports.html", context)

    def import_now_view(self, request, object_id):
        """The source page's "Fetch new stories now" button (a POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        source = self.get_object(request, unquote(object_id))
        if source is None:
            raise Http404("No such source.")
        if not self.has_import_permission(request):
            raise PermissionDenied
        self._queue_import(request, source)
        page = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[source.pk])
        return HttpResponseRedirect(f"{page}#latest-imports")


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
