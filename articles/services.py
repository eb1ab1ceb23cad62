"""The desk's operations with side effects. Each checks the rules in `articles.workflow`, changes the story
and records who did what, when. Callers pass the acting user as `by`.
"""

import datetime

import reversion
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from reversion.models import Version

from . import workflow
from .models import (
    Article,
    Author,
    Correction,
    CorrectionChange,
    EditorPresence,
    PreviewLink,
    Section,
    StatusChange,
    Tag,
)

Status = Article.Status
Action = StatusChange.Action

# Whoever opened a story's change form this recently is shown to the others who open it.
PRESENCE_WINDOW = datetime.timedelta(minutes=10)
PREVIEW_LINK_LIFETIMES = [1, 3, 7, 14, 30]  # days

# What restoring a revision brings back: the story's content. Its address (slug), workflow state and times,
# and its syndication record stay as they are now, so a restore never moves, publishes or hides a story.
RESTORED_FIELDS = [
    "headline",
    "dek",
    "body",
    "lead_image",
    "lead_image_width",
    "lead_image_height",
    "lead_image_alt",
    "lead_image_caption",
    "lead_image_credit",
    "section",
    "comments_enabled",
]
RESTORED_RELATIONS = ["authors", "tags"]


class WorkflowError(Exception):
    """The story's state does not allow the action, or its input is wrong; the message says why, for the user."""


class NotReadyToPublish(WorkflowError):
    """What is missing before the story may go live: `problems` maps field names to what to do."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(" ".join(problems.values()))


# --- status changes ---------------------------------------------------------------------------------------


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
        by=by,
    )


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
    when = publication_time(current, now)
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
    if when is None or when <= timezone.now():
        raise WorkflowError("Choose a time in the future to schedule publication.")
    if current.unpublish_at and current.unpublish_at > timezone.now() and current.unpublish_at <= when:
        raise WorkflowError(
            f"This story is set to come down at {_local(current.unpublish_at)}, before it would go live: "
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
    if when is None or when <= timezone.now():
        raise WorkflowError("Choose a time in the future for the story to come down.")
    if when <= current.published_at:
        raise WorkflowError(f"Choose a time after the story goes live ({_local(current.published_at)}).")
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


def _local(moment):
    return f"{timezone.localtime(moment):%d %B %Y, %H:%M}"


# --- corrections ----------------------------------------------------------------------------------------


CORRECTABLE = {Status.SCHEDULED, Status.PUBLISHED, Status.UNPUBLISHED}


def _clean_correction(kind, note):
    note = (note or "").strip()
    if kind not in Correction.Kind.values:
        raise ValidationError({"kind": "Choose the type: correction, clarification, update or retraction."})
    if not note:
        raise ValidationError({"note": "Write the note readers will see."})
    return note


def _touch(article, now):
    # Readers see the story's "Updated" time move; the content itself is not saved again.
    Article.objects.filter(pk=article.pk).update(updated_at=now)
    article.updated_at = now


@transaction.atomic
def article_correct(*, article, by, kind, note):
    """Append an entry to the story's public corrections log."""
    if not by.has_perm("articles.add_correction"):
        raise PermissionDenied("You may not add corrections.")
    if article.status not in CORRECTABLE:
        raise WorkflowError("Only a story that has been published can be corrected: edit the draft instead.")
    note = _clean_correction(kind, note)
    now = timezone.now()
    correction = Correction.objects.create(article=article, kind=kind, note=note, created_at=now, created_by=by)
    _touch(article, now)
    return correction


@transaction.atomic
def correction_amend(*, correction, by, kind, note):
    """Change an entry of the log, keeping what it said before and who changed it (readers see it was amended)."""
    if not by.has_perm("articles.change_correction"):
        raise PermissionDenied("You may not change corrections.")
    note = _clean_correction(kind, note)
    current = Correction.objects.select_for_update().get(pk=correction.pk)
    if (current.kind, current.note) == (kind, note):
        return None
    now = timezone.now()
    change = CorrectionChange.objects.create(
        correction=current,
        old_kind=current.kind,
        old_note=current.note,
        new_kind=kind,
        new_note=note,
        changed_by=by,
        changed_at=now,
    )
    Correction.objects.filter(pk=current.pk).update(kind=kind, note=note, amended_at=now)
    correction.kind, correction.note, correction.amended_at = kind, note, now
    _touch(current.article, now)
    return change


# --- revisions ------------------------------------------------------------------------------------------


@transaction.atomic
def article_restore(*, article, version, by):
    """Bring back the content of an earlier revision, as a new revision; the earlier ones all stay."""
    current = _locked(article)
    if not workflow.may_edit(by, current):
        raise PermissionDenied("You may not edit this story.")
    if version.object_id != str(current.pk) or version.content_type.model_class() is not Article:
        raise WorkflowError("That revision belongs to another story.")
    fields = version.field_dict
    if not Section.objects.filter(pk=fields.get("section_id")).exists():
        raise WorkflowError("That revision's section no longer exists: choose a section and edit the story instead.")
    for name in RESTORED_FIELDS:
        attname = Article._meta.get_field(name).attname
        if attname in fields:
            value = fields[attname]
            setattr(current, attname, value.name if name == "lead_image" else value)  # the stored file's name
    if current.status in Article.LIVE_STATUSES:
        problems = current.publishing_problems(current.published_at)
        problems.pop("slug", None)  # the address is not restored
        if problems:
            raise WorkflowError(
                "That revision cannot be restored while the story is live: " + " ".join(problems.values())
            )
    current.lock_version += 1
    saved_at = _local(version.revision.date_created)
    with reversion.create_revision():
        current.save()
        current.authors.set(Author.objects.filter(pk__in=fields.get("authors", [])))
        current.tags.set(Tag.objects.filter(pk__in=fields.get("tags", [])))
        reversion.set_user(by)
        reversion.set_comment(f"Restored the revision saved {saved_at}.")
    return current


# --- preview links ---------------------------------------------------------------------------------------


def preview_link_create(*, article, by, days, shared_with=""):
    if not by.has_perm("articles.add_previewlink"):
        raise PermissionDenied("You may not share previews.")
    if days not in PREVIEW_LINK_LIFETIMES:
        raise ValidationError({"days": f"Choose one of {', '.join(map(str, PREVIEW_LINK_LIFETIMES))} days."})
    now = timezone.now()
    return PreviewLink.objects.create(
        article=article,
        shared_with=shared_with.strip(),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )


def preview_link_revoke(*, link, by):
    """The link stops working at once; revoking twice keeps the first record."""
    if not by.has_perm("articles.change_previewlink"):
        raise PermissionDenied("You may not revoke preview links.")
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), by
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link


# --- who else is editing ------------------------------------------------------------------------------


def article_open_for_editing(*, article, by):
    """Note that `by` opened the story's change form; return the others who did in the last minutes, latest first."""
    if isinstance(by, AnonymousUser):
        return []
    now = timezone.now()
    EditorPresence.objects.update_or_create(article=article, user=by, defaults={"seen_at": now})
    return list(
        EditorPresence.objects.filter(article=article, seen_at__gt=now - PRESENCE_WINDOW)
        .exclude(user=by)
        .select_related("user")
        .order_by("-seen_at")
    )
