"""Mail about comments. Every function here runs after the comment is committed and never raises:
a failing mail server is logged, the comment stays saved, and the reader still sees success."""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from . import policy

logger = logging.getLogger(__name__)

CONFIRM_SALT = "comments.confirm"
UNSUBSCRIBE_SALT = "comments.unsubscribe"


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def confirmation_token(pending):
    # Only the row's id, signed: nothing personal is readable from the link.
    return signing.dumps({"p": pending.pk}, salt=CONFIRM_SALT)


def unsubscribe_token(comment):
    return signing.dumps({"c": comment.pk}, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(comment):
    return absolute(reverse("comments:unsubscribe", args=[unsubscribe_token(comment)]))


def send(template, context, to, *, unsubscribe=None):
    """Render emails/<template>-subject.txt, -body.txt and -body.html and send them; log failures."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    headers = {}
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"emails/{template}-body.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        to,
        headers=headers,
    )
    message.attach_alternative(render_to_string(f"emails/{template}-body.html", context), "text/html")
    try:
        message.send()
    except Exception:
        logger.exception("Could not send %r mail to %d recipient(s)", template, len(to))
        return False
    return True


def moderator_addresses():
    """MANAGERS, plus every active staff account that may moderate and has an address."""
    addresses = {address for _, address in settings.MANAGERS}
    User = get_user_model()
    moderators = User.objects.filter(is_active=True, is_staff=True).filter(
        Q(is_superuser=True)
        | Q(user_permissions__codename="can_moderate")
        | Q(groups__permissions__codename="can_moderate")
    )
    addresses.update(email for email in moderators.values_list("email", flat=True) if email)
    return sorted(addresses)


def confirmation_requested(pending):
    url = absolute(reverse("comments:confirm", args=[confirmation_token(pending)]))
    send(
        "comment-confirm",
        {
            "pending": pending,
            "article": pending.article,
            "confirm_url": url,
            "valid_days": policy.rule("CONFIRMATION_VALID_DAYS"),
        },
        [pending.user_email],
    )


def comment_held(comment):
    recipients = moderator_addresses()
    if not recipients:
        return
    send(
        "comment-held",
        {
            "comment": comment,
            "article": comment.content_object,
            "review_url": absolute(reverse("admin:comments_articlecomment_change", args=[comment.pk])),
        },
        recipients,
    )


def comment_published(comment):
    """Tell the author of the comment this one replies to, if they asked to hear about replies."""
    if comment.parent_id in (0, comment.pk):
        return
    from .models import ArticleComment

    parent = ArticleComment.objects.filter(pk=comment.parent_id, followup=True).first()
    if parent is None or parent.user_email.lower() == comment.user_email.lower():
        return
    send(
        "comment-reply",
        {
            "comment": comment,
            "parent": parent,
            "article": comment.content_object,
            "comment_url": absolute(comment.get_absolute_url()),
        },
        [parent.user_email],
        unsubscribe=unsubscribe_url(parent),
    )


def comment_approved(comment, *, first_time=True):
    if first_time and comment.followup:
        send(
            "comment-approved",
            {
                "comment": comment,
                "article": comment.content_object,
                "comment_url": absolute(comment.get_absolute_url()),
            },
            [comment.user_email],
            unsubscribe=unsubscribe_url(comment),
        )
    if first_time:
        comment_published(comment)
