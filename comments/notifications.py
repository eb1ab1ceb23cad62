"""The mail about comments: what is sent to whom, and when.

Each mail is a triplet of templates, emails/<name>-subject.txt, -body.txt and -body.html, rendered here and
handed to the outbox (comments/outbox.py), which sends it after the change it reports has committed.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.urls import reverse

from articles.distribution.seo import absolute_url

from . import outbox, policy, tokens
from .models import ArticleComment


def unsubscribe_url(comment):
    return absolute_url(reverse("comments:unsubscribe", args=[tokens.unsubscribe_token(comment)]))


def send(template, context, to, *, unsubscribe=None):
    """Render emails/<template>-subject.txt, -body.txt and -body.html into the outbox; sent after commit."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    headers = {}
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe
        headers = {"List-Unsubscribe": f"<{unsubscribe}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    return outbox.enqueue(
        kind=template,
        to=to,
        subject=" ".join(render_to_string(f"emails/{template}-subject.txt", context).split()),
        body=render_to_string(f"emails/{template}-body.txt", context),
        html=render_to_string(f"emails/{template}-body.html", context),
        headers=headers,
    )


def moderator_addresses():
    """MANAGERS, plus every active staff account that may moderate and has an address."""
    addresses = {address for _, address in settings.MANAGERS}
    User = get_user_model()
    moderators = User.objects.filter(is_active=True, is_staff=True).filter(policy.moderators_q())
    addresses.update(email for email in moderators.values_list("email", flat=True) if email)
    return sorted(addresses)


def confirmation_requested(pending):
    url = absolute_url(reverse("comments:confirm", args=[tokens.confirmation_token(pending)]))
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
            "review_url": absolute_url(reverse("admin:comments_articlecomment_change", args=[comment.pk])),
        },
        recipients,
    )


def comment_published(comment):
    """Tell the author of the comment this one replies to, if they asked to hear about replies."""
    if comment.starts_thread:
        return
    parent = ArticleComment.objects.filter(pk=comment.parent_id, followup=True).first()
    if parent is None or parent.user_email.lower() == comment.user_email.lower():
        return
    send(
        "comment-reply",
        {
            "comment": comment,
            "parent": parent,
            "article": comment.content_object,
            "comment_url": absolute_url(comment.get_absolute_url()),
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
                "comment_url": absolute_url(comment.get_absolute_url()),
            },
            [comment.user_email],
            unsubscribe=unsubscribe_url(comment),
        )
    if first_time:
        comment_published(comment)


def privacy_requested(privacy_request):
    """The link that carries out an export or erase request. Sent whether or not the address has comments,
    so the form never tells anyone else; only the owner of the mailbox learns what we hold."""
    send(
        "privacy-request",
        {
            "privacy_request": privacy_request,
            "confirm_url": absolute_url(reverse("privacy:confirm", args=[tokens.privacy_token(privacy_request)])),
            "valid_hours": policy.rule("PRIVACY_LINK_VALID_HOURS"),
        },
        [privacy_request.email],
    )


def _story_url(article):
    return absolute_url(article.get_absolute_url()) if article is not None and article.is_public else ""


def statement_of_reasons(decision, *, rejected):
    """Tell a commenter that a moderator removed (or, held, rejected) their comment: what, why, by whom, and the
    link to appeal (the Digital Services Act's statement of reasons, article 17)."""
    comment = decision.comment
    article = comment.content_object
    send(
        "comment-removed",
        {
            "decision": decision,
            "comment": comment,
            "article": article,
            "story_url": _story_url(article),
            "what": "rejected" if rejected else "removed",
            "reason_in_words": decision.get_reason_code_display(),
            "by_a_person": decision.actor_id is not None,
            "appeal_url": absolute_url(reverse("comments:appeal", args=[tokens.appeal_token(decision)])),
            "appeal_days": tokens.APPEAL_LINK_VALID_DAYS,
        },
        [comment.user_email],
    )


def appeal_received(appeal):
    """Moderators hear of a new appeal; one who did not make the decision is to decide it."""
    recipients = moderator_addresses()
    if not recipients:
        return
    send(
        "appeal-received",
        {
            "appeal": appeal,
            "decision": appeal.decision,
            "article": appeal.decision.comment.content_object,
            "review_url": absolute_url(reverse("admin:comments_appeal_change", args=[appeal.pk])),
        },
        recipients,
    )


def appeal_decided(appeal):
    """The commenter hears how their appeal ended (nothing to send once their address has been erased)."""
    comment = appeal.decision.comment
    if not comment.user_email:
        return
    article = comment.content_object
    send(
        "appeal-decided",
        {
            "appeal": appeal,
            "decision": appeal.decision,
            "comment": comment,
            "article": article,
            "reversed": appeal.status == appeal.Status.REVERSED,
            "comment_url": absolute_url(comment.get_absolute_url()) if comment.is_visible else "",
            "story_url": _story_url(article),
        },
        [comment.user_email],
    )


def illegal_content_reported(report):
    """The reporter's acknowledgement (article 16(4)), and the moderators' notice that a report waits."""
    send("illegal-report-received", {"report": report}, [report.reporter_email])
    recipients = moderator_addresses()
    if recipients:
        send(
            "illegal-report-new",
            {
                "report": report,
                "review_url": absolute_url(reverse("admin:comments_illegalcontentreport_change", args=[report.pk])),
            },
            recipients,
        )


def illegal_content_report_changed(report, change):
    """The reporter hears of each step in their report's handling (article 16(5)), with the moderator's note."""
    if not report.reporter_email:
        return
    send("illegal-report-changed", {"report": report, "change": change}, [report.reporter_email])
