"""Readers' privacy rights, no account needed: what we store and why, and export or erase by emailed link.

The request form gives the same answer whether or not an address has comments, and mails the
link either way: only the owner of the mailbox learns what we hold. The link carries only the
request's id, signed; it expires, works once, and does nothing until its page's button is pressed
(mail scanners that follow links must not erase anyone's comments).
"""

import json

from django import forms
from django.conf import settings
from django.core import signing
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .. import policy, services, tokens
from ..forms import RefusesUnreadableText, shows_unreadable_text_on_form
from ..models import ArticleComment, PrivacyRequest


class PrivacyRequestForm(RefusesUnreadableText, forms.Form):
    email = forms.EmailField(
        label="Your email address",
        max_length=254,
        help_text="The address you comment with. We email the link there.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "maxlength": 254}),
        error_messages={
            "required": "Please enter your email address.",
            "invalid": "Please enter a valid email address.",
        },
    )
    action = forms.ChoiceField(
        label="What would you like?",
        choices=PrivacyRequest.Action.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Please choose a copy or erasure."},
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


def _page(request, form, *, status=200, message=""):
    context = {
        "form": form,
        "message": message,
        "retention_days": settings.COMMENTS_IP_RETENTION_DAYS,
        "contact_email": settings.COMMENTS_XTD_CONTACT_EMAIL,
        "rules": {
            name: policy.rule(name)
            for name in ("CONFIRMATION_VALID_DAYS", "PRIVACY_LINK_VALID_HOURS", "EDIT_WINDOW_MINUTES")
        },
    }
    return render(request, "comments/privacy.html", context, status=status)


@shows_unreadable_text_on_form
@require_http_methods(["GET", "POST"])
def privacy(request):
    if request.method == "GET":
        return _page(request, PrivacyRequestForm(label_suffix=""))
    form = PrivacyRequestForm(request.POST, label_suffix="")
    if not form.is_valid():
        return _page(
            request, form, status=400, message=form.unreadable_text_message("Please correct the errors below.")
        )
    email, ip_address = form.cleaned_data["email"], request.META.get("REMOTE_ADDR")
    if not policy.privacy_request_allowed(email, ip_address):
        message = "We have had several requests for this address or from your connection. Please try again in an hour."
        return _page(request, form, status=429, message=message)
    services.privacy_request_create(email=email, action=form.cleaned_data["action"], ip_address=ip_address)
    return render(request, "comments/privacy_requested.html", {"valid_hours": policy.rule("PRIVACY_LINK_VALID_HOURS")})


def _problem(request, message, status):
    return render(request, "comments/privacy_confirm.html", {"message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request, token):
    try:
        privacy_request = PrivacyRequest.objects.get(pk=tokens.privacy_pk(token))
    except signing.SignatureExpired:
        return _problem(request, "This link has expired. Please fill in the form on the privacy page again.", 410)
    except (signing.BadSignature, PrivacyRequest.DoesNotExist, KeyError, TypeError, ValueError):
        return _problem(request, "This link is not valid. Please check you copied all of it.", 400)
    if privacy_request.completed_at:
        return _problem(request, services.LINK_ALREADY_USED, 410)

    if request.method == "GET":
        context = {
            "privacy_request": privacy_request,
            "comment_count": ArticleComment.objects.filter(user_email__iexact=privacy_request.email).count(),
        }
        return render(request, "comments/privacy_confirm.html", context)
    try:
        result = services.privacy_request_carry_out(privacy_request=privacy_request)
    except services.ConfirmationError as error:
        return _problem(request, error.message, error.status)
    if privacy_request.action == PrivacyRequest.Action.EXPORT:
        return _export_download(result)
    erased, unconfirmed = result
    return render(request, "comments/privacy_erased.html", {"erased": erased, "unconfirmed": unconfirmed})


def _export_download(data):
    data = {"exported_at": timezone.now().isoformat(), "site": settings.SITE_URL, **data}
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="my-comments.json"'
    return response
