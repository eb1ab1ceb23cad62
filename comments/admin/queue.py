"""The moderation queue: one admin for reader comments, with bulk decisions and their audit trail.

Who sees what:
- `comments.view_articlecomment` opens the queue and the comment pages (read-only: nobody rewrites readers' words);
- `django_comments.can_moderate` also sees commenters' email and IP, and may approve, remove, mark spam and ban.
Every decision goes through `comments.services`, which records it with the moderator as its actor.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from django_comments_xtd.models import XtdComment

from articles.models import Article

from .. import policy, services
from ..models import ArticleComment, ModerationDecision, Report
from .access import can_moderate
from .filters import ArticleFilter, StatusFilter

Action = ModerationDecision.Action
# What the story column needs: headline and public URL, without every story's body.
STORY_FOR_LINK = Article.objects.select_related("section").only(
    "headline", "slug", "status", "published_at", "unpublish_at", "created_at", "section__slug"
)

# One queue: xtd's own admin (which shows every commenter's IP to anyone with view access) stays out.
for model in (XtdComment, ArticleComment):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def plural(count, singular, plural_form=None):
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


class ModerationActionForm(ActionForm):
    reason = forms.CharField(
        required=False,
        max_length=300,
        label="Reason (optional):",
        widget=forms.TextInput(attrs={"size": 40}),
    )


class ReadOnlyInline(admin.TabularInline):
    """History shown on a comment's page to whoever may view the comment; never edited there."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("comments.view_articlecomment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DecisionInline(ReadOnlyInline):
    model = ModerationDecision
    fields = ["created_at", "action", "actor", "reason"]
    readonly_fields = fields
    verbose_name = "decision"
    verbose_name_plural = "Decisions (who, when, what and why)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ReportInline(ReadOnlyInline):
    model = Report
    # Who flagged stays hidden even here: it is only a hash, and moderators judge the comment, not the reader.
    fields = ["created_at", "reason", "note"]
    readonly_fields = fields
    verbose_name = "reader's flag"
    verbose_name_plural = "Readers' flags"


@admin.register(ArticleComment)
class ArticleCommentAdmin(admin.ModelAdmin):
    action_form = ModerationActionForm
    actions = ["approve", "remove", "mark_spam", "ban", "ban_and_remove"]
    list_display = ["excerpt", "article_link", "user_name", "links", "hold_reason", "submit_date", "state", "flags"]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, ArticleFilter]
    search_fields = ["user_name", "comment"]
    ordering = ["-submit_date"]
    list_per_page = 50
    inlines = [DecisionInline, ReportInline]
    readonly_fields = [
        "article_link",
        "user_name",
        "user_email",
        "user_url",
        "user",
        "ip_address",
        "submit_date",
        "text",
        "links",
        "edited_at",
        "state",
        "hold_reason",
        "flags_reviewed",
        "thread",
    ]

    # --- who may do what ---

    def has_moderate_permission(self, request):
        return can_moderate(request)

    def has_add_permission(self, request):
        return False  # comments come from readers

    def has_change_permission(self, request, obj=None):
        return False  # read-only: decisions are actions, not edits

    # --- what is shown to whom ---

    def get_queryset(self, request):
        flags = (
            Report.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        last_action = ModerationDecision.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                flag_count=Coalesce(Subquery(flags, output_field=IntegerField()), 0),
                last_action=Subquery(last_action.values("action")[:1]),
            )
            # One query for every story on the page, with its section for the story's URL.
            .prefetch_related(GenericPrefetch("content_object", [STORY_FOR_LINK]))
        )

    def get_list_display(self, request):
        fields = list(super().get_list_display(request))
        if can_moderate(request):
            fields.insert(fields.index("user_name") + 1, "user_email")
        return fields

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        if can_moderate(request):
            fields += ["user_email", "=ip_address"]
        return fields

    def get_fieldsets(self, request, obj=None):
        author = ["user_name", "user_url", "user"]
        if can_moderate(request):
            author[1:1] = ["user_email", "ip_address"]
        return [
            (None, {"fields": ["article_link", "text", "links", "submit_date", "edited_at", "thread"]}),
            ("Author", {"fields": author}),
            ("Moderation", {"fields": ["state", "hold_reason", "flags_reviewed"]}),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            actions.pop("delete_selected", None)
        return actions

    # --- columns ---

    @admin.display(description="Comment")
    def excerpt(self, comment):
        return Truncator(comment.comment).chars(80)

    @admin.display(description="Comment")
    def text(self, comment):
        return linebreaksbr(comment.comment, autoescape=True)

    @admin.display(description="Story")
    def article_link(self, comment):
        article = comment.content_object
        if article is None:
            return "—"
        if article.is_public:
            return format_html('<a href="{}#comments">{}</a>', article.get_absolute_url(), article.headline)
        return article.headline

    @admin.display(description="Links")
    def links(self, comment):
        return policy.count_links(comment.comment)

    @admin.display(description="Flags", ordering="flag_count")
    def flags(self, comment):
        return comment.flag_count

    @admin.display(description="Status")
    def state(self, comment):
        return comment.moderation_state(hidden_by_flags=comment.last_action == Action.HIDDEN)

    @admin.display(description="Thread")
    def thread(self, comment):
        if comment.starts_thread:
            return "Starts a thread"
        url = reverse("admin:comments_articlecomment_change", args=[comment.parent_id])
        return format_html('Reply to <a href="{}">comment {}</a>', url, comment.parent_id)

    # --- bulk decisions ---

    @staticmethod
    def _reason(request):
        return (request.POST.get("reason") or "").strip()[:300]

    def _decide(self, request, queryset, decide, message, **options):
        """One decision on each selected comment through its service, which leaves alone those it already holds."""
        reason = self._reason(request)
        done = sum(decide(comment=comment, by=request.user, reason=reason, **options) for comment in queryset)
        self.message_user(request, message.format(plural(done, "comment")), messages.SUCCESS)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        self._decide(request, queryset, services.comment_approve, "Approved {}.")

    @admin.action(description="Remove selected comments", permissions=["moderate"])
    def remove(self, request, queryset):
        self._decide(request, queryset, services.comment_remove, "Removed {}.")

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        self._decide(request, queryset, services.comment_remove, "Marked {} as spam.", spam=True)

    def _ban(self, request, queryset, *, remove_comments):
        emails = sorted({comment.user_email.strip().lower() for comment in queryset if comment.user_email})
        reason = self._reason(request) or "Banned from the moderation queue."
        removed = sum(
            services.commenter_ban(email=email, by=request.user, reason=reason, remove_comments=remove_comments)
            for email in emails
        )
        message = f"Banned {plural(len(emails), 'address', 'addresses')}"
        if remove_comments:
            message += f" and removed {plural(removed, 'comment')} from them"
        self.message_user(request, message + ".", messages.SUCCESS)

    @admin.action(description="Ban the authors' email addresses", permissions=["moderate"])
    def ban(self, request, queryset):
        self._ban(request, queryset, remove_comments=False)

    @admin.action(description="Ban the authors' addresses and remove all their comments", permissions=["moderate"])
    def ban_and_remove(self, request, queryset):
        self._ban(request, queryset, remove_comments=True)

    # --- the same decisions from one comment's page (where the "held" email links) ---

    DECISIONS = {
        "approve": approve,
        "remove": remove,
        "spam": mark_spam,
        "ban": ban,
        "ban_and_remove": ban_and_remove,
    }

    def get_urls(self):
        moderate = self.admin_site.admin_view(require_POST(self.moderate_view))
        return [
            path("<int:object_id>/moderate/", moderate, name="comments_articlecomment_moderate"),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        decision = self.DECISIONS.get(request.POST.get("decision"))
        if decision is None:
            self.message_user(request, "Choose a decision.", messages.ERROR)
        else:
            get_object_or_404(ArticleComment, pk=object_id)
            decision(self, request, self.get_queryset(request).filter(pk=object_id))
        return HttpResponseRedirect(reverse("admin:comments_articlecomment_change", args=[object_id]))

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": can_moderate(request)}
        return super().change_view(request, object_id, form_url, extra_context)
