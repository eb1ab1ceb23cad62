"""A commenter appeals a moderator's decision from the link in its statement of reasons (Digital Services Act,
article 20): the page puts the decision in front of them and takes their statement; a moderator who did not make
the decision answers it in the admin (comments/admin/appeals.py).

The link carries only the decision's id, signed: it can't be changed to name someone else's decision. It works once
(one appeal a decision) and expires after tokens.APPEAL_LINK_VALID_DAYS.
"""

from django.core import signing
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import services, tokens
from ..forms import AppealForm, shows_unreadable_text_on_form
from ..models import Appeal, ModerationDecision

INVALID = "This appeal link is not valid. Please check you copied all of it from the email."
EXPIRED = "This appeal link has expired: appeals are taken for {days} days after a decision."


def _problem(request, message, status, decision=None):
    return render(request, "comments/appeal.html", {"message": message, "decision": decision}, status=status)


def _page(request, decision, form, *, status=200):
    context = {
        "decision": decision,
        "comment": decision.comment,
        "article": decision.comment.content_object,
        "form": form,
        "form_message": form.unreadable_text_message("Please correct the errors below.") if form.is_bound else "",
    }
    return render(request, "comments/appeal.html", context, status=status)


@never_cache
@shows_unreadable_text_on_form
@require_http_methods(["GET", "POST"])
def appeal(request, token):
    try:
        decision = ModerationDecision.objects.select_related("comment").get(pk=tokens.appeal_decision_pk(token))
    except signing.SignatureExpired:
        return _problem(request, EXPIRED.format(days=tokens.APPEAL_LINK_VALID_DAYS), 410)
    except (signing.BadSignature, ModerationDecision.DoesNotExist, KeyError, TypeError, ValueError):
        return _problem(request, INVALID, 400)
    if decision.action not in services.APPEALABLE:
        return _problem(request, "This decision can't be appealed.", 400)
    if Appeal.objects.filter(decision=decision).exists():
        return _problem(request, services.APPEAL_ALREADY_MADE, 409, decision)

    if request.method == "GET":
        return _page(request, decision, AppealForm(label_suffix=""))
    form = AppealForm(request.POST, label_suffix="")
    if not form.is_valid():
        return _page(request, decision, form, status=400)
    try:
        services.appeal_create(decision=decision, statement=form.cleaned_data["statement"])
    except services.AppealError as error:
        return _problem(request, error.message, error.status, decision)
    return render(request, "comments/appeal_sent.html", {"decision": decision})
