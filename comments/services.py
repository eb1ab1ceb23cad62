"""Operations on comments that change state, record a decision and queue mail, all in one transaction.

Mail goes to the outbox with the change (comments/notifications.py, comments/outbox.py) and is sent after commit."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from . import notifications, policy, records, selectors, signals
from .models import (
    Appeal,
    ArticleComment,
    Ban,
    IllegalContentReport,
    IllegalContentReportChange,
    ModerationDecision,
    OutgoingMail,
    PendingComment,
    PrivacyRequest,
    Report,
)

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
        article=pending.article,
        text=pending.comment,
        email=pending.user_email,
        ip_address=pending.ip_address,
        reply_to=pending.parent,
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


Reason = ModerationDecision.Reason
# A reason a commenter is told must be one of the fixed list; OTHER means nothing without its explanation.
REASON_REQUIRED = f"Choose a reason from the list: {', '.join(code for code in Reason.values)}."
EXPLANATION_REQUIRED = "A reason of “Other” needs an explanation."


def clean_reason(reason_code, reason=""):
    """The reason code and explanation a removal is recorded with, or ValueError with what is wrong."""
    if reason_code not in Reason.values:
        raise ValueError(REASON_REQUIRED)
    reason = (reason or "").strip()
    if reason_code == Reason.OTHER and not reason:
        raise ValueError(EXPLANATION_REQUIRED)
    return reason_code, reason[:300]


@transaction.atomic
def comment_remove(*, comment, by, reason_code="", reason="", spam=False):
    """Take a comment down (a held one: reject it), as spam or not, with a reason from ModerationDecision.Reason.

    True when it did; False for one already removed (and spam, if asked). The commenter is mailed the statement of
    reasons with an appeal link, except for spam (the Digital Services Act owes none for deceptive high-volume
    commercial spam, and a spammer's address is not one to write to). A featured comment stops being one.
    """
    reason_code, reason = clean_reason(reason_code or (Reason.SPAM if spam else ""), reason)
    if comment.is_removed and (comment.is_spam or not spam):
        return False
    was_visible = comment.is_visible
    comment.is_removed = True
    comment.is_spam = spam or comment.is_spam
    comment.featured_at, comment.featured_note, comment.featured_by = None, "", None
    comment.save(update_fields=["is_removed", "is_spam", "featured_at", "featured_note", "featured_by"])
    decision = ModerationDecision.objects.create(
        comment=comment,
        action=Action.SPAM if spam else Action.REMOVED,
        reason_code=reason_code,
        reason=reason,
        actor=by,
    )
    if not spam and comment.user_email:
        notifications.statement_of_reasons(decision, rejected=not was_visible)
    return True


@transaction.atomic
def commenter_ban(*, email, by, reason="", remove_comments=False, reason_code=""):
    """Ban an address from commenting; optionally remove everything it has posted, each removal with `reason_code`
    (required then) and its statement of reasons. Returns how many it removed."""
    if remove_comments or reason_code:
        reason_code, _ = clean_reason(reason_code, reason)
    email = email.strip().lower()
    Ban.objects.get_or_create(value=email, defaults={"reason": reason, "created_by": by})
    removed = 0
    for comment in ArticleComment.objects.filter(user_email__iexact=email):
        ModerationDecision.objects.create(
            comment=comment, action=Action.BANNED, reason_code=reason_code, reason=reason[:300], actor=by
        )
        if remove_comments and comment_remove(comment=comment, by=by, reason_code=reason_code, reason=reason):
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
        article=comment.content_object,
        text=text,
        email=comment.user_email,
        user=comment.user,
        new=False,
        reply_to=None if comment.starts_thread else comment.parent_id,
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
    in its audit trail that says only that it was erased. Moderators' decisions and appeals' outcomes stay,
    without the statements of appeals; notices of illegal content sent from the address lose the reporter's
    name and address. Unconfirmed comments are deleted, and so is mail still waiting in the outbox for or about
    the address. Returns (comments erased, unconfirmed deleted).
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
        featured_at=None,
        featured_note="",
        featured_by=None,
    )
    # The record stays, anonymised: decisions and appeals' outcomes, without the commenter's own words in appeals.
    Appeal.objects.filter(decision__comment__in=pks).update(statement="")
    # Notices this address sent keep their step history but no longer say who sent them.
    IllegalContentReport.objects.filter(reporter_email__iexact=email).update(reporter_name="", reporter_email="")
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
        result = {**selectors.commenter_data(email), **records.commenter_record(email)}
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


# --- appeals against a decision (Digital Services Act, article 20) ---

APPEALABLE = (Action.REMOVED,)


class AppealError(Exception):
    """An appeal that can't be made or decided; `message` says why, in words for the person, `status` the 4xx."""

    def __init__(self, message, status=409):
        super().__init__(message)
        self.message = message
        self.status = status


APPEAL_ALREADY_MADE = "This decision has already been appealed: the link works once. We will email you the outcome."


@transaction.atomic
def appeal_create(*, decision, statement):
    """The commenter asks for `decision` to be looked at again; moderators are told. One appeal a decision."""
    # Locks the decision so two posts of the same form cannot both make an appeal.
    decision = ModerationDecision.objects.select_for_update(of=("self",)).select_related("comment").get(pk=decision.pk)
    if decision.action not in APPEALABLE:
        raise AppealError("This decision can't be appealed.", status=400)
    if Appeal.objects.filter(decision=decision).exists():
        raise AppealError(APPEAL_ALREADY_MADE)
    statement = (statement or "").strip()
    if not statement:
        raise AppealError("Please tell us why the decision is wrong.", status=400)
    appeal = Appeal.objects.create(decision=decision, statement=statement[:3000])
    notifications.appeal_received(appeal)
    return appeal


@transaction.atomic
def appeal_decide(*, appeal, by, reverse, note):
    """A moderator who did not make the decision upholds or reverses it; recorded as a decision and mailed.

    Reversing a removal publishes the comment again through comment_approve. AppealError when `by` may not
    moderate, made the decision, or the appeal was already decided; ValueError without a note.
    """
    appeal = Appeal.objects.select_for_update(of=("self",)).select_related("decision__comment").get(pk=appeal.pk)
    decision = appeal.decision
    if not policy.may_moderate(by):
        raise AppealError("Only moderators decide appeals.", status=403)
    if decision.actor_id is not None and decision.actor_id == by.pk:
        raise AppealError("You made this decision: another moderator must decide the appeal.", status=403)
    if appeal.status != Appeal.Status.OPEN:
        raise AppealError(f"This appeal was already decided ({appeal.get_status_display().lower()}).")
    note = (note or "").strip()
    if not note:
        raise ValueError("Write a note for the commenter: why the decision stands or is reversed.")
    comment = decision.comment
    if reverse:
        comment_approve(comment=comment, by=by, reason=f"Reversed on appeal: {note}"[:300])
    else:
        ModerationDecision.objects.create(
            comment=comment,
            action=decision.action,
            reason_code=decision.reason_code,
            reason=f"Upheld on appeal: {note}"[:300],
            actor=by,
        )
    appeal.status = Appeal.Status.REVERSED if reverse else Appeal.Status.UPHELD
    appeal.decided_by, appeal.decided_at, appeal.outcome_note = by, timezone.now(), note[:1000]
    appeal.save(update_fields=["status", "decided_by", "decided_at", "outcome_note"])
    comment.refresh_from_db()
    notifications.appeal_decided(appeal)
    return appeal


# --- notices of illegal content (Digital Services Act, article 16) ---

Status = IllegalContentReport.Status
# Where a report may go from each status; REMOVED and NO_ACTION end it.
NEXT_STATUSES = {
    Status.RECEIVED: (Status.REVIEWING, Status.REMOVED, Status.NO_ACTION),
    Status.REVIEWING: (Status.REMOVED, Status.NO_ACTION),
    Status.REMOVED: (),
    Status.NO_ACTION: (),
}


@transaction.atomic
def illegal_content_report_create(*, comment, location, explanation, reporter_name, reporter_email, law=""):
    """Record a reader's notice with its first step (received); the reporter is sent an acknowledgement and the
    moderators a notice."""
    report = IllegalContentReport.objects.create(
        comment=comment,
        location=location[:2048],
        explanation=explanation.strip()[:5000],
        law=law.strip()[:300],
        reporter_name=reporter_name.strip()[:100],
        reporter_email=reporter_email.strip().lower(),
        good_faith=True,
    )
    IllegalContentReportChange.objects.create(report=report, status=Status.RECEIVED)
    notifications.illegal_content_reported(report)
    return report


@transaction.atomic
def illegal_content_report_move(*, report, by, status, note=""):
    """A moderator moves a report on (reviewing, removed, no action), with a note; recorded and mailed.

    REMOVED also removes the comment, as illegal content, through comment_remove (its author gets the statement of
    reasons). ValueError for a step the report can't take."""
    report = IllegalContentReport.objects.select_for_update(of=("self",)).select_related("comment").get(pk=report.pk)
    if not policy.may_moderate(by):
        raise ValueError("Only moderators handle reports of illegal content.")
    if status not in NEXT_STATUSES[report.status]:
        raise ValueError(
            f"A report that is “{report.get_status_display()}” can't become “{Status(status).label}”."
            if status in Status.values
            else "Choose a status from the list."
        )
    note = (note or "").strip()[:1000]
    if status == Status.REMOVED and report.comment is not None:
        comment_remove(
            comment=report.comment,
            by=by,
            reason_code=Reason.ILLEGAL,
            reason=f"Reported as illegal content. {note}".strip(),
        )
    report.status = status
    report.save(update_fields=["status"])
    change = IllegalContentReportChange.objects.create(report=report, status=status, note=note, actor=by)
    notifications.illegal_content_report_changed(report, change)
    return change
