"""The desk in the admin: the story form and its workflow buttons, history, compare, restore, share."""

import json
import logging

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from reversion.models import Version

from .. import media
from ..models import Article, Correction, CorrectionChange, PreviewLink
from ..syndication.admin import ChangedAtSourceFilter, UpstreamChangeInline
from ..templatetags.times import human_time
from . import corrections, presence, previews, publishing, revisions, workflow
from .diffs import compare
from .forms import ArticleAdminForm, DeskActionForm, PreviewLinkForm, requested_action
from .search import FullTextSearch

logger = logging.getLogger(__name__)

# The comment settings' help on the story form: what each does for readers, and how to close comments now.
COMMENT_SETTINGS_HELP = {
    "comments_enabled": "Untick to close comments now: the thread stays readable, no new comment is taken.",
    "comments_close_at": "Comments close by themselves at this time (empty: when the site's rule closes them). "
    "To close them now, untick “Comments open”.",
    "experts": "Staff whose comments on this story show “Expert”; in questions and answers, their answers are "
    "published at once, under the question. Only active staff accounts can be chosen.",
}


class MineFilter(admin.SimpleListFilter):
    """A reporter's own stories: started by them or under their byline."""

    title = "whose"
    parameter_name = "whose"

    def lookups(self, request, model_admin):
        return [("mine", "My stories")]

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(Q(created_by=request.user) | Q(authors__user=request.user)).distinct()
        return queryset


class CorrectionInline(admin.TabularInline):
    """The story's public corrections log: entries are added and changed through the services (each change is
    logged, see the History page) and never deleted."""

    model = Correction
    fields = ["kind", "note", "created_at", "created_by", "amended"]
    readonly_fields = ["created_at", "created_by", "amended"]
    extra = 0
    can_delete = False
    verbose_name = "correction"
    verbose_name_plural = "Corrections log (shown to readers under the story's headline)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("created_by")

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status in corrections.CORRECTABLE and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Amended")
    def amended(self, correction):
        return human_time(correction.amended_at) if correction.amended_at else "—"


@admin.register(Article)
class ArticleAdmin(FullTextSearch, admin.ModelAdmin):
    form = ArticleAdminForm
    action_form = DeskActionForm
    actions = ["submit_for_review", "publish_now", "schedule_publication", "schedule_unpublish", "unpublish_now"]
    list_display = ["headline", "desk_state", "section", "source", "published", "thumbnail"]
    list_filter = [MineFilter, "status", ChangedAtSourceFilter, "section", "source", "published_at"]
    list_select_related = ["section", "source"]
    search_fields = ["headline", "dek", "body"]  # what FullTextSearch searches, by the site's index
    # No date drill-down above the list (its published_at filter has the same choices): on a big archive its
    # MIN/MAX over a search's matches took seconds. No count of every story beside a filtered one, either.
    show_full_result_count = False
    prepopulated_fields = {"slug": ["headline"]}
    autocomplete_fields = ["source", "authors", "tags", "section"]
    readonly_fields = [
        "thumbnail",
        "created_at",
        "updated_at",
        "desk_state",
        "published_at",
        "unpublish_at",
        "created_by",
        "source_guid",
        "source_published_at",
        "source_updated_at",
        "source_licence",
    ]
    inlines = [CorrectionInline, UpstreamChangeInline]
    fieldsets = [
        (None, {"fields": ["headline", "slug", "dek", "authors", "section", "tags", "body", "base_version"]}),
        (
            "Lead image",
            {"fields": ["lead_image", "thumbnail", "lead_image_alt", "lead_image_caption", "lead_image_credit"]},
        ),
        (
            "Syndication",
            {
                "fields": [
                    "source",
                    "source_url",
                    "source_guid",
                    "source_published_at",
                    "source_updated_at",
                    "source_licence",
                ]
            },
        ),
        (
            "Publishing",
            {
                "fields": [
                    "desk_state",
                    "published_at",
                    "unpublish_at",
                    "go_live_at",
                    "come_down_at",
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
                "description": "Status changes are the “Save and …” buttons at the bottom of the page.",
            },
        ),
        (
            "Comments",
            {
                "fields": [
                    "comments_enabled",
                    "comments_mode",
                    "comments_close_at",
                    "comments_hold_all",
                    "comments_hold_links",
                    "comments_hold_newcomers",
                    "comments_notice",
                    "experts",
                ],
                "description": "This story's own rules, on top of the site's. Whoever may edit the story may set them.",
            },
        ),
    ]
    # Only in the form of someone who may edit the story (they are form fields, not model fields).
    FORM_ONLY = {"base_version", "go_live_at", "come_down_at"}
    # Only once the story exists.
    EXISTING_ONLY = {"base_version", "desk_state", "published_at", "unpublish_at", "created_by", "created_at"}
    # The syndication record of an imported story (articles/importing.py).
    IMPORT_RECORD = {"source_guid", "source_published_at", "source_updated_at", "source_licence"}

    class Media:
        css = {"all": ["articles/desk.css"]}
        js = ["articles/desk-a11y.js"]

    # --- who may do what (the rules are articles.desk.workflow's) ---

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.may_edit(request.user, obj))

    def has_publish_permission(self, request):
        return request.user.has_perm(workflow.PUBLISH_PERMISSION)

    def get_fieldsets(self, request, obj=None):
        hidden = set()
        if obj is None:
            hidden |= self.EXISTING_ONLY | {"updated_at"}
        if obj is None or not obj.source_entry:
            hidden |= self.IMPORT_RECORD
        if obj is not None and not workflow.may_edit(request.user, obj):
            hidden |= self.FORM_ONLY
        if not request.user.has_perm(workflow.PUBLISH_PERMISSION):
            hidden |= {"go_live_at", "come_down_at"}
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field not in hidden]
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "comments_enabled":
            kwargs["label"] = "Comments open"
        if db_field.name in COMMENT_SETTINGS_HELP:
            kwargs["help_text"] = COMMENT_SETTINGS_HELP[db_field.name]
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "comments_mode" and field is not None:
            # Left out of a post (an older form, a script), the story keeps its mode instead of failing the save
            # (save_model makes an empty one the default).
            field.required = False
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "experts":
            # Active staff only: a badge goes to a newsroom account, never to a name typed in a comment.
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True).order_by("username")
            # Ticks: a newsroom's staff list is short, and Django's two-box filter widget is not accessible (axe).
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []  # a new story has no log

    def get_prepopulated_fields(self, request, obj=None):
        if "slug" in self.get_readonly_fields(request, obj):
            return {}
        return super().get_prepopulated_fields(request, obj)

    # --- saving: a revision per save, optimistic locking, status changes riding on the save ---

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id)) if object_id else None
        action = requested_action(request.POST) if request.method == "POST" else ""
        if action and (action not in workflow.LABELS or not workflow.may(action, request.user, article or Article())):
            raise PermissionDenied
        extra_context = {**(extra_context or {}), **self.desk_context(request, article)}
        try:
            with reversion.create_revision():
                reversion.set_user(request.user)
                return super().changeform_view(request, object_id, form_url, extra_context)
        except media.MediaStoreUnavailable:
            # Rolled back, revision and all. The form again, as posted, with the reason on the image field:
            # what the editor typed stays on the page (a browser cannot be given the chosen file back).
            request.media_store_failed = True
            response = super().changeform_view(request, object_id, form_url, extra_context)
            response.status_code = 503
            return response

    def desk_context(self, request, article):
        user = request.user
        if article is None:
            actions = workflow.available_actions(user, Article()) if self.has_add_permission(request) else []
            return self.workflow_buttons(actions)
        editable = workflow.may_edit(user, article)
        actions = workflow.available_actions(user, article) if editable else []
        context = {
            **self.workflow_buttons(actions),
            "others_editing": presence.article_open_for_editing(article=article, by=user) if editable else [],
            "desk_state": self.desk_state(article),
            "may_share": user.has_perm("articles.add_previewlink"),
            "may_revoke": user.has_perm("articles.change_previewlink"),
        }
        if user.has_perm("articles.view_previewlink"):
            working = article.preview_links.active()
            context["preview_links"] = [
                (link, request.build_absolute_uri(link.get_absolute_url()))
                for link in working.select_related("created_by")
            ]
        return context

    @staticmethod
    def workflow_buttons(actions):
        """The status buttons of the form's one submit row: the primary one first, the others under "More"."""
        primary = workflow.primary_action(actions)
        return {
            "primary_workflow_button": (primary, workflow.LABELS[primary]) if primary else None,
            "other_workflow_buttons": [(action, workflow.LABELS[action]) for action in actions if action != primary],
        }

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "media_store_failed", False):
            form = type(form.__name__, (form,), {"media_store_failed": True})
        return form

    def save_model(self, request, obj, form, change):
        obj.comments_mode = obj.comments_mode or Article.CommentMode.DISCUSSION  # never a blank mode
        if change:
            obj.lock_version = form.cleaned_data["base_version"] + 1
        else:
            obj.created_by = request.user
        try:
            super().save_model(request, obj, form, change)
        except media.STORE_ERRORS as error:
            # Storing the new image (or its renditions) failed inside the admin's transaction: nothing is kept.
            logger.warning("Saving story %s: the media store failed: %r", obj.pk or "(new)", error)
            raise media.MediaStoreUnavailable from error

    def save_formset(self, request, form, formset, change):
        if formset.model is not Correction:
            return super().save_formset(request, form, formset, change)
        # What the admin's change message reads (formset.save() would set these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for entry in formset.forms:
            if not entry.has_changed():
                continue
            kind, note = entry.cleaned_data["kind"], entry.cleaned_data["note"]
            if entry.instance.pk is None:
                correction = corrections.article_correct(article=form.instance, by=request.user, kind=kind, note=note)
                formset.new_objects.append(correction)
            elif corrections.correction_amend(correction=entry.instance, by=request.user, kind=kind, note=note):
                formset.changed_objects.append((entry.instance, entry.changed_data))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        action = requested_action(request.POST)
        if not action:
            return
        when = form.cleaned_data.get("come_down_at" if action == workflow.SCHEDULE_UNPUBLISH else "go_live_at")
        try:
            publishing.article_change_status(action, article=form.instance, by=request.user, when=when)
        except workflow.WorkflowError as error:
            self.message_user(request, f"Saved, but not {workflow.LABELS[action].lower()}: {error}", messages.ERROR)
        else:
            self.message_user(request, f"Saved. {self.state_sentence(form.instance)}", messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        if requested_action(request.POST):
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if requested_action(request.POST):
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[obj.pk]))
        return super().response_change(request, obj)

    def log_addition(self, request, obj, message):
        reversion.set_comment(json.dumps(message) if isinstance(message, list) else message)
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        reversion.set_comment(json.dumps(message) if isinstance(message, list) else message)
        return super().log_change(request, obj, message)

    # --- columns and read-only fields ---

    @admin.display(description="Status", ordering="status")
    def desk_state(self, article):
        key, label = desk_state(article)
        return format_html('<span class="desk-state desk-state-{}">{}</span>', key, label)

    @staticmethod
    def state_sentence(article):
        return f"“{article.headline}” is now: {desk_state(article)[1].lower()}."

    @admin.display(description="Published", ordering="published_at")
    def published(self, article):
        # In words, wrapping in a phone's narrow column (the status says whether it is in the future).
        if article.published_at is None:
            return "—"
        return format_html(
            '<time datetime="{}">{}</time>', article.published_at.isoformat(), human_time(article.published_at)
        )

    @admin.display(description="Image")
    def thumbnail(self, article):
        if not article.lead_image:
            return "—"
        return format_html('<img src="{}" alt="{}" class="desk-thumb">', article.lead_image.url, article.lead_image_alt)

    def view_on_site(self, article):
        # Unpublished stories open in the staff preview instead of a 404.
        return article.get_absolute_url() if article.is_public else reverse("articles:preview", args=[article.pk])

    # --- bulk status changes on the changelist ---

    def _bulk(self, request, queryset, action, when=None):
        done, refused = 0, []
        for article in queryset:
            try:
                publishing.article_change_status(action, article=article, by=request.user, when=when)
            except (workflow.WorkflowError, PermissionDenied) as error:
                refused.append(f"“{article.headline}”: {error}")
            else:
                done += 1
        if done:
            story = "story" if done == 1 else "stories"
            self.message_user(request, f"{workflow.LABELS[action]}: done for {done} {story}.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, f"Not done for {reason}", messages.ERROR)

    def _when(self, request):
        try:
            when = self.action_form.base_fields["when"].clean(request.POST.get("when"))
        except ValidationError:
            when = None
        if when is None:
            self.message_user(request, "Choose the time in the action bar first.", messages.ERROR)
        return when

    @admin.action(description="Submit selected stories for review", permissions=["change"])
    def submit_for_review(self, request, queryset):
        self._bulk(request, queryset, workflow.SUBMIT)

    @admin.action(description="Publish selected stories now", permissions=["publish"])
    def publish_now(self, request, queryset):
        self._bulk(request, queryset, workflow.PUBLISH)

    @admin.action(description="Schedule selected stories to go live at the time given", permissions=["publish"])
    def schedule_publication(self, request, queryset):
        if when := self._when(request):
            self._bulk(request, queryset, workflow.SCHEDULE, when)

    @admin.action(description="Schedule selected stories to come down at the time given", permissions=["publish"])
    def schedule_unpublish(self, request, queryset):
        if when := self._when(request):
            self._bulk(request, queryset, workflow.SCHEDULE_UNPUBLISH, when)

    @admin.action(description="Unpublish selected stories now", permissions=["publish"])
    def unpublish_now(self, request, queryset):
        self._bulk(request, queryset, workflow.UNPUBLISH)

    # --- history, comparing and restoring revisions, sharing previews ---

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/history/compare/", view(self.compare_view), name="articles_article_compare"),
            path(
                "<path:object_id>/history/<int:version_id>/restore/",
                view(self.restore_view),
                name="articles_article_restore",
            ),
            path("<path:object_id>/share/", view(self.share_view), name="articles_article_share"),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id, *, edit=False):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404("No such story.")
        allowed = (
            workflow.may_edit(request.user, article) if edit else self.has_view_or_change_permission(request, article)
        )
        if not allowed:
            raise PermissionDenied
        return article

    def _context(self, request, article, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": article,
            "title": title,
            "may_edit": workflow.may_edit(request.user, article),
            **extra,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every saved revision (compare any two, restore one), every status change and every change to the
        corrections log, newest first."""
        article = self._article_or_404(request, object_id)
        versions = Version.objects.get_for_object(article).select_related("revision__user")
        page = Paginator(versions, 50).get_page(request.GET.get("page"))
        context = self._context(
            request,
            article,
            f"History of “{article}”",
            page=page,
            status_changes=article.status_changes.select_related("actor"),
            correction_changes=CorrectionChange.objects.filter(correction__article=article)
            .select_related("correction", "actor")
            .order_by("-created_at"),
            **(extra_context or {}),
        )
        return TemplateResponse(request, "admin/articles/article/history.html", context)

    def _version(self, article, version_id):
        try:
            return Version.objects.get_for_object(article).select_related("revision__user").get(pk=int(version_id))
        except (Version.DoesNotExist, TypeError, ValueError):
            raise Http404("No such revision of this story.") from None

    def compare_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        chosen = request.GET.getlist("version")
        if len(chosen) != 2:
            self.message_user(request, "Tick two revisions to compare.", messages.WARNING)
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))
        older, newer = sorted((self._version(article, pk) for pk in chosen), key=lambda version: version.pk)
        context = self._context(
            request, article, f"Compare revisions of “{article}”", older=older, newer=newer, rows=compare(older, newer)
        )
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        article = self._article_or_404(request, object_id, edit=True)
        version = self._version(article, version_id)
        if request.method == "POST":
            try:
                revisions.article_restore(article=article, version=version, by=request.user)
            except workflow.WorkflowError as error:
                self.message_user(request, f"Not restored: {error}", messages.ERROR)
                return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))
            except media.STORE_ERRORS as error:  # the revision's image and its renditions are read and made
                logger.warning("Restoring story %s: the media store failed: %r", article.pk, error)
                self.message_user(request, f"Not restored: {media.STORE_DOWN_RESTORE}", messages.ERROR)
                return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))
            self.message_user(
                request,
                f"Restored the revision saved {human_time(version.revision.date_created)}, as a new revision.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        latest = Version.objects.get_for_object(article).first()
        context = self._context(
            request,
            article,
            f"Restore a revision of “{article}”",
            version=version,
            rows=compare(latest, version) if latest else [],
        )
        return TemplateResponse(request, "admin/articles/article/restore.html", context)

    def share_view(self, request, object_id):
        article = self._article_or_404(request, object_id)
        if not request.user.has_perm("articles.add_previewlink"):
            raise PermissionDenied
        form = PreviewLinkForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            link = previews.preview_link_create(article=article, by=request.user, **form.cleaned_data)
            address = request.build_absolute_uri(link.get_absolute_url())
            self.message_user(
                request,
                format_html(
                    'Preview link, working until {}: <a href="{}">{}</a>', human_time(link.expires_at), address, address
                ),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))
        context = self._context(request, article, f"Share a preview of “{article}”", form=form)
        return TemplateResponse(
            request, "admin/articles/article/share.html", context, status=400 if form.errors else 200
        )


def desk_state(article):
    """(key, words) for where a story stands now, times included: what the desk reads at a glance."""
    Status = Article.Status
    if article.status in Article.LIVE_STATUSES:
        if article.is_taken_down:
            return "down", f"Came down {human_time(article.unpublish_at)}"
        if article.is_scheduled:
            return "scheduled", f"Scheduled: goes live {human_time(article.published_at)}"
        if article.unpublish_at:
            return "live", f"Live, comes down {human_time(article.unpublish_at)}"
        return "live", "Live"
    return {
        Status.DRAFT: ("draft", "Draft"),
        Status.IN_REVIEW: ("review", "In review"),
        Status.UNPUBLISHED: ("unpublished", "Unpublished"),
    }.get(article.status, ("draft", article.get_status_display()))


@admin.register(PreviewLink)
class PreviewLinkAdmin(admin.ModelAdmin):
    """Every preview link shared, working or not: links are revoked, never deleted, so the record stays."""

    list_display = ["article", "shared_with", "created_by", "created_at", "expires_at", "state"]
    list_select_related = ["article", "created_by"]
    list_filter = ["created_at", "expires_at"]
    search_fields = ["article__headline", "shared_with"]
    actions = ["revoke"]
    fields = ["article", "address", "shared_with", "created_by", "created_at", "expires_at", "state", "revoked_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # from the story's page, through "Share a preview link…"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="State")
    def state(self, link):
        if link.is_revoked:
            return f"Revoked {human_time(link.revoked_at)}"
        if link.is_expired:
            return "Expired"
        return "Works"

    @admin.display(description="Address")
    def address(self, link):
        return link.get_absolute_url() if link.is_active else "— (no longer works)"

    @admin.action(description="Revoke selected links", permissions=["change"])
    def revoke(self, request, queryset):
        for link in queryset:
            previews.preview_link_revoke(link=link, by=request.user)
        self.message_user(request, "The selected links no longer work.", messages.SUCCESS)

    def get_urls(self):
        return [
            path(
                "<int:link_id>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="articles_previewlink_revoke",
            ),
            *super().get_urls(),
        ]

    def revoke_view(self, request, link_id):
        link = get_object_or_404(PreviewLink.objects.select_related("article"), pk=link_id)
        if not self.has_change_permission(request, link):
            raise PermissionDenied
        if request.method == "POST":
            previews.preview_link_revoke(link=link, by=request.user)
            self.message_user(request, "The preview link no longer works.", messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:articles_article_change", args=[link.article_id]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Revoke a preview link",
            "link": link,
        }
        return TemplateResponse(request, "admin/articles/previewlink/revoke.html", context)
