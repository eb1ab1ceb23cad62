"""The public corrections log: adding and amending entries, each with its record."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..models import (
    Article,
    Correction,
    CorrectionChange,
)
from .workflow import WorkflowError

Status = Article.Status


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
        actor=by,
        created_at=now,
    )
    Correction.objects.filter(pk=current.pk).update(kind=kind, note=note, amended_at=now)
    correction.kind, correction.note, correction.amended_at = kind, note, now
    _touch(current.article, now)
    return change
