"""Status changes: each checks the rules in `workflow`, changes the story under a row lock and records
who did what, when. Callers pass the acting user as `by`; the one change nobody clicks, the feed import
publishing a story, is `article_publish_imported`, recorded with `by` None (the system)."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from ..models import (
    Article,
    StatusChange,
)
from ..templatetags.times import human_time
from . import workflow
from .workflow import NotReadyToPublish, WorkflowError

Status = Article.Status
Action = StatusChange.Action


def _check(action, article, by):
    if not workflow.may(action, by, article):
        raise PermissionDenied(f"You may not {workflow.LABELS[action].lower()} this story.")
    reason = workflow.refusal(action, article)
    if reason:
        raise WorkflowError(reason)


def _locked(article):
    """The story as stored now, its row locked until the transaction ends (two desks, one click each)."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _record(article, current, by, action, from_status, effective_at=None):
    # Only the workflow fields: an edit saved meanwhile by someone else is never overwritten.
    current.save(update_fields=["status", "published_at", "unpublish_at", "updated_at"])
    for field in ("status", "published_at", "unpublish_at", "updated_at"):
        setattr(article, field, getattr(current, field))
    return StatusChange.objects.create(
        article=current,
        action=action,
        from_status=from_status,
        to_status=current.status,
        effective_at=effective_at,
        actor=by,
    )


def in_the_future(moment):
    """A time a story may be scheduled to go live or come down at: later than now (the one rule of the
    change form and the services)."""
    return moment is not None and moment > timezone.now()


def publication_time(article, now):
    """When "Publish now" puts the story live: now, unless it was live before (its time, and address, stay)."""
    return article.published_at if article.published_at and article.published_at <= now else now


def last_saved_by(article):
    """Who saved the story's latest revision, and when, in words: ("Maria Okafor", "at 14:32 on 3 May")."""
    version = Version.objects.get_for_object(article).select_related("revision__user").first()
    if version is None:
        return "Someone", "just now"
    user = version.revision.user
    name = (user.get_full_name() or user.get_username()) if user else "Someone"
    moment = timezone.localtime(version.revision.date_created)
    return name, f"at {moment:%H:%M} on {moment:%d %B}"


def _check_ready(article, when):
    problems = article.publishing_problems(when)
    if problems:
        raise NotReadyToPublish(problems)


@transaction.atomic
def article_submit_for_review(*, article, by):
    current = _locked(article)
    _check(workflow.SUBMIT, current, by)
    from_status = current.status
    current.status = Status.IN_REVIEW
    return _record(article, current, by, Action.SUBMITTED, from_status)


@transaction.atomic
def article_publish(*, article, by):
    """Live now. A story that was live before keeps its original time, and so its address."""
    current = _locked(article)
    _check(workflow.PUBLISH, current, by)
    now = timezone.now()
    return _publish(article, current, by, publication_time(current, now), now)


@transaction.atomic
def article_publish_imported(*, article, published_at):
    """Live as of `published_at`, the source's own publication time (now when it has none, and never later
    than now), for the feed import. The system acts, not a person: no permission is asked and the record's
    `by` is None; the workflow's rule for the story's state and the publishing checks apply as for anyone."""
    current = _locked(article)
    reason = workflow.refusal(workflow.PUBLISH, current)
    if reason:
        raise WorkflowError(reason)
    now = timezone.now()
    return _publish(article, current, None, min(published_at or now, now), now)


def _publish(article, current, by, when, now):
    _check_ready(current, when)
    from_status = current.status
    current.publish(when=when)
    if current.unpublish_at and current.unpublish_at <= now:
        current.unpublish_at = None  # it had come down on schedule; going live again starts afresh
    return _record(article, current, by, Action.PUBLISHED, from_status, effective_at=when)


@transaction.atomic
def article_schedule(*, article, by, when):
    """Goes live at `when` with no job to run: `ArticleQuerySet.published()` compares the time."""
    current = _locked(article)
    _check(workflow.SCHEDULE, current, by)
    if not in_the_future(when):
        raise WorkflowError("Choose a time in the future to schedule publication.")
    if in_the_future(current.unpublish_at) and current.unpublish_at <= when:
        raise WorkflowError(
            f"This story is set to come down at {human_time(current.unpublish_at)}, before it would go live: "
            "cancel the scheduled unpublish first."
        )
    _check_ready(current, when)
    from_status = current.status
    current.unpublish_at = None if current.is_taken_down else current.unpublish_at
    current.publish(when=when)
    return _record(article, current, by, Action.SCHEDULED, from_status, effective_at=when)


@transaction.atomic
def article_schedule_unpublish(*, article, by, when):
    """Comes down at `when`, again with no job to run."""
    current = _locked(article)
    _check(workflow.SCHEDULE_UNPUBLISH, current, by)
    if not in_the_future(when):
        raise WorkflowError("Choose a time in the future for the story to come down.")
    if when <= current.published_at:
        raise WorkflowError(f"Choose a time after the story goes live ({human_time(current.published_at)}).")
    from_status = current.status
    current.unpublish_at = when
    return _record(article, current, by, Action.UNPUBLISH_SCHEDULED, from_status, effective_at=when)


@transaction.atomic
def article_cancel_unpublish(*, article, by):
    current = _locked(article)
    _check(workflow.CANCEL_UNPUBLISH, current, by)
    from_status = current.status
    current.unpublish_at = None
    return _record(article, current, by, Action.UNPUBLISH_CANCELLED, from_status)


@transaction.atomic
def article_unpublish(*, article, by):
    current = _locked(article)
    _check(workflow.UNPUBLISH, current, by)
    from_status = current.status
    current.unpublish()
    return _record(article, current, by, Action.UNPUBLISHED, from_status, effective_at=timezone.now())


TRANSITIONS = {
    workflow.SUBMIT: article_submit_for_review,
    workflow.PUBLISH: article_publish,
    workflow.SCHEDULE: article_schedule,
    workflow.SCHEDULE_UNPUBLISH: article_schedule_unpublish,
    workflow.CANCEL_UNPUBLISH: article_cancel_unpublish,
    workflow.UNPUBLISH: article_unpublish,
}
TIMED = {workflow.SCHEDULE, workflow.SCHEDULE_UNPUBLISH}


def article_change_status(action, *, article, by, when=None):
    """Run one of the workflow's actions by its name (the admin's buttons and bulk actions)."""
    if action not in TRANSITIONS:
        raise WorkflowError(f"Unknown action “{action}”.")
    if action in TIMED:
        return TRANSITIONS[action](article=article, by=by, when=when)
    return TRANSITIONS[action](article=article, by=by)
