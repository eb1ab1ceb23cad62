"""The moderation queue: one admin for reader comments, with bulk decisions and their audit trail.

Who sees what:
- `comments.view_articlecomment` opens the queue and the comment pages (read-only: nobody rewrites readers' words);
- `django_comments.can_moderate` also sees commenters' email and IP, and may approve, reject or remove, mark spam,
  ban, feature and unfeature.
Every decision goes through `comments.services`, which records it with the moderator as its actor. Rejecting,
removing and banning take a reason from ModerationDecision.Reason (the statement of reasons the author is told).
The queue is keyboard-first with static/comments/admin/moderation-queue.js; each key only drives the admin's own
actions and links, so everything also works without it. A comment's "review" page shows it with its context (the
story, the comment it answers) and the same decisions, one comment after another.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Func, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Lower
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_POST
from django_comments_xtd.models import XtdComment

from articles.models import Article

from .. import policy, services
from ..models import ArticleComment, ModerationDecision, Report
from .access import can_moderate
from .filters import ArticleFilter, FeaturedFilter, StatusFilter

Action = ModerationDecision.Action
Reason = ModerationDecision.Reason
# What the story column needs: headline and public URL, without every story's body.
STORY_FOR_LINK = Article.objects.select_related("section").only(
    "headline", "slug", "status", "published_at", "unpublish_at", "created_at", "section__slug"
)
# What a moderator undoes when a comment is taken down: a moderator's removal, or spam (not its author's deletion).
REJECTED_ACTIONS = [Action.REMOVED, Action.SPAM]

# One queue: xtd's own admin (which shows every commenter's IP to anyone with view access) stays out.
for model in (XtdComment, ArticleComment):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


def plural(count, singular, plural_form=None):
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


class ModerationActionForm(ActionForm):
    # A CharField drawn as a select: an answer outside the list reaches the action, which says what is wrong
    # (a ChoiceField would fail the whole action form with the admin's "No action selected.").
    reason = forms.CharField(
        required=False,
        label="Reason (to reject, remove or ban):",
        widget=forms.Select(choices=[("", "—")] + Reason.choices),
    )
    explanation = forms.CharField(
        required=False,
        max_length=300,
        label="Explanation, or a pick's note (optional; needed for “Other”):",
        widget=forms.TextInput(attrs={"size": 40}),
    )


class DecisionReasonProblem(Exception):
    """What is wrong with the reason a moderator gave, in words for them."""


def decision_reason(data, *, required=True, default=""):
    """(reason code, explanation) from a decision's form data, as the statement of reasons needs them."""
    code = (data.get("reason") or "").strip() or default
    explanation = (data.get("explanation") or "").strip()
    if len(explanation) > 300:
        raise DecisionReasonProblem("Keep the explanation to 300 characters.")
    if not code:
        if required:
            raise DecisionReasonProblem("Choose a reason: the author is told why. Nothing was changed.")
        return "", explanation
    if code not in Reason.values:
        raise DecisionReasonProblem(f"“{code[:40]}” is not one of the reasons. Choose one from the list.")
    if code == Reason.OTHER and not explanation:
        raise DecisionReasonProblem("Explain the reason when it is “Other”: the author is told. Nothing was changed.")
    return code, explanation


def history_count(filter_q):
    """Comments from the row's address (in any case) matching `filter_q`, as a subquery: no query per row."""
    # Lower() on both sides, not iexact: SQLite's iexact is a LIKE, where an address's "_" would match any letter.
    same_address = (
        ArticleComment.objects.annotate(address=Lower("user_email"))
        .filter(filter_q, address=Lower(OuterRef("user_email")))
        .exclude(user_email="")
    )
    # COUNT without GROUP BY: one number for the whole subquery (DISTINCT: a comment may have several decisions).
    count = Func(F("pk"), template="COUNT(DISTINCT %(expressions)s)", output_field=IntegerField())
    return Coalesce(
        Subquery(
            same_address.order_by().annotate(n=count).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
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
    # reason_code is shown in words (its label); reason is the explanation.
    fields = ["created_at", "action", "actor", "reason_code", "reason"]
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
    actions = ["approve", "remove", "mark_spam", "ban", "ban_and_remove", "feature", "unfeature"]
    list_display = [
        "excerpt",
        "review",
        "article_link",
        "user_name",
        "history",
        "links",
        "hold_reason",
        "submit_date",
        "state",
        "picked",
        "flags",
    ]
    list_display_links = ["excerpt"]
    list_filter = [StatusFilter, FeaturedFilter, ArticleFilter]
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
        "history",
        "picked",
        "featured_note",
    ]

    class Media:
        css = {"all": ["comments/admin/moderation-queue.css"]}
        js = ["comments/admin/moderation-queue.js"]

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
                # The commenter's history at this address: published now, and taken down by a moderator.
                approved_count=history_count(Q(is_public=True, is_removed=False)),
                rejected_count=history_count(Q(is_removed=True, decisions__action__in=REJECTED_ACTIONS)),
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
            (
                "Moderation",
                {"fields": ["state", "hold_reason", "flags_reviewed", "history", "picked", "featured_note"]},
            ),
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

    @admin.display(description="Context")
    def review(self, comment):
        url = reverse("admin:comments_articlecomment_review", args=[comment.pk])
        return format_html(
            '<a href="{}" class="queue-review" aria-label="Review comment {} in context">Review</a>', url, comment.pk
        )

    @admin.display(description="Their history")
    def history(self, comment):
        if not comment.user_email:
            return "—"
        return f"{comment.approved_count} approved, {comment.rejected_count} rejected"

    @admin.display(description="Editor's pick", ordering="featured_at")
    def picked(self, comment):
        if not comment.is_featured:
            return ""
        return format_html('<span class="queue-pick">{}</span>', "★ Featured")

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

    def _reason_or_error(self, request, data=None, **options):
        try:
            return decision_reason(request.POST if data is None else data, **options)
        except DecisionReasonProblem as problem:
            self.message_user(request, str(problem), messages.ERROR)
            return None

    def _done(self, request, done, selected, message, skipped=""):
        self.message_user(request, message.format(plural(done, "comment")), messages.SUCCESS)
        if skipped and selected - done:
            self.message_user(request, skipped.format(plural(selected - done, "comment")), messages.WARNING)
        return True

    def _explanation_or_error(self, request):
        """The explanation alone (approving and featuring need no reason: the select is left out)."""
        return self._reason_or_error(request, {"explanation": request.POST.get("explanation")}, required=False)

    @admin.action(description="Approve selected comments", permissions=["moderate"])
    def approve(self, request, queryset):
        explanation = self._explanation_or_error(request)
        if explanation is None:
            return False
        done = sum(services.comment_approve(comment=c, by=request.user, reason=explanation[1]) for c in queryset)
        return self._done(request, done, 0, "Approved {}.")

    def _remove(self, request, queryset, *, spam):
        reason = self._reason_or_error(request, default=Reason.SPAM if spam else "")
        if reason is None:
            return False
        code, explanation = reason
        done = sum(
            services.comment_remove(comment=c, by=request.user, reason_code=code, reason=explanation, spam=spam)
            for c in queryset
        )
        return self._done(request, done, 0, "Marked {} as spam." if spam else "Rejected or removed {}.")

    @admin.action(description="Reject or remove selected comments (with a reason)", permissions=["moderate"])
    def remove(self, request, queryset):
        return self._remove(request, queryset, spam=False)

    @admin.action(description="Mark selected comments as spam", permissions=["moderate"])
    def mark_spam(self, request, queryset):
        return self._remove(request, queryset, spam=True)

    def _ban(self, request, queryset, *, remove_comments):
        reason = self._reason_or_error(request)
        if reason is None:
            return False
        code, explanation = reason
        emails = sorted({comment.user_email.strip().lower() for comment in queryset if comment.user_email})
        removed = sum(
            services.commenter_ban(
                email=email,
                by=request.user,
                reason=explanation or Reason(code).label,
                remove_comments=remove_comments,
                reason_code=code,
            )
            for email in emails
        )
        message = f"Banned {plural(len(emails), 'address', 'addresses')}"
        if remove_comments:
            message += f" and removed {plural(removed, 'comment')} from them"
        self.message_user(request, message + ".", messages.SUCCESS)
        return True

    @admin.action(description="Ban the authors' email addresses (with a reason)", permissions=["moderate"])
    def ban(self, request, queryset):
        return self._ban(request, queryset, remove_comments=False)

    @admin.action(description="Ban the authors' addresses and remove all their comments", permissions=["moderate"])
    def ban_and_remove(self, request, queryset):
        return self._ban(request, queryset, remove_comments=True)

    @admin.action(
        description="Feature selected comments (editor's pick; the note is optional)", permissions=["moderate"]
    )
    def feature(self, request, queryset):
        note = self._explanation_or_error(request)
        if note is None:
            return False
        comments = list(queryset)
        done = sum(services.comment_feature(comment=c, by=request.user, note=note[1]) for c in comments)
        return self._done(
            request, done, len(comments), "Featured {}.", "Not featured: {} not published (approve it first)."
        )

    @admin.action(description="Unfeature selected comments", permissions=["moderate"])
    def unfeature(self, request, queryset):
        done = sum(services.comment_unfeature(comment=c, by=request.user) for c in queryset)
        return self._done(request, done, 0, "No longer featured: {}.")

    # --- the same decisions from one comment's page (where the "held" email links) ---

    DECISIONS = {
        "approve": approve,
        "remove": remove,
        "spam": mark_spam,
        "ban": ban,
        "ban_and_remove": ban_and_remove,
        "feature": feature,
        "unfeature": unfeature,
    }

    def get_urls(self):
        moderate = self.admin_site.admin_view(require_POST(self.moderate_view))
        review = self.admin_site.admin_view(self.review_view)
        return [
            path("<int:object_id>/moderate/", moderate, name="comments_articlecomment_moderate"),
            path("<int:object_id>/review/", review, name="comments_articlecomment_review"),
            *super().get_urls(),
        ]

    def moderate_view(self, request, object_id):
        if not self.has_moderate_permission(request):
            raise PermissionDenied
        comment = get_object_or_404(ArticleComment, pk=object_id)
        decision = self.DECISIONS.get(request.POST.get("decision"))
        decided = False
        if decision is None:
            self.message_user(request, "Choose a decision.", messages.ERROR)
        else:
            decided = decision(self, request, self.get_queryset(request).filter(pk=object_id))
        if request.POST.get("then") == "next":
            # From the review page: on to the next comment awaiting a decision, or the same one again if none was made.
            following = self.next_awaiting(request, comment) if decided else comment
            if following is None:
                self.message_user(request, "Nothing else is awaiting moderation.", messages.INFO)
                return HttpResponseRedirect(reverse("admin:comments_articlecomment_changelist"))
            return HttpResponseRedirect(reverse("admin:comments_articlecomment_review", args=[following.pk]))
        return HttpResponseRedirect(reverse("admin:comments_articlecomment_change", args=[object_id]))

    def next_awaiting(self, request, comment):
        """The comment after this one in the queue's order (newest first) that still awaits a decision."""
        later_in_queue = Q(submit_date__lt=comment.submit_date) | Q(submit_date=comment.submit_date, pk__lt=comment.pk)
        awaiting = ArticleComment.objects.awaiting().exclude(pk=comment.pk).order_by("-submit_date", "-pk")
        return awaiting.filter(later_in_queue).first() or awaiting.first()

    def review_view(self, request, object_id):
        """One comment with its context: the story, the comment it answers, its author's history, and the decisions."""
        comment = get_object_or_404(self.get_queryset(request), pk=object_id)
        if not self.has_view_permission(request, comment):
            raise PermissionDenied
        parent = None
        if not comment.starts_thread:
            parent = (
                ArticleComment.norel_objects.filter(pk=comment.parent_id)
                .only("pk", "user_name", "comment", "submit_date", "is_public", "is_removed")
                .first()
            )
        story = comment.content_object
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"Review comment {comment.pk}",
            "comment": comment,
            "parent": parent,
            "story": story,
            "state": self.state(comment),
            "history": self.history(comment),
            "text": self.text(comment),
            "can_moderate": can_moderate(request),
            "reasons": Reason.choices,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/comments/articlecomment/review.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_moderate": can_moderate(request), "reasons": Reason.choices}
        return super().change_view(request, object_id, form_url, extra_context)
