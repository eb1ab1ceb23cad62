"""Operations on comments that change state, record a decision and queue mail, all in one transaction.

Mail goes to the outbox with the change (comments/notifications.py, comments/outbox.py) and is sent after commit."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from . import notifications, policy, selectors, signals
from .models import ArticleComment, Ban, ModerationDecision, OutgoingMail, PendingComment, PrivacyRequest, Report

Action = ModerationDecision.Action


def _max_level():
    return settings.COMMENTS_XTD_MAX_THREAD_LEVEL


def _attach_point(parent):
    """A reply to the deepest level becomes a sibling at that level, never an error."""
    while parent is not None and parent.level >= _max_level():
        parent = ArticleComment.objects.filter(pk=parent.parent_id).first() if not parent.starts_thread else None
    return parent


def _record(comment, action, reason="", actor=None):
    return ModerationDecision.objects.create(comment=comment, action=action, reason=reason[:300], actor=actor)


@transaction.atomic
def comment_create(
    *,
    article,
    user_name,
    user_email,
    comment,
    verdict,
    user_url="",
    followup=False,
    parent=None,
    user=None,
    ip_address=None,
):
    """Save a comment that the policy did not reject, published or held as the verdict says."""
    parent = _attach_point(parent)
    new = ArticleComment(
        content_type=ContentType.objects.get_for_model(article),
        object_pk=str(article.pk),
        site_id=settings.SITE_ID,
        user=user if user and user.is_authenticated else None,
        user_name=user_name,
        user_email=user_email,
        user_url=user_url,
        comment=comment,
        followup=followup,
        parent_id=parent.pk if parent else 0,
        ip_address=ip_address,
        submit_date=timezone.now(),
        is_public=not verdict.held,
        hold_reason=verdict.reason if verdict.held else "",
    )
    new.save()
    _record(new, Action.HELD if verdict.held else Action.PUBLISHED, verdict.reason)
    if parent is not None and new.is_visible and policy.is_expert(new.user, article):
        _mark_answered(parent)
    if verdict.held:
        notifications.comment_held(new)
    else:
        notifications.comment_published(new)
    return new


@transaction.atomic
def pending_comment_create(
    *, article, user_name, user_email, comment, user_url="", followup=False, parent=None, ip_address=None
):
    """Store an anonymous reader's comment until they confirm it from the emailed link."""
    pending = PendingComment.objects.create(
        article=article,
        parent=parent,
        user_name=user_name,
        user_email=user_email,
        user_url=user_url,
        comment=comment,
        followup=followup,
        ip_address=ip_address,
    )
    notifications.confirmation_requested(pending)
    return pending


class ConfirmationError(Exception):
    """The link can't be used: gone, expired, used, or the policy now refuses the comment."""

    def __init__(self, message, status=400, article=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.article = article


@transaction.atomic
def pending_comment_confirm(*, pending):
    """Turn a confirmed pending comment into a real one, re-checking the policy as it is now."""
    # Locks the row so two clicks on the link cannot both create the comment.
    pending = (
        PendingComment.objects.select_for_update(of=("self",)).select_related("article", "parent").get(pk=pending.pk)
    )
    if pending.confirmed_at:
        raise ConfirmationError("This comment was already confirmed.", status=410, article=pending.article)
    verdict = policy.judge(
        article=pending.article, text=pending.comment, email=pending.user_email, ip_address=pending.ip_address
    )
    if verdict.rejected:
        raise ConfirmationError(verdict.reason, status=verdict.status, article=pending.article)
    pending.confirmed_at = timezone.now()
    pending.save(update_fields=["confirmed_at"])
    return comment_create(
        article=pending.article,
        user_name=pending.user_name,
        user_email=pending.user_email,
        user_url=pending.user_url,
        comment=pending.comment,
        followup=pending.followup,
        parent=pending.parent,
        ip_address=pending.ip_address,
        verdict=verdict,
    )


@transaction.atomic
def comment_approve(*, comment, by, reason=""):
    """Publish a held (or hidden) comment; its replies keep their own state.

    True when it did; False for a comment already published and reviewed, which is left as it is.
    """
    if comment.is_visible and comment.flags_reviewed:
        return False
    was_public = comment.is_visible
    first_approval = not comment.decisions.filter(action__in=[Action.APPROVED, Action.PUBLISHED]).exists()
    comment.is_public, comment.is_removed, comment.is_spam, comment.flags_reviewed = True, False, False, True
    comment.save(update_fields=["is_public", "is_removed", "is_spam", "flags_reviewed"])
    _record(comment, Action.APPROVED, reason, by)
    if not was_public:
        notifications.comment_approved(comment, first_time=first_approval)
    return True


@transaction.atomic
def comment_remove(*, comment, by, reason="", spam=False):
    """Take a comment down, as spam or not. True when it did; False for one already removed (and spam, if asked)."""
    if comment.is_removed and (comment.is_spam or not spam):
        return False
    comment.is_removed = True
    comment.is_spam = spam or comment.is_spam
    comment.save(update_fields=["is_removed", "is_spam"])
    _record(comment, Action.SPAM if spam else Action.REMOVED, reason, by)
    return True


@transaction.atomic
def commenter_ban(*, email, by, reason="", remove_comments=False):
    """Ban an address from commenting; optionally remove everything it has posted. Returns how many it removed."""
    email = email.strip().lower()
    Ban.objects.get_or_create(value=email, defaults={"reason": reason, "created_by": by})
    removed = 0
    for comment in ArticleComment.objects.filter(user_email__iexact=email):
        _record(comment, Action.BANNED, reason, by)
        if remove_comments and comment_remove(comment=comment, by=by, reason="Author banned"):
            removed += 1
    return removed


@transaction.atomic
def commenter_unsubscribe(*, comment):
    """Stop every reply notification to the address behind `comment`. Returns how many comments it stopped.

    A mail preference, not a moderation decision: nothing is recorded in the comments' trail.
    """
    return ArticleComment.objects.filter(user_email__iexact=comment.user_email, followup=True).update(followup=False)


@transaction.atomic
def comment_edit(*, comment, text):
    """The author changes their text within the edit window; the policy may send it back to the queue."""
    verdict = policy.judge(
        article=comment.content_object, text=text, email=comment.user_email, user=comment.user, new=False
    )
    if verdict.rejected:
        return verdict
    comment.comment = text
    comment.edited_at = timezone.now()
    if comment.is_public and (verdict.held or policy.rule("HOLD_EDITS")) and not policy.is_trusted(comment.user):
        comment.is_public = False
        comment.hold_reason = verdict.reason if verdict.held else "Edited after it was published."
    comment.save(update_fields=["comment", "edited_at", "is_public", "hold_reason"])
    _record(comment, Action.EDITED, comment.hold_reason if not comment.is_public else "")
    if not comment.is_public:
        notifications.comment_held(comment)
    return verdict


@transaction.atomic
def comment_delete_by_author(*, comment):
    comment.is_removed = True
    comment.save(update_fields=["is_removed"])
    _record(comment, Action.DELETED)


@transaction.atomic
def comment_flag(*, comment, reason, reporter, note=""):
    """Record a reader's flag; enough flags hide the comment until a moderator looks."""
    _, created = Report.objects.get_or_create(
        comment=comment, reporter=reporter, defaults={"reason": reason, "note": note[:300]}
    )
    if not created or comment.flags_reviewed or not comment.is_public:
        return created
    if comment.reports.count() >= policy.rule("FLAGS_TO_HIDE"):
        comment.is_public = False
        comment.hold_reason = "Hidden after readers' flags."
        comment.save(update_fields=["is_public", "hold_reason"])
        _record(comment, Action.HIDDEN, comment.hold_reason)
        notifications.comment_held(comment)
    return created


@transaction.atomic
def privacy_request_create(*, email, action, ip_address=None):
    """Record a reader's export or erase request and mail its link to the address given."""
    privacy_request = PrivacyRequest.objects.create(
        action=action,
        email=email,
        email_key=PrivacyRequest.email_key_for(email),
        requester_key=PrivacyRequest.requester_key_for(ip_address),
    )
    notifications.privacy_requested(privacy_request)
    return privacy_request


@transaction.atomic
def commenter_erase(*, email):
    """Erase everything an address has posted, keeping the threads' shape.

    Each comment keeps its place (replies to it still hang together) as "This comment has been
    removed." with no text, name, email, website, IP address or account left, and gets a decision
    in its audit trail that says only that it was erased. Unconfirmed comments are deleted, and so is
    mail still waiting in the outbox for or about the address. Returns (comments erased, unconfirmed deleted).
    """
    comments = ArticleComment.objects.filter(user_email__iexact=email)
    pks = list(comments.values_list("pk", flat=True))
    ArticleComment.objects.filter(pk__in=pks).update(
        comment="",
        user_name="",
        user_email="",
        user_url="",
        ip_address=None,
        user=None,
        followup=False,
        is_removed=True,
    )
    ModerationDecision.objects.bulk_create(
        [ModerationDecision(comment_id=pk, action=Action.ERASED, reason="At the author's request.") for pk in pks]
    )
    # update() sends no post_save: say so, so that no cached page shows the erased words (pagecache listens).
    signals.comments_erased.send(sender=ArticleComment, pks=pks)
    unconfirmed, _ = PendingComment.objects.filter(user_email__iexact=email).delete()
    OutgoingMail.objects.for_or_about(email).delete()
    return len(pks), unconfirmed


LINK_ALREADY_USED = "This link was already used. To ask again, fill in the form once more."


@transaction.atomic
def privacy_request_carry_out(*, privacy_request):
    """Carry out a confirmed request, once: the export's data (a dict) or the erase's counts.

    The address is cleared from the request as it is carried out.
    """
    # Locks the row (read again) so two clicks on the link cannot both carry it out.
    privacy_request = PrivacyRequest.objects.select_for_update().get(pk=privacy_request.pk)
    if privacy_request.completed_at:
        raise ConfirmationError(LINK_ALREADY_USED, status=410)
    email = privacy_request.email
    if privacy_request.action == PrivacyRequest.Action.EXPORT:
        result = selectors.commenter_data(email)
    else:
        result = commenter_erase(email=email)
    privacy_request.email = ""
    privacy_request.completed_at = timezone.now()
    privacy_request.save(update_fields=["email", "completed_at"])
    return result


def _mark_answered(question):
    """A question in a questions-and-answers story has its first expert answer (kept if answered before)."""
    # No signal from update(): the page cache learns of it from the answer's own save, in the same transaction.
    ArticleComment.objects.filter(pk=question.pk, answered_at__isnull=True).update(answered_at=timezone.now())


@transaction.atomic
def comment_feature(*, comment, by, note=""):
    """Make a published comment an editor's pick, or change its note. False when it is not published."""
    if not comment.is_visible:
        return False
    comment.featured_at = comment.featured_at or timezone.now()
    comment.featured_note, comment.featured_by = note.strip()[:300], by
    comment.save(update_fields=["featured_at", "featured_note", "featured_by"])
    _record(comment, Action.FEATURED, comment.featured_note, by)
    return True


@transaction.atomic
def comment_unfeature(*, comment, by):
    """No longer an editor's pick. False when it was not one."""
    if not comment.is_featured:
        return False
    comment.featured_at, comment.featured_note, comment.featured_by = None, "", None
    comment.save(update_fields=["featured_at", "featured_note", "featured_by"])
    _record(comment, Action.UNFEATURED, "", by)
    return True
