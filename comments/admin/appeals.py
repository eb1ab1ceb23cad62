"""Appeals: a commenter asks for a decision on their comment to be looked at again (Digital Services Act, article 20).

Open appeals are listed first; an appeal's page shows the decision, the comment and its story, and the statement,
and takes the outcome (uphold or reverse, with a note for the commenter) from a moderator who did not make the
decision, through services.appeal_decide. The decider, and anyone once it is decided, sees the page read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from .. import services
from ..models import Appeal
from .access import can_moderate
from .queue import STORY_FOR_LINK

UPHOLD, REVERSE = "uphold", "reverse"


class OpenFirstFilter(admin.SimpleListFilter):
    """Open appeals by default: what waits for a moderator. The others stay one click away."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Appeal.Status.choices, ("all", "All")]

    def choices(self, changelist):
        current = self.value() or Appeal.Status.OPEN
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or Appeal.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)


class AppealDecisionForm(forms.ModelForm):
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[(UPHOLD, "Uphold the decision"), (REVERSE, "Reverse it: publish the comment again")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether the decision stands.", "invalid_choice": "Choose an outcome."},
    )
    note = forms.CharField(
        label="Note for the commenter",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mailed to the commenter with the outcome: say why the decision stands or is reversed.",
        error_messages={"required": "Write a note for the commenter."},
    )

    class Meta:
        model = Appeal
        fields = []


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    form = AppealDecisionForm
    list_display = ["created_at", "decision_summary", "excerpt", "story", "status"]
    list_filter = [OpenFirstFilter]
    ordering = ["created_at"]
    list_per_page = 50
    readonly_fields = [
        "decision_summary",
        "comment_text",
        "story",
        "statement",
        "created_at",
        "status",
        "decided_by",
        "decided_at",
        "outcome_note",
        "who_decides",
    ]

    # --- who may do what: moderators only; one who did not make the decision decides ---

    def has_module_permission(self, request):
        return can_moderate(request)

    def has_view_permission(self, request, obj=None):
        return can_moderate(request)

    def has_add_permission(self, request):
        return False  # appeals come from commenters' links

    def has_delete_permission(self, request, obj=None):
        return False  # they are part of the record

    def has_change_permission(self, request, obj=None):
        if not can_moderate(request):
            return False
        return obj is None or (obj.status == Appeal.Status.OPEN and not self._decided_by(request, obj))

    @staticmethod
    def _decided_by(request, appeal):
        return appeal.decision.actor_id is not None and appeal.decision.actor_id == request.user.pk

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("decision__comment", "decision__actor", "decided_by")
            .prefetch_related(GenericPrefetch("decision__comment__content_object", [STORY_FOR_LINK]))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            ("The decision", {"fields": ["decision_summary", "comment_text", "story"]}),
            ("The appeal", {"fields": ["statement", "created_at", "status"]}),
        ]
        if obj is not None and obj.status != Appeal.Status.OPEN:
            fieldsets.append(("Outcome", {"fields": ["decided_by", "decided_at", "outcome_note"]}))
        elif obj is not None and self.has_change_permission(request, obj):
            fieldsets.append(("Your decision", {"fields": ["outcome", "note"]}))
        elif obj is not None:
            fieldsets.append(("Your decision", {"fields": ["who_decides"]}))
        return fieldsets

    # --- columns ---

    @admin.display(description="Decision")
    def decision_summary(self, appeal):
        decision = appeal.decision
        reason = decision.get_reason_code_display() or "no reason given"
        explanation = f": {decision.reason}" if decision.reason else ""
        by = decision.actor.get_username() if decision.actor else "the moderation policy"
        return f"{decision.get_action_display()} ({reason}{explanation}), by {by}, {decision.created_at:%Y-%m-%d %H:%M}"

    @admin.display(description="Comment")
    def excerpt(self, appeal):
        return Truncator(appeal.decision.comment.comment).chars(80)

    @admin.display(description="Comment")
    def comment_text(self, appeal):
        comment = appeal.decision.comment
        url = reverse("admin:comments_articlecomment_change", args=[comment.pk])
        return format_html(
            '{}<p><a href="{}">The comment in the queue, with its history</a></p>',
            linebreaksbr(comment.comment, autoescape=True),
            url,
        )

    @admin.display(description="Story")
    def story(self, appeal):
        article = appeal.decision.comment.content_object
        if article is None:
            return "—"
        if article.is_public:
            return format_html('<a href="{}#comments">{}</a>', article.get_absolute_url(), article.headline)
        return article.headline

    @admin.display(description="Who decides")
    def who_decides(self, appeal):
        return "You made this decision: another moderator must decide the appeal."

    # --- the decision, through the service ---

    def save_model(self, request, obj, form, change):
        try:
            services.appeal_decide(
                appeal=obj,
                by=request.user,
                reverse=form.cleaned_data["outcome"] == REVERSE,
                note=form.cleaned_data["note"],
            )
        except (services.AppealError, ValueError) as error:
            request._appeal_refused = getattr(error, "message", str(error))

    def log_change(self, request, obj, message):
        if not getattr(request, "_appeal_refused", None):
            super().log_change(request, obj, message)

    def response_change(self, request, obj):
        refused = getattr(request, "_appeal_refused", None)
        if refused:
            self.message_user(request, refused, messages.ERROR)
            return self.response_post_save_change(request, obj)
        obj.refresh_from_db()
        self.message_user(request, f"Appeal decided: {obj.get_status_display().lower()}.", messages.SUCCESS)
        return self.response_post_save_change(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        # A decision sent with a missing or forged field is answered as the bad request it is, with its messages.
        if request.method == "POST" and context["adminform"].form.errors:
            response.status_code = 400
        return response
