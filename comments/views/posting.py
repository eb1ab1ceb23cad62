"""Posting a comment and confirming it from the emailed link.

Replaces django_comments' post view and xtd's confirmation flow: errors come back on
the form with a 4xx status and the reader's text kept, rejections say why, and
anonymous comments wait in `PendingComment` behind a signed, expiring, single-use link.
"""

import json

from django.conf import settings
from django.core import signing
from django.core.exceptions import ImproperlyConfigured
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django_comments import get_form
from django_comments.signals import comment_will_be_posted

from articles.models import Article

from .. import ownership, policy, same_origin, services, tokens
from ..forms import shows_unreadable_text_on_form
from ..models import ArticleComment, PendingComment


def _remember_author(response, request, form):
    if form.cleaned_data.get("remember"):
        tokens.remember_author(response, request, {key: form.cleaned_data[key] for key in ("name", "email", "url")})
    else:
        tokens.forget_author(response, request)


def _problem(request, message, status, *, article=None, form=None):
    """A 4xx page that says what went wrong and, when there is a form, gives it back filled in."""
    if form is not None and form.is_bound:
        # Fresh security fields, so the kept form can be sent again as it is.
        form.data = form.data.copy()
        form.data.update(form.generate_security_data())
    context = {"message": message, "article": article, "form": form, "comments_open": form is not None}
    return render(request, "comments/problem.html", context, status=status)


def _target(data):
    if data.get("content_type") != "articles.article":
        return None
    try:
        return Article.objects.select_related("section").get(pk=int(data.get("object_pk", "")))
    except (Article.DoesNotExist, ValueError, TypeError, OverflowError):
        return None


def _parent(article, reply_to):
    if not reply_to:
        return None
    return ArticleComment.objects.visible().filter(object_pk=str(article.pk), pk=reply_to).first()


# No CSRF token: the form is in pages every reader shares (pagecache/); same_origin checks who sent it.
@csrf_exempt
@shows_unreadable_text_on_form  # its form (ArticleCommentForm) says which field could not be read
@require_POST
def post_comment(request):
    if same_origin.is_cross_site(request):
        return _problem(request, same_origin.CROSS_SITE, 403)
    data = request.POST.copy()
    if request.user.is_authenticated:
        data.setdefault("name", request.user.get_full_name() or request.user.get_username())
        data.setdefault("email", request.user.email)
    article = _target(data)
    if article is None or not article.is_public:
        return _problem(request, "We could not find the story you are commenting on.", 400)
    form = get_form()(article, data=data)
    if form.security_errors():
        return _problem(
            request,
            "This form was changed or is incomplete. Please reload the story and try again.",
            400,
            article=article,
        )
    if not form.is_valid():
        if "reply_to" in form.errors:  # a hidden field: no reader typed it, so say what it means
            return _problem(request, "The comment you are replying to is no longer available.", 400, article=article)
        message = form.unreadable_text_message("Please correct the errors below.")
        return _problem(request, message, 400, article=article, form=form)
    parent = _parent(article, form.cleaned_data["reply_to"])
    if form.cleaned_data["reply_to"] and parent is None:
        return _problem(
            request, "The comment you are replying to is no longer available.", 400, article=article, form=form
        )

    comment = form.get_comment_object(site_id=settings.SITE_ID)
    comment.ip_address = request.META.get("REMOTE_ADDR") or None
    comment.user = request.user if request.user.is_authenticated else None
    # Our moderator (moderation.py) answers here, through xtd's registry.
    responses = comment_will_be_posted.send(sender=comment.__class__, comment=comment, request=request)
    verdict = comment.verdict
    if verdict is None:
        raise ImproperlyConfigured("comments.moderation did not judge this comment: is the moderator registered?")
    if verdict.rejected or any(response is False for _, response in responses):
        return _problem(
            request, verdict.reason or "This comment was not accepted.", verdict.status, article=article, form=form
        )

    details = {
        "article": article,
        "user_name": form.cleaned_data["name"],
        "user_email": form.cleaned_data["email"],
        "user_url": form.cleaned_data["url"],
        "comment": form.cleaned_data["comment"],
        "followup": form.cleaned_data["followup"],
        "parent": parent,
        "ip_address": comment.ip_address,
    }
    if request.user.is_authenticated or not settings.COMMENTS_XTD_CONFIRM_EMAIL:
        new = services.comment_create(**details, verdict=verdict, user=comment.user)
        response = _posted(request, new)
    else:
        if not policy.confirmation_mail_allowed(details["user_email"]):
            return _problem(
                request,
                "We have already sent several confirmation emails to this address. "
                "Please confirm those, or try again in an hour.",
                429,
                article=article,
                form=form,
            )
        services.pending_comment_create(**details)
        response = render(request, "comments/confirmation_sent.html", {"article": article})
    _remember_author(response, request, form)
    return response


def _posted(request, comment):
    """After a comment is saved: show it, or say it awaits moderation. Either way this browser may edit it."""
    if comment.is_public:
        response = redirect(comment.get_absolute_url())
    else:
        response = render(request, "comments/posted.html", {"comment": comment, "article": comment.content_object})
    ownership.remember(response, request, comment)
    return response


@require_GET
def confirm(request, token):
    try:
        pending = PendingComment.objects.select_related("article").get(pk=tokens.confirmation_pk(token))
    except signing.SignatureExpired:
        return _problem(request, "This confirmation link has expired. Please post your comment again.", 410)
    except (signing.BadSignature, PendingComment.DoesNotExist, KeyError, TypeError, json.JSONDecodeError):
        return _problem(request, "This confirmation link is not valid. Please check you copied all of it.", 400)
    try:
        comment = services.pending_comment_confirm(pending=pending)
    except services.ConfirmationError as error:
        return _problem(request, error.message, error.status, article=error.article)
    return _posted(request, comment)
